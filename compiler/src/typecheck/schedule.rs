//! `schedule cron("...", tz = "...")`.

use std::str::FromStr;

use super::expr::{is_plain, plain_text};
use super::{Checker, TypeError};
use crate::diagnostics::{Fix, did_you_mean, suggest};
use crate::span::Span;
use crate::syntax::ast::*;

/// The diagnostic for a refused cron expression written as the string literal at `literal`.
fn cron_error(problem: CronProblem, literal: Span, text_len: usize) -> TypeError {
    match problem {
        CronProblem::FieldCount(count) => {
            TypeError::BadCron { reason: format!("it has {count} fields, not 5"), span: literal.into() }
        }
        CronProblem::Other(reason) => TypeError::BadCron { reason, span: literal.into() },
        CronProblem::Field { name, value, range, at } => {
            // Escapes make a literal longer than its text; without any, the field's text is where it is written.
            let without_escapes = literal.len() == text_len + 2;
            let span = if without_escapes {
                Span::new(at.start, at.end).offset_by(literal.start as usize + 1)
            } else {
                literal
            };
            TypeError::BadCronField { field: name, value, range, span: span.into() }
        }
    }
}

impl Checker<'_> {
    pub(super) fn schedule(&mut self, schedule: &Schedule) {
        if schedule.kind.name != "cron" {
            self.error(TypeError::UnknownScheduleKind {
                kind: schedule.kind.name.clone(),
                span: schedule.kind.span.into(),
            });
            return;
        }
        for arg in &schedule.args {
            let (what, is_cron) = match arg.name.as_ref().map(|n| n.name.as_str()) {
                None => ("the cron expression", true),
                Some("tz") => ("the time zone", false),
                Some(other) => {
                    self.error(TypeError::UnknownArgument {
                        callee: "cron".into(),
                        name: other.into(),
                        span: arg.span.into(),
                        help: "`cron` takes an expression and `tz`".into(),
                    });
                    continue;
                }
            };
            let text = match &arg.value.kind {
                ExprKind::Str(parts) if is_plain(parts) => plain_text(parts),
                _ => {
                    self.error(TypeError::NotALiteral {
                        what: what.into(),
                        help: "schedules are fixed when the playbook is written".into(),
                        span: arg.value.span.into(),
                    });
                    continue;
                }
            };
            if is_cron {
                if let Err(problem) = validate_cron(&text) {
                    self.error(cron_error(problem, arg.value.span, text.len()));
                }
            } else if chrono_tz::Tz::from_str(&text).is_err() {
                let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
                let suggestion = suggest(&text, names.clone()).map(str::to_string);
                let fix = suggestion
                    .as_ref()
                    .map(|s| Fix::replace(format!("replace with \"{s}\""), arg.value.span, format!("\"{s}\"")));
                let help = did_you_mean(&text, names)
                    .unwrap_or_else(|| "use an IANA name such as \"Europe/London\" or \"UTC\"".into());
                self.error_with_fix(TypeError::UnknownTimeZone { zone: text, span: arg.value.span.into(), help }, fix);
            }
        }
    }
}

/// The five fields of a cron expression, in order: what each is called and the values it takes.
const CRON_FIELDS: [(&str, &str); 5] = [
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day of month", "1-31"),
    ("month", "1-12 or JAN-DEC"),
    ("day of week", "0-7 or SUN-SAT"),
];

/// Why a cron expression is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CronProblem {
    /// Not five fields.
    FieldCount(usize),
    /// One field does not parse or is out of its range; `at` is its byte range in the expression.
    Field { name: &'static str, value: String, range: &'static str, at: std::ops::Range<usize> },
    /// Each field is fine alone, yet croner refuses them together.
    Other(String),
}

/// A five-field cron expression, checked by the same parser the scheduler uses. A refused expression is
/// blamed on its first field that croner refuses on its own, named in words rather than in croner's.
pub fn validate_cron(expression: &str) -> Result<(), CronProblem> {
    let fields = cron_fields(expression);
    if fields.len() != 5 {
        return Err(CronProblem::FieldCount(fields.len()));
    }
    let whole = match croner::Cron::new(expression).parse() {
        Ok(_) => return Ok(()),
        Err(error) => error.to_string(),
    };
    for (index, at) in fields.into_iter().enumerate() {
        let mut alone = ["*"; 5];
        alone[index] = &expression[at.clone()];
        if croner::Cron::new(&alone.join(" ")).parse().is_err() {
            let (name, range) = CRON_FIELDS[index];
            return Err(CronProblem::Field { name, value: expression[at.clone()].to_string(), range, at });
        }
    }
    Err(CronProblem::Other(whole))
}

/// The byte ranges of the whitespace-separated fields of `expression`.
fn cron_fields(expression: &str) -> Vec<std::ops::Range<usize>> {
    let mut fields = Vec::new();
    let mut start = None;
    for (i, c) in expression.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                fields.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    fields.extend(start.map(|s| s..expression.len()));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_expression_passes() {
        assert_eq!(validate_cron("0 20 * * MON-FRI"), Ok(()));
    }

    #[test]
    fn an_hour_out_of_range_is_blamed_on_the_hour_field() {
        let problem = validate_cron("0  25 * * MON-FRI");
        assert_eq!(problem, Err(CronProblem::Field { name: "hour", value: "25".into(), range: "0-23", at: 3..5 }));
    }

    #[test]
    fn each_field_is_named_by_its_place() {
        let named = |expression: &str| match validate_cron(expression) {
            Err(CronProblem::Field { name, value, .. }) => Some((name, value)),
            _ => None,
        };
        assert_eq!(named("60 * * * *"), Some(("minute", "60".into())));
        assert_eq!(named("* * 32 * *"), Some(("day of month", "32".into())));
        assert_eq!(named("* * * 13 *"), Some(("month", "13".into())));
        assert_eq!(named("* * * * FUNDAY"), Some(("day of week", "FUNDAY".into())));
    }

    #[test]
    fn a_wrong_number_of_fields_is_counted() {
        assert_eq!(validate_cron("0 20 * *"), Err(CronProblem::FieldCount(4)));
    }
}
