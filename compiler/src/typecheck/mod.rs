//! The type checker: every expression, argument, option and parameter gets a type, and each use is checked
//! against what its place expects.
//!
//! Lets are typed on demand (memoized), so definition order does not matter; steps' types come from the actions
//! they call and are known before any body is checked.

mod builtins;
mod call;
mod error;
mod expr;
pub(crate) mod options;
mod param;
mod schedule;
mod script;
mod step;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use error::{CallError, TypeError};
pub use options::{ON_FAILURE_VALUES, STEP_OPTIONS, int_option_range, step_option};

use crate::diagnostics::{Diagnostic, Fix};
use crate::resolve::{Module, Scope, Symbol};
use crate::stdlib::Catalog;
use crate::syntax::ast::*;
use crate::types::{Type, resolve_type};

/// A parameter's type and whether it may be left out.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    pub ty: Type,
    pub has_default: bool,
}

/// The types a module's names have, which the plan builder and importing modules read.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub params: BTreeMap<String, ParamInfo>,
    pub lets: BTreeMap<String, Type>,
    /// The lets whose value is a query call: they become plan nodes.
    pub query_lets: BTreeSet<String>,
    /// Looked up for every step an expression reads, so hashed.
    pub steps: HashMap<String, Type>,
}

impl Typed {
    /// What a step calling this (imported) playbook yields: a record of its steps' results.
    pub fn as_call_result(&self) -> Type {
        Type::Record(self.steps.iter().map(|(name, ty)| (name.clone(), ty.clone())).collect())
    }

    /// The names of the steps, in sorted order.
    pub fn step_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.steps.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

/// Type-checks one module whose names resolved. `imports` holds the typed modules it imports, by import name.
pub fn typecheck(
    module: &Module,
    scope: &Scope,
    imports: &BTreeMap<String, Typed>,
    catalog: &Catalog,
) -> (Typed, Vec<Diagnostic>) {
    let mut checker = Checker {
        module,
        scope,
        imports,
        catalog,
        typed: Typed::default(),
        let_state: BTreeMap::new(),
        locals: Vec::new(),
        mismatch_help: None,
        diagnostics: Vec::new(),
    };
    checker.declare_params();
    checker.declare_steps();
    let mut schedules = 0;
    for member in &module.playbook().members {
        match member {
            Member::Schedule(s) => {
                schedules += 1;
                if schedules > 1 {
                    checker.error(TypeError::DuplicateSchedule { span: s.span.into() });
                }
                checker.schedule(s);
            }
            Member::Param(p) => checker.param(p),
            Member::Let(l) => {
                checker.let_type(&l.name.name, l.name.span);
            }
            Member::Step(s) => checker.step(s),
        }
    }
    (checker.typed, checker.diagnostics)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LetState {
    InProgress,
    Done,
}

pub(crate) struct Checker<'a> {
    module: &'a Module,
    scope: &'a Scope,
    imports: &'a BTreeMap<String, Typed>,
    catalog: &'a Catalog,
    typed: Typed,
    let_state: BTreeMap<String, LetState>,
    /// `for` variables in scope, innermost last.
    locals: Vec<(String, Type)>,
    /// What a mismatch found now should advise, when the place being checked knows better than the types do.
    mismatch_help: Option<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, error: impl miette::Diagnostic + Send + Sync + 'static) {
        self.diagnostics.push(Diagnostic::new(self.module.file, error));
    }

    fn error_with_fix(&mut self, error: impl miette::Diagnostic + Send + Sync + 'static, fix: Option<Fix>) {
        let diagnostic = Diagnostic::new(self.module.file, error);
        self.diagnostics.push(match fix {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic,
        });
    }

    /// A written type, or the error type when resolution already reported it.
    fn written_type(&self, ty: &TypeExpr) -> Type {
        resolve_type(ty, self.catalog, false).unwrap_or(Type::Error)
    }

    fn declare_params(&mut self) {
        for member in &self.module.playbook().members {
            if let Member::Param(p) = member {
                let info = ParamInfo { ty: self.written_type(&p.ty), has_default: p.default.is_some() };
                self.typed.params.entry(p.name.name.clone()).or_insert(info);
            }
        }
    }

    /// Step result types come from declarations alone, so any expression may read any step.
    fn declare_steps(&mut self) {
        self.typed.steps.reserve(self.module.playbook().members.len());
        for member in &self.module.playbook().members {
            if let Member::Step(step) = member {
                let ty = self.step_result_type(step);
                self.typed.steps.entry(step.name.name.clone()).or_insert(ty);
            }
        }
    }

    /// The type of a `let`, checking its value the first time it is asked for.
    fn let_type(&mut self, name: &str, used_at: crate::span::Span) -> Type {
        match self.let_state.get(name) {
            Some(LetState::Done) => return self.typed.lets.get(name).cloned().unwrap_or(Type::Error),
            Some(LetState::InProgress) => {
                self.error(TypeError::RecursiveLet { name: name.to_string(), span: used_at.into() });
                return Type::Error;
            }
            None => {}
        }
        let Some(Symbol::Let(index)) = self.scope.get(name) else {
            return Type::Error;
        };
        let Member::Let(binding) = &self.module.playbook().members[index] else {
            return Type::Error;
        };
        self.let_state.insert(name.to_string(), LetState::InProgress);
        // Lets see no `for` variables, nor the advice, of whoever asked for them.
        let outer_locals = std::mem::take(&mut self.locals);
        let outer_help = self.mismatch_help.take();
        let ty = self.let_value(binding);
        self.locals = outer_locals;
        self.mismatch_help = outer_help;
        self.let_state.insert(name.to_string(), LetState::Done);
        self.typed.lets.insert(name.to_string(), ty.clone());
        ty
    }

    fn let_value(&mut self, binding: &Let) -> Type {
        let catalog = self.catalog;
        if let ExprKind::Call(call) = &binding.value.kind
            && let Some(callable) = catalog.callables.get(&call.callee.dotted())
            && callable.kind == crate::stdlib::CallableKind::Query
        {
            self.typed.query_lets.insert(binding.name.name.clone());
            self.check_callable_args(callable, call);
            return self.annotated(binding, callable.returns.clone());
        }
        match &binding.ty {
            Some(written) => {
                let expected = self.written_type(written);
                self.check(&binding.value, &expected);
                expected
            }
            None => self.infer(&binding.value),
        }
    }

    /// A query's result checked against the let's annotation, if any.
    fn annotated(&mut self, binding: &Let, actual: Type) -> Type {
        match &binding.ty {
            Some(written) => {
                let expected = self.written_type(written);
                self.expect_assignable(&actual, &expected, binding.value.span);
                expected
            }
            None => actual,
        }
    }
}
