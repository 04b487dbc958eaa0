//! Parameters: their types, constraints and defaults.

use super::{Checker, TypeError};
use crate::lower::{Bound, literal_value};
use crate::syntax::ast::*;
use crate::types::Type;

impl Checker<'_> {
    pub(super) fn param(&mut self, param: &Param) {
        let ty = self.typed.params.get(&param.name.name).map(|p| p.ty.clone()).unwrap_or(Type::Error);
        if ty.contains_secret() {
            self.error(TypeError::SecretParam { span: param.ty.span().into() });
            return;
        }
        let constraint_applies = param.constraint.as_ref().is_none_or(|c| self.constraint(c, &ty));
        let Some(default) = &param.default else {
            return;
        };
        let help = format!(
            "the default of `{}` must be of its declared type, {ty}; change the default or the type",
            param.name.name
        );
        let outer = self.mismatch_help.replace(help);
        self.check(default, &ty);
        self.mismatch_help = outer;
        let bound = param.constraint.as_ref().filter(|_| constraint_applies).and_then(Bound::from_constraint);
        if let (Some(bound), Some(value)) = (bound, literal_value(default))
            && let Err(reason) = bound.admits(&value)
        {
            self.error(TypeError::DefaultOutsideConstraint {
                param: param.name.name.clone(),
                reason,
                span: default.span.into(),
            });
        }
    }

    /// Checks a constraint against the parameter's type; `false` if it does not apply to it.
    fn constraint(&mut self, constraint: &Constraint, ty: &Type) -> bool {
        let wrong = |kind: &str, span: crate::span::Span| TypeError::ConstraintOnWrongType {
            constraint: kind.into(),
            ty: ty.to_string(),
            span: span.into(),
        };
        match constraint {
            Constraint::Range { low, high, span, .. } => {
                if !matches!(ty, Type::Int | Type::Float | Type::Duration | Type::Error) {
                    self.error(wrong("range", *span));
                    return false;
                }
                self.check(low, ty);
                self.check(high, ty);
                for bound in [low, high] {
                    if literal_value(bound).is_none() {
                        self.error(TypeError::NotALiteral {
                            what: "a range bound".into(),
                            help: "write the bound as a number or duration".into(),
                            span: bound.span.into(),
                        });
                    }
                }
            }
            Constraint::OneOf { values, span } => {
                let element = match ty {
                    Type::List(element) => element.as_ref().clone(),
                    other => other.clone(),
                };
                if !matches!(element, Type::String | Type::Int | Type::Enum(_) | Type::Error) {
                    self.error(wrong("`in [...]`", *span));
                    return false;
                }
                for value in values {
                    self.check(value, &element);
                }
            }
            Constraint::Pattern { regex, span } => {
                if !matches!(ty, Type::String | Type::Error) {
                    self.error(wrong("`matches`", *span));
                    return false;
                }
                if let Err(error) = regex::Regex::new(&regex.value) {
                    let reason = error.to_string().lines().last().unwrap_or_default().trim().to_string();
                    self.error(TypeError::BadPattern { reason, span: regex.span.into() });
                }
            }
        }
        true
    }
}
