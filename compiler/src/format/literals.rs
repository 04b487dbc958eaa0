//! Literals in their canonical spelling: strings re-escaped, durations in their largest exact units, floats with
//! a decimal point.

/// Duration units from the largest down, with their length in milliseconds.
const DURATION_UNITS: [(&str, u64); 6] =
    [("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

/// A duration written with the largest units that divide it exactly, largest first: `5400000` is `1h30m`.
/// Weeks are used only for whole weeks: `30d` reads better than `4w2d`.
pub(crate) fn duration_text(millis: u64) -> String {
    if millis == 0 {
        return "0s".to_string();
    }
    let (week, rest_of_units) = DURATION_UNITS.split_at(1);
    let units = if millis.is_multiple_of(week[0].1) { week } else { rest_of_units };
    let mut rest = millis;
    let mut text = String::new();
    for &(unit, length) in units {
        if rest >= length {
            text.push_str(&format!("{}{unit}", rest / length));
            rest %= length;
        }
    }
    text
}

/// A float as the grammar reads it: digits on both sides of the point. A value that has no such spelling
/// (a literal too large for f64) keeps the text the author wrote.
pub(crate) fn float_text(value: f64, written: &str) -> String {
    if !value.is_finite() {
        return written.to_string();
    }
    let text = value.to_string();
    if text.contains('.') { text } else { format!("{text}.0") }
}

/// The text of a string part between the quotes, escaped so that it reads back as `value`.
///
/// `$` is escaped only where it would otherwise open an interpolation.
pub(crate) fn escape_text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push_str("\\t"),
            '\r' => escaped.push_str("\\r"),
            '$' if chars.peek() == Some(&'{') => escaped.push_str("\\$"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A whole string literal without interpolations.
pub(crate) fn quoted(value: &str) -> String {
    format!("\"{}\"", escape_text(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_duration;

    #[test]
    fn minutes_that_make_an_hour_are_written_as_hours_and_minutes() {
        assert_eq!(duration_text(90 * 60_000), "1h30m");
    }

    #[test]
    fn milliseconds_that_make_whole_minutes_are_written_as_minutes() {
        assert_eq!(duration_text(600_000), "10m");
    }

    #[test]
    fn a_duration_keeps_its_leftover_milliseconds() {
        assert_eq!(duration_text(1_500), "1s500ms");
        assert_eq!(duration_text(500), "500ms");
    }

    #[test]
    fn whole_weeks_are_written_as_weeks_and_other_days_as_days() {
        let text_of = |written: &str| duration_text(parse_duration(written).unwrap_or_default());
        assert_eq!(text_of("7d"), "1w");
        assert_eq!(text_of("14d"), "2w");
        assert_eq!(text_of("30d"), "30d");
        assert_eq!(text_of("1w1h"), "7d1h");
    }

    #[test]
    fn a_zero_duration_is_zero_seconds() {
        assert_eq!(duration_text(0), "0s");
    }

    #[test]
    fn every_printed_duration_reads_back_as_the_same_length() {
        for millis in [1, 999, 1_000, 61_001, 3_600_000, 90_061_001, 604_800_000 * 3 + 1, u64::MAX] {
            assert_eq!(parse_duration(&duration_text(millis)), Some(millis), "{millis}");
        }
    }

    #[test]
    fn a_whole_float_keeps_its_decimal_point() {
        assert_eq!(float_text(1.0, "1.000"), "1.0");
        assert_eq!(float_text(-0.25, "-0.250"), "-0.25");
        assert_eq!(float_text(1e20, "100000000000000000000.0"), "100000000000000000000.0");
    }

    #[test]
    fn an_infinite_float_keeps_its_written_text() {
        assert_eq!(float_text(f64::INFINITY, "1000.0"), "1000.0");
    }

    #[test]
    fn quotes_backslashes_and_control_characters_are_escaped() {
        assert_eq!(escape_text("say \"hi\"\\\n\t\r"), "say \\\"hi\\\"\\\\\\n\\t\\r");
    }

    #[test]
    fn a_dollar_is_escaped_only_before_a_brace() {
        assert_eq!(escape_text("$5 and ${x}"), "$5 and \\${x}");
    }
}
