//! Matching a call's arguments to a signature: positional then named, no unknowns, no duplicates, nothing
//! required left out, each value of its parameter's type.

use super::{Checker, TypeError};
use crate::diagnostics::{Fix, did_you_mean, suggest};
use crate::stdlib::Callable;
use crate::syntax::ast::*;
use crate::types::Type;

/// The parameters of something callable, whatever declared it, borrowed from the declaration.
pub(super) struct Signature<'s> {
    pub name: &'s str,
    /// Name, type, and whether it may be left out.
    pub params: Vec<(&'s str, &'s Type, bool)>,
}

impl<'s> Signature<'s> {
    pub fn of_callable(callable: &'s Callable) -> Self {
        Signature {
            name: &callable.name,
            params: callable
                .params
                .iter()
                .map(|p| (p.name.as_str(), &p.ty, p.has_default || matches!(p.ty, Type::Optional(_))))
                .collect(),
        }
    }
}

impl Checker<'_> {
    pub(super) fn check_callable_args(&mut self, callable: &Callable, call: &Call) {
        self.check_args(&Signature::of_callable(callable), call);
    }

    /// Checks the arguments against the parameters they bind.
    pub(super) fn check_args(&mut self, signature: &Signature<'_>, call: &Call) {
        // The parameters bound so far: a call has a handful of arguments, so a list is the quickest set.
        let mut bound: Vec<&str> = Vec::with_capacity(call.args.len());
        let mut position = 0;
        for arg in &call.args {
            let param = match &arg.name {
                None => {
                    position += 1;
                    match signature.params.get(position - 1) {
                        Some(param) => param,
                        None => {
                            self.error(TypeError::TooManyArguments {
                                callee: signature.name.to_string(),
                                max: signature.params.len(),
                                position,
                                span: arg.span.into(),
                            });
                            continue;
                        }
                    }
                }
                Some(name) => match signature.params.iter().find(|p| p.0 == name.name) {
                    Some(param) => param,
                    None => {
                        let names: Vec<&str> = signature.params.iter().map(|p| p.0).collect();
                        let fix = suggest(&name.name, names.iter().copied())
                            .map(|s| Fix::replace(format!("replace with `{s}`"), name.span, s));
                        let help = did_you_mean(&name.name, names.iter().copied())
                            .unwrap_or_else(|| format!("`{}` takes: {}", signature.name, names.join(", ")));
                        self.error_with_fix(
                            TypeError::UnknownArgument {
                                callee: signature.name.to_string(),
                                name: name.name.clone(),
                                span: name.span.into(),
                                help,
                            },
                            fix,
                        );
                        self.infer(&arg.value);
                        continue;
                    }
                },
            };
            if bound.contains(&param.0) {
                self.error(TypeError::DuplicateArgument { name: param.0.to_string(), span: arg.span.into() });
                continue;
            }
            self.check(&arg.value, param.1);
            bound.push(param.0);
        }
        for &(name, _, optional) in &signature.params {
            if !optional && !bound.contains(&name) {
                self.error(TypeError::MissingArgument {
                    callee: signature.name.to_string(),
                    name: name.to_string(),
                    span: call.callee.span.into(),
                });
            }
        }
    }
}
