//! `schedule cron("...", tz = "...")`.

use std::str::FromStr;

use super::expr::{is_plain, plain_text};
use super::{Checker, TypeError};
use crate::diagnostics::{Fix, did_you_mean, suggest};
use crate::syntax::ast::*;

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
                        help: Some("`cron` takes an expression and `tz`".into()),
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
                if let Err(reason) = validate_cron(&text) {
                    self.error(TypeError::BadCron { reason, span: arg.value.span.into() });
                }
            } else if chrono_tz::Tz::from_str(&text).is_err() {
                let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
                let suggestion = suggest(&text, names.clone()).map(str::to_string);
                let fix = suggestion
                    .as_ref()
                    .map(|s| Fix::replace(format!("replace with \"{s}\""), arg.value.span, format!("\"{s}\"")));
                let help =
                    did_you_mean(&text, names).or(Some("use an IANA name such as \"Europe/London\" or \"UTC\"".into()));
                self.error_with_fix(TypeError::UnknownTimeZone { zone: text, span: arg.value.span.into(), help }, fix);
            }
        }
    }
}

/// A five-field cron expression, checked by the same parser the scheduler uses.
pub fn validate_cron(expression: &str) -> Result<(), String> {
    let fields = expression.split_whitespace().count();
    if fields != 5 {
        return Err(format!("it has {fields} fields, not 5"));
    }
    croner::Cron::new(expression).parse().map(|_| ()).map_err(|e| e.to_string())
}
