//! Steps: what each step calls, what it yields, and its arguments.

use super::call::Signature;
use super::{CallError, Checker, TypeError};
use crate::resolve::BUILTIN_FUNCTIONS;
use crate::stdlib::CallableKind;
use crate::syntax::ast::*;
use crate::types::Type;

impl Checker<'_> {
    /// What a step yields, from its declaration alone (no checking).
    pub(super) fn step_result_type(&self, step: &Step) -> Type {
        match &step.body {
            StepBody::Call(call) => self.call_result_type(call),
            StepBody::ForEach { call, .. } => match self.call_result_type(call) {
                outcome @ (Type::Outcome(_) | Type::Error) => outcome,
                other => Type::list(other),
            },
            StepBody::Script(script) => self.written_type(&script.output),
        }
    }

    fn call_result_type(&self, call: &Call) -> Type {
        let dotted = call.callee.dotted();
        if let Some(callable) = self.catalog.callables.get(&dotted) {
            return callable.returns.clone();
        }
        self.imports.get(&dotted).map(|typed| typed.as_call_result()).unwrap_or(Type::Error)
    }

    pub(super) fn step(&mut self, step: &Step) {
        match &step.body {
            StepBody::Call(call) => self.step_call(step, call),
            StepBody::ForEach { var, over, call } => {
                let over_ty = self.infer(over);
                let element = match over_ty {
                    Type::List(element) => *element,
                    Type::Error => Type::Error,
                    other => {
                        self.error(TypeError::Mismatch {
                            expected: "a list to fan out over".into(),
                            found: other.to_string(),
                            span: over.span.into(),
                            help: "`for x in LIST: action(x)` runs the action once per element".into(),
                        });
                        Type::Error
                    }
                };
                self.locals.push((var.name.clone(), element));
                self.step_call(step, call);
                self.locals.pop();
            }
            StepBody::Script(script) => self.script(script),
        }
        self.step_options(step);
    }

    fn step_call(&mut self, step: &Step, call: &Call) {
        let dotted = call.callee.dotted();
        // The catalog and the imports outlive the checker: what they declare is borrowed, not copied, while the
        // checker reports.
        let (catalog, imports) = (self.catalog, self.imports);
        if let Some(callable) = catalog.callables.get(&dotted) {
            if callable.kind == CallableKind::Query {
                self.error(TypeError::QueryInStep {
                    name: dotted,
                    binding: step.name.name.clone(),
                    span: call.callee.span.into(),
                });
                return;
            }
            self.check_callable_args(callable, call);
        } else if let Some(typed) = imports.get(&dotted) {
            let signature = Signature {
                name: &dotted,
                params: typed.params.iter().map(|(n, p)| (n.as_str(), &p.ty, p.has_default)).collect(),
            };
            self.check_args(&signature, call);
        } else if BUILTIN_FUNCTIONS.contains(&dotted.as_str()) {
            self.error(CallError::FunctionInStep { name: dotted, span: call.callee.span.into() });
        }
        // Anything else was reported by name resolution.
    }
}
