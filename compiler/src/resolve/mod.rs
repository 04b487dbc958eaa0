//! Name resolution: every name a playbook uses must be defined in it, imported, or declared by the stdlib.
//!
//! This pass reports unknown and duplicate names with "did you mean"; the type checker then assumes names resolve
//! and gives unresolved ones the error type so nothing is reported twice.

mod error;
mod references;
mod scope;
mod walk;

use std::collections::{BTreeMap, BTreeSet};

pub use error::ResolveError;
pub use references::{NameKind, NameSite, defined_names, name_sites, site_at};
pub use scope::{Scope, Symbol};

use crate::diagnostics::{Diagnostic, Fix, did_you_mean, suggest};
use crate::span::{FileId, Span};
use crate::stdlib::Catalog;
use crate::syntax::ast::*;
use crate::types::{TypeSyntaxError, resolve_type};
use walk::ExprWalk;

/// The functions built into the language.
pub const BUILTIN_FUNCTIONS: &[&str] = &["secret", "len", "datetime"];

/// Step options whose values are words, not expressions to resolve.
pub const WORD_OPTIONS: &[&str] = &["on_failure", "approve"];

/// One parsed playbook file and the modules its `use`s resolved to.
#[derive(Debug, Clone)]
pub struct Module {
    pub file: FileId,
    /// Every member that parsed; with parse errors, a partial tree that is checked but never planned.
    pub ast: PlaybookFile,
    /// Import name (alias, or the imported playbook's own name) to module index.
    pub imports: BTreeMap<String, usize>,
    /// What an error already reported leaves unknown; checking takes it as it is rather than reporting it again.
    pub gaps: Gaps,
}

/// What a module's checks cannot know because of an error already reported.
#[derive(Debug, Clone, Default)]
pub struct Gaps {
    /// Names defined by members that did not parse, and names of imports that did not load or are ambiguous:
    /// defined, of unknown type.
    pub unknown_names: BTreeSet<String>,
    /// A `use` did not parse or an import did not load, so a one-word call may name a playbook it imports.
    pub unknown_import: bool,
    /// The file had parse errors, so what it defines is incomplete: importers do not check calls against it.
    pub partial: bool,
}

impl Gaps {
    /// Whether `name` is defined by something an error already reported.
    pub fn is_unknown(&self, name: &str) -> bool {
        self.unknown_names.contains(name)
    }
}

impl Module {
    pub fn playbook(&self) -> &Playbook {
        &self.ast.playbook
    }
}

/// Resolves the names of one module.
pub fn resolve(module: &Module, catalog: &Catalog) -> (Scope, Vec<Diagnostic>) {
    let playbook = module.playbook();
    let (scope, duplicates) = Scope::collect(playbook);
    let mut resolver = Resolver { module, catalog, scope: &scope, locals: Vec::new(), diagnostics: Vec::new() };
    for (again, first) in duplicates {
        let (name, span) = member_name(&playbook.members[again]);
        let (_, first_span) = member_name(&playbook.members[first]);
        resolver.push(
            ResolveError::Duplicate { name: name.to_string(), span: span.into(), first: first_span.into() },
            None,
        );
    }
    for member in &playbook.members {
        resolver.member(member);
    }
    let diagnostics = resolver.diagnostics;
    (scope, diagnostics)
}

fn member_name(member: &Member) -> (&str, Span) {
    match member {
        Member::Param(p) => (&p.name.name, p.name.span),
        Member::Let(l) => (&l.name.name, l.name.span),
        Member::Step(s) => (&s.name.name, s.name.span),
        Member::Schedule(s) => (&s.kind.name, s.kind.span),
    }
}

impl ExprWalk for Resolver<'_> {
    fn read_name(&mut self, ident: &Ident) {
        self.name(ident);
    }

    fn read_call(&mut self, call: &Call) {
        self.call(call);
    }

    fn locals(&mut self) -> &mut Vec<String> {
        &mut self.locals
    }
}

