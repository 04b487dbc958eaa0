//! Matching a call's arguments to a signature: positional then named, no unknowns, no duplicates, nothing
//! required left out, each value of its parameter's type.

use std::collections::BTreeMap;

use super::{Checker, TypeError};
use crate::diagnostics::{Fix, did_you_mean, suggest};
use crate::stdlib::Callable;
use crate::syntax::ast::*;
use crate::types::Type;

/// The parameters of something callable, whatever declared it.
pub(super) struct Signature {
    pub name: String,
    /// Name, type, and whether it may be left out.
    pub params: Vec<(String, Type, bool)>,
}

impl Signature {
    pub fn of_callable(callable: &Callable) -> Self {
        Signature {
            name: callable.name.clone(),
            params: callable
                .params
                .iter()
                .map(|p| (p.name.clone(), p.ty.clone(), p.has_default || matches!(p.ty, Type::Optional(_))))
                .collect(),
        }
    }
}

impl Checker<'_> {
    pub(super) fn check_callable_args(&mut self, callable: &Callable, call: &Call) {
        self.check_args(&Signature::of_callable(callable), call);
    }

    /// Checks the arguments and returns which parameter each argument expression binds.
    pub(super) fn check_args<'c>(&mut self, signature: &Signature, call: &'c Call) -> BTreeMap<String, &'c Expr> {
        let mut bound: BTreeMap<String, &Expr> = BTreeMap::new();
        let mut position = 0;
        for arg in &call.args {
            let param = match &arg.name {
                None => {
                    position += 1;
                    match signature.params.get(position - 1) {
                        Some(param) => param,
                        None => {
                            self.error(TypeError::TooManyArguments {
                                callee: signature.name.clone(),
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
                        let names: Vec<&str> = signature.params.iter().map(|p| p.0.as_str()).collect();
                        let fix = suggest(&name.name, names.iter().copied())
                            .map(|s| Fix::replace(format!("replace with `{s}`"), name.span, s));
                        let help = did_you_mean(&name.name, names.iter().copied())
                            .unwrap_or_else(|| format!("`{}` takes: {}", signature.name, names.join(", ")));
                        self.error_with_fix(
                            TypeError::UnknownArgument {
                                callee: signature.name.clone(),
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
            if bound.contains_key(&param.0) {
                self.error(TypeError::DuplicateArgument { name: param.0.clone(), span: arg.span.into() });
                continue;
            }
            self.check(&arg.value, &param.1);
            bound.insert(param.0.clone(), &arg.value);
        }
        for (name, _, optional) in &signature.params {
            if !optional && !bound.contains_key(name) {
                self.error(TypeError::MissingArgument {
                    callee: signature.name.clone(),
                    name: name.clone(),
                    span: call.callee.span.into(),
                });
            }
        }
        bound
    }
}
