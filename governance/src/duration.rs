//! Durations as people write them in policy files and on the command line: `90s`, `10m`, `24h`, `7d`.

use std::time::Duration;

/// Parses `<number><unit>` with unit s, m, h or d.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let bad = || format!("\"{text}\" is not a duration such as 90s, 10m, 24h or 7d");
    let number: u64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    number.checked_mul(seconds).map(Duration::from_secs).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_seconds_minutes_hours_and_days() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse("7d"), Ok(Duration::from_secs(604_800)));
    }

    #[test]
    fn anything_else_is_refused() {
        for text in ["", "10", "m", "1.5h", "10 weeks", "-1s"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