struct Resolver<'a> {
    module: &'a Module,
    catalog: &'a Catalog,
    scope: &'a Scope,
    /// `for` variables in scope, innermost last.
    locals: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn push(&mut self, error: ResolveError, fix: Option<Fix>) {
        let diagnostic = Diagnostic::new(self.module.file, error);
        self.diagnostics.push(match fix {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic,
        });
    }

    fn member(&mut self, member: &Member) {
        match member {
            Member::Schedule(s) => s.args.iter().for_each(|a| self.expr(&a.value)),
            Member::Param(p) => {
                self.type_expr(&p.ty);
                if let Some(default) = &p.default {
                    self.expr(default);
                }
            }
            Member::Let(l) => {
                if let Some(ty) = &l.ty {
                    self.type_expr(ty);
                }
                self.expr(&l.value);
            }
            Member::Step(step) => self.step(step),
        }
    }

    fn step(&mut self, step: &Step) {
        for name in &step.after {
            self.step_name(name);
        }
        match &step.body {
            StepBody::Call(call) => self.call(call),
            StepBody::ForEach { var, over, call } => {
                self.expr(over);
                self.locals.push(var.name.clone());
                self.call(call);
                self.locals.pop();
            }
            StepBody::Script(script) => {
                script.args.iter().for_each(|a| self.expr(&a.value));
                self.type_expr(&script.output);
            }
        }
        for option in &step.options {
            match option.name.name.as_str() {
                name if WORD_OPTIONS.contains(&name) => {}
                "after" => match &option.value.kind {
                    ExprKind::List(items) => {
                        for item in items {
                            match &item.kind {
                                ExprKind::Name(name) => self.step_name(name),
                                _ => self.expr(item),
                            }
                        }
                    }
                    _ => self.expr(&option.value),
                },
                _ => self.expr(&option.value),
            }
        }
    }

    fn step_name(&mut self, name: &Ident) {
        if self.module.gaps.is_unknown(&name.name) {
            return;
        }
        if !matches!(self.scope.get(&name.name), Some(Symbol::Step(_))) {
            let candidates: Vec<&str> = self.scope.step_names().collect();
            let fix = suggest(&name.name, candidates.iter().copied())
                .map(|s| Fix::replace(format!("replace with `{s}`"), name.span, s));
            let help = did_you_mean(&name.name, candidates)
                .unwrap_or_else(|| "`after` names steps of this playbook; define the step or remove the name".into());
            self.push(ResolveError::UnknownStep { name: name.name.clone(), span: name.span.into(), help }, fix);
        }
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        match resolve_type(ty, self.catalog, false) {
            Ok(_) => {}
            Err(TypeSyntaxError::Unknown { name, span, suggestion }) => {
                let fix = suggestion.as_ref().map(|s| Fix::replace(format!("replace with `{s}`"), span, s.clone()));
                let help = suggestion.map_or_else(
                    || "use a built-in type (string, int, list<T>, ...) or one the stdlib declares".into(),
                    |s| format!("did you mean `{s}`?"),
                );
                self.push(ResolveError::UnknownType { name, span: span.into(), help }, fix);
            }
            Err(TypeSyntaxError::Arity { name, expected, found, span }) => {
                self.push(ResolveError::TypeArity { name, expected, found, span: span.into() }, None)
            }
            Err(TypeSyntaxError::MapKeyNotString { span }) => {
                self.push(ResolveError::MapKeyNotString { span: span.into() }, None)
            }
        }
    }

    fn is_defined(&self, name: &str) -> bool {
        self.locals.iter().any(|l| l == name) || self.scope.get(name).is_some()
    }

    /// Whether `call` may call something an error already reported left unknown: a member that did not parse, an
    /// import that did not load, or, for a one-word name, a playbook whose `use` did not parse or load.
    fn calls_a_gap(&self, call: &Call) -> bool {
        let gaps = &self.module.gaps;
        call.callee.segments.first().is_some_and(|first| gaps.is_unknown(&first.name))
            || (gaps.unknown_import && call.callee.segments.len() == 1)
    }

    fn name(&mut self, ident: &Ident) {
        if self.is_defined(&ident.name) || self.module.gaps.is_unknown(&ident.name) {
            return;
        }
        let candidates: Vec<&str> = self.scope.names().chain(self.locals.iter().map(String::as_str)).collect();
        let fix = suggest(&ident.name, candidates.iter().copied())
            .map(|s| Fix::replace(format!("replace with `{s}`"), ident.span, s));
        let help = did_you_mean(&ident.name, candidates)
            .or_else(|| {
                // A dotted stdlib name used without a call is the likeliest mistake left.
                self.catalog.callables.keys().any(|k| k.starts_with(&format!("{}.", ident.name))).then(|| {
                    format!("`{}` starts a stdlib name; queries and actions are called with `(...)`", ident.name)
                })
            })
            .unwrap_or_else(|| {
                format!("define `{}` with `param`, `let` or `step`, or use a name defined here", ident.name)
            });
        self.push(ResolveError::UnknownName { name: ident.name.clone(), span: ident.span.into(), help }, fix);
    }

    fn call(&mut self, call: &Call) {
        call.args.iter().for_each(|a| self.expr(&a.value));
        let Some(first) = call.callee.segments.first() else {
            return; // the parser already reported a call of something that is not a name
        };
        let dotted = call.callee.dotted();
        if call.callee.segments.len() == 1 && self.is_defined(&first.name) {
            self.push(ResolveError::NotCallable { name: first.name.clone(), span: call.callee.span.into() }, None);
            return;
        }
        let known = self.catalog.callables.contains_key(&dotted)
            || (call.callee.segments.len() == 1
                && (BUILTIN_FUNCTIONS.contains(&dotted.as_str()) || self.module.imports.contains_key(&dotted)));
        if known || self.calls_a_gap(call) {
            return;
        }
        if self.is_defined(&first.name) {
            // `a.b(...)` where `a` is a value: the value's fields are not callable.
            self.push(ResolveError::NotCallable { name: dotted, span: call.callee.span.into() }, None);
            return;
        }
        let candidates: Vec<&str> = self
            .catalog
            .callables
            .keys()
            .map(String::as_str)
            .chain(BUILTIN_FUNCTIONS.iter().copied())
            .chain(self.module.imports.keys().map(String::as_str))
            .collect();
        let fix = suggest(&dotted, candidates.iter().copied())
            .map(|s| Fix::replace(format!("replace with `{s}`"), call.callee.span, s));
        let help = did_you_mean(&dotted, candidates)
            .unwrap_or_else(|| "`escher actions` lists the queries and actions the stdlib declares".into());
        self.push(ResolveError::UnknownCallable { name: dotted, span: call.callee.span.into(), help }, fix);
    }
}
