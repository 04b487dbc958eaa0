//! The built-in functions: `secret`, `len`, `datetime`.

use super::expr::{is_plain, plain_text};
use super::{Checker, TypeError};
use crate::syntax::ast::*;
use crate::types::Type;

impl Checker<'_> {
    /// Types a call of a built-in function, or returns `None` when `name` is not one.
    pub(super) fn builtin_call(&mut self, name: &str, call: &Call) -> Option<Type> {
        let ty = match name {
            "secret" => {
                self.single_literal_arg(call, "the secret's name", "write `secret(\"db-password\")`");
                Type::Secret(Box::new(Type::String))
            }
            "len" => {
                if let Some(arg) = self.single_arg(call) {
                    let ty = self.infer(&arg.value);
                    if !matches!(ty, Type::List(_) | Type::Map(_) | Type::String | Type::Enum(_) | Type::Error) {
                        self.error(TypeError::Mismatch {
                            expected: "a list, map or string".into(),
                            found: ty.to_string(),
                            span: arg.value.span.into(),
                            help: "`len` counts the elements of a list or map, or the chars of a string".into(),
                        });
                    }
                }
                Type::Int
            }
            "datetime" => {
                let help = "write `datetime(\"2026-01-31T20:00:00Z\")`";
                if let Some((text, span)) = self.single_literal_arg(call, "the date and time", help)
                    && let Err(error) = chrono::DateTime::parse_from_rfc3339(&text)
                {
                    self.error(TypeError::BadDatetime { text, reason: error.to_string(), span: span.into() });
                }
                Type::Datetime
            }
            _ => return None,
        };
        Some(ty)
    }

    fn single_arg<'c>(&mut self, call: &'c Call) -> Option<&'c Arg> {
        for (position, extra) in call.args.iter().enumerate().skip(1) {
            self.error(TypeError::TooManyArguments {
                callee: call.callee.dotted(),
                max: 1,
                position: position + 1,
                span: extra.span.into(),
            });
        }
        match call.args.first() {
            Some(arg) => Some(arg),
            None => {
                let callee = call.callee.dotted();
                self.error(TypeError::MissingArgument { callee, name: "value".into(), span: call.span.into() });
                None
            }
        }
    }

    /// The text of a call's one argument, which must be a plain string literal.
    fn single_literal_arg(&mut self, call: &Call, what: &str, help: &str) -> Option<(String, crate::span::Span)> {
        let arg = self.single_arg(call)?;
        match &arg.value.kind {
            ExprKind::Str(parts) if is_plain(parts) => Some((plain_text(parts), arg.value.span)),
            _ => {
                self.error(TypeError::NotALiteral {
                    what: what.into(),
                    help: help.into(),
                    span: arg.value.span.into(),
                });
                None
            }
        }
    }
}
