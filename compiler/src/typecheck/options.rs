//! Step options: `when`, `retry`, `timeout`, `max_targets`, `max_errors`, `concurrency`, `on_failure`, `approve`,
//! `irreversible`, `after`.

use super::Checker;
use super::error::TypeError;
use crate::diagnostics::{Fix, did_you_mean, suggest};
use crate::syntax::ast::*;
use crate::types::Type;

/// Every step option, as written.
pub const STEP_OPTIONS: &[&str] = &[
    "when",
    "retry",
    "timeout",
    "max_targets",
    "max_errors",
    "concurrency",
    "on_failure",
    "approve",
    "irreversible",
    "after",
];

/// The step option called `name`, if there is one.
pub fn step_option(name: &str) -> Option<&'static str> {
    STEP_OPTIONS.iter().copied().find(|&option| option == name)
}

pub const ON_FAILURE_VALUES: &[&str] = &["abort", "continue", "rollback"];

/// The inclusive range an integer option may take.
pub fn int_option_range(option: &str) -> Option<(i64, i64)> {
    match option {
        "retry" => Some((0, 10)),
        "max_targets" | "concurrency" => Some((1, i64::MAX)),
        "max_errors" => Some((0, i64::MAX)),
        _ => None,
    }
}

impl Checker<'_> {
    pub(super) fn step_options(&mut self, step: &Step) {
        for (index, option) in step.options.iter().enumerate() {
            let name = option.name.name.as_str();
            // A step has a handful of options: looking back is quicker than building a set.
            if step.options[..index].iter().any(|earlier| earlier.name.name == name) {
                self.error(TypeError::DuplicateOption { option: name.into(), span: option.span.into() });
                continue;
            }
            match name {
                "when" => self.check(&option.value, &Type::Bool),
                "timeout" => self.check(&option.value, &Type::Duration),
                "retry" | "max_targets" | "max_errors" | "concurrency" => {
                    self.check(&option.value, &Type::Int);
                    if let (ExprKind::Int(n), Some((low, high))) = (&option.value.kind, int_option_range(name))
                        && (*n < low || *n > high)
                    {
                        let range =
                            if high == i64::MAX { format!("at least {low}") } else { format!("{low} to {high}") };
                        self.error(TypeError::BadOptionValue {
                            option: name.into(),
                            problem: format!("must be {range}, not {n}"),
                            span: option.value.span.into(),
                            help: format!("give `{name}` a whole number, {range}"),
                        });
                    }
                }
                "on_failure" => self.word_option(option, ON_FAILURE_VALUES),
                "approve" => {
                    if !matches!(option.value.kind, ExprKind::Name(_)) {
                        self.error(TypeError::BadOptionValue {
                            option: "approve".into(),
                            problem: "names a role, such as `manager`".into(),
                            span: option.value.span.into(),
                            help: "write `approve = manager`".into(),
                        });
                    }
                }
                "irreversible" => {
                    if !matches!(option.value.kind, ExprKind::Bool(_)) {
                        self.error(TypeError::BadOptionValue {
                            option: "irreversible".into(),
                            problem: "must be written `true` or `false`".into(),
                            span: option.value.span.into(),
                            help: "the acknowledgement is written in the playbook, not computed".into(),
                        });
                    }
                }
                "after" => {
                    let steps_only = match &option.value.kind {
                        ExprKind::List(items) => items.iter().all(|i| matches!(i.kind, ExprKind::Name(_))),
                        _ => false,
                    };
                    if !steps_only {
                        self.error(TypeError::BadOptionValue {
                            option: "after".into(),
                            problem: "lists step names".into(),
                            span: option.value.span.into(),
                            help: "write `after = [backup, notify]`".into(),
                        });
                    }
                }
                unknown => {
                    let fix = suggest(unknown, STEP_OPTIONS.iter().copied())
                        .map(|s| Fix::replace(format!("replace with `{s}`"), option.name.span, s));
                    let help = did_you_mean(unknown, STEP_OPTIONS.iter().copied())
                        .unwrap_or_else(|| format!("step options are: {}", STEP_OPTIONS.join(", ")));
                    self.error_with_fix(
                        TypeError::UnknownOption { option: unknown.into(), span: option.name.span.into(), help },
                        fix,
                    );
                }
            }
        }
    }

    /// An option whose value is one of a few words.
    fn word_option(&mut self, option: &StepOption, words: &[&str]) {
        let written = match &option.value.kind {
            ExprKind::Name(ident) => Some(ident.name.as_str()),
            _ => None,
        };
        if written.is_some_and(|w| words.contains(&w)) {
            return;
        }
        let fix = written
            .and_then(|w| suggest(w, words.iter().copied()))
            .map(|s| Fix::replace(format!("replace with `{s}`"), option.value.span, s));
        let help = written.and_then(|w| did_you_mean(w, words.iter().copied())).unwrap_or_else(|| {
            format!(
                "write one of the words without quotes, as in `{} = {}`",
                option.name.name,
                words.first().copied().unwrap_or("...")
            )
        });
        self.error_with_fix(
            TypeError::BadOptionValue {
                option: option.name.name.clone(),
                problem: format!("must be one of {}", words.join(", ")),
                span: option.value.span.into(),
                help,
            },
            fix,
        );
    }
}
