//! RFC 3339 UTC timestamps (`2025-06-02T19:00:00Z`, optionally with fractions) as seconds since 1970, so the
//! tests can apply retention periods without sharing the simulator's date code.

pub const DAY: i64 = 86_400;

/// Seconds since 1970-01-01T00:00:00Z; panics on anything but a UTC timestamp.
pub fn epoch_seconds(text: &str) -> i64 {
    let parsed = text.strip_suffix('Z').and_then(|body| body.split_once('T')).and_then(|(date, clock)| {
        let [year, month, day] = three_numbers(date, '-')?;
        let [hour, minute, second] = three_numbers(clock, ':')?;
        Some(days_since_epoch(year, month, day) * DAY + hour * 3600 + minute * 60 + second)
    });
    parsed.unwrap_or_else(|| panic!("`{text}` is not an RFC 3339 UTC timestamp"))
}

/// `2025-06-02` or `19:00:00.250` as three whole numbers (fractions of a second are dropped).
fn three_numbers(part: &str, separator: char) -> Option<[i64; 3]> {
    let numbers: Option<Vec<i64>> =
        part.split(separator).map(|n| n.split('.').next().and_then(|whole| whole.parse().ok())).collect();
    numbers?.try_into().ok()
}

/// Days from 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras that start on 1 March.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[test]
fn timestamps_count_seconds_from_1970() {
    assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), 0);
    assert_eq!(epoch_seconds("2000-03-01T00:00:00Z"), 951_868_800);
    assert_eq!(epoch_seconds("2025-06-02T19:00:00Z"), 1_748_890_800);
    assert_eq!(epoch_seconds("2024-02-29T12:30:15.250Z"), 1_709_209_815);
}
