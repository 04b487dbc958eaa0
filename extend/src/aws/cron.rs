//! Escher's cron (five fields, read by croner) as EventBridge Scheduler's `cron(...)`, which differs:
//!
//! - six fields, the sixth the year (`*` here);
//! - one of day-of-month and day-of-week must be `?`. Cron fires when *either* restricted day field matches;
//!   EventBridge cannot say that, so an expression restricting both is refused;
//! - day-of-week counts 1 to 7 from Sunday (cron: 0 to 6 from Sunday, 7 also Sunday): days are written by name;
//! - a step over everything is written from the field's first value (`*/15` is `0/15`, in days `1/15`), and
//!   a stepped range is written as the list of values it stands for.
//!
//! What cannot be translated is refused before any call, with the reason.

use crate::ExtendError;

const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// The expression for EventBridge, with a note of how it differs when it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    pub expression: String,
    pub notes: Vec<String>,
}

pub fn to_eventbridge(cron: &str) -> Result<Translated, ExtendError> {
    let refuse = |why: String| ExtendError::Usage(format!("cron \"{cron}\" cannot be an EventBridge schedule: {why}"));
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let [minute, hour, day, month, weekday] = fields.as_slice() else {
        return Err(refuse(format!("it has {} fields, not the five Escher schedules use", fields.len())));
    };
    let mut notes = Vec::new();
    let minute = numeric(minute, 0, 59, "minute").map_err(&refuse)?;
    let hour = numeric(hour, 0, 23, "hour").map_err(&refuse)?;
    let month = numeric(&month.to_ascii_uppercase(), 1, 12, "month").map_err(&refuse)?;
    let (day, weekday) = match (*day, *weekday) {
        (day, "*" | "?") => (numeric(day, 1, 31, "day of month").map_err(&refuse)?, "?".to_string()),
        ("*" | "?", weekday) => {
            notes.push("days of the week are written by name: EventBridge counts them 1 to 7 from Sunday".to_string());
            ("?".to_string(), weekdays(weekday).map_err(&refuse)?)
        }
        _ => {
            return Err(refuse(
                "it restricts both the day of the month and the day of the week, which cron reads as either one \
                 and EventBridge cannot express; make two schedules"
                    .to_string(),
            ));
        }
    };
    Ok(Translated { expression: format!("cron({minute} {hour} {day} {month} {weekday} *)"), notes })
}

/// A minute, hour, day-of-month or month field: `*`, numbers, ranges, lists and steps.
fn numeric(field: &str, low: u32, high: u32, what: &str) -> Result<String, String> {
    if field == "*" {
        return Ok("*".to_string());
    }
    if let Some(step) = field.strip_prefix("*/") {
        let step: u32 = step.parse().map_err(|_| format!("the {what} step `{field}` is not a number"))?;
        return Ok(format!("{low}/{step}"));
    }
    if field.contains('/') {
        let values = expand(field, low, high, what, &|text| text.parse().ok())?;
        return Ok(values.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
    }
    if field.bytes().all(|byte| byte.is_ascii_digit() || matches!(byte, b',' | b'-')) {
        // Plain numbers, ranges and lists mean the same in both dialects; only their bounds are checked here.
        expand(field, low, high, what, &|text| text.parse().ok())?;
        return Ok(field.to_string());
    }
    if what == "month" {
        return Ok(field.to_string());
    }
    Err(format!("the {what} field `{field}` uses a form EventBridge reads differently (L, W, #, names)"))
}

/// A day-of-week field as EventBridge's day names.
fn weekdays(field: &str) -> Result<String, String> {
    let day = |text: &str| -> Option<u32> {
        match text.parse::<u32>() {
            Ok(7) => Some(0),
            Ok(number) if number < 7 => Some(number),
            Ok(_) => None,
            Err(_) => DAYS.iter().position(|name| name.eq_ignore_ascii_case(text)).map(|index| index as u32),
        }
    };
    if field.contains(['L', '#']) {
        return Err(format!("the day-of-week field `{field}` uses L or #, which Escher does not translate"));
    }
    let values = expand(field, 0, 6, "day of week", &day)?;
    Ok(values.iter().map(|value| DAYS[*value as usize]).collect::<Vec<_>>().join(","))
}

/// The values a field stands for, sorted: lists of `*`, `a`, `a-b`, each with an optional `/step`.
fn expand(
    field: &str,
    low: u32,
    high: u32,
    what: &str,
    value: &dyn Fn(&str) -> Option<u32>,
) -> Result<Vec<u32>, String> {
    let mut values = Vec::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().ok().filter(|step| *step > 0)),
            None => (part, Some(1)),
        };
        let step = step.ok_or_else(|| format!("the {what} step in `{part}` is not a positive number"))?;
        let bad = || format!("`{part}` is not a {what} between {low} and {high}");
        let (start, end) = match range.split_once('-') {
            _ if range == "*" => (low, high),
            Some((start, end)) => (value(start).ok_or_else(bad)?, value(end).ok_or_else(bad)?),
            None => {
                let only = value(range).ok_or_else(bad)?;
                (only, if part.contains('/') { high } else { only })
            }
        };
        if start < low || end > high || start > end {
            return Err(bad());
        }
        values.extend((start..=end).step_by(step as usize));
    }
    values.sort_unstable();
    values.dedup();
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(cron: &str) -> String {
        to_eventbridge(cron).map(|translated| translated.expression).unwrap_or_else(|error| error.to_string())
    }

    #[test]
    fn weekday_evenings_become_named_days_with_a_question_mark() {
        assert_eq!(translated("0 20 * * MON-FRI"), "cron(0 20 ? * MON,TUE,WED,THU,FRI *)");
        assert_eq!(translated("0 20 * * 1-5"), "cron(0 20 ? * MON,TUE,WED,THU,FRI *)");
        assert_eq!(translated("30 6 * * 0,7"), "cron(30 6 ? * SUN *)", "0 and 7 are both Sunday");
        assert_eq!(translated("0 8 * * */2"), "cron(0 8 ? * SUN,TUE,THU,SAT *)");
    }

    #[test]
    fn steps_start_at_the_first_value_and_stepped_ranges_become_lists() {
        assert_eq!(translated("*/15 * * * *"), "cron(0/15 * * * ? *)");
        assert_eq!(translated("0 9 */10 * *"), "cron(0 9 1/10 * ? *)");
        assert_eq!(translated("10-30/10 1,13 1 1-6 *"), "cron(10,20,30 1,13 1 1-6 ? *)");
        assert_eq!(translated("0 0 1 JAN *"), "cron(0 0 1 JAN ? *)");
    }

    #[test]
    fn what_eventbridge_cannot_say_is_refused_with_the_reason() {
        assert!(translated("0 0 1 * MON").contains("restricts both the day of the month and the day of the week"));
        assert!(translated("0 0 * * 5L").contains("uses L or #"));
        assert!(translated("0 0 * *").contains("it has 4 fields"));
        assert!(translated("61 0 * * *").contains("`61` is not a minute between 0 and 59"));
        assert!(translated("0 0 L * *").contains("reads differently"));
    }
}
