//! Lowering checked playbooks to Plan nodes: parameters bound, constants folded, references kept symbolic,
//! imported playbooks expanded, and the data-flow and `after` edges between nodes.

mod error;
mod eval;
mod literal;
mod nodes;
mod params;

use std::collections::{BTreeMap, HashSet};

pub use error::PlanError;
pub use eval::fold_binary;
pub use literal::{Bound, display, format_duration, literal_value};
pub use params::{ParamInput, convert};

use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::plan::{Edge, EdgeKind, PlanExpr, PlanNode, PlanSources, Schedule, Value};
use crate::resolve::{Module, Scope};
use crate::stdlib::Catalog;
use crate::syntax::ast::Member;
use crate::typecheck::Typed;
use eval::Env;

/// All modules of a compilation, checked; `main` is the one being planned.
pub struct Program<'a> {
    pub modules: &'a [Module],
    pub scopes: &'a [Scope],
    pub typed: &'a [Typed],
    pub main: usize,
}

/// `Check` lowers without parameter values (unknown ones stay symbolic); `Plan` requires every parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Check,
    Plan,
}

/// Plan nodes and edges, before the DAG, risk and hash passes.
#[derive(Debug, Default)]
pub struct Lowered {
    pub nodes: Vec<PlanNode>,
    pub edges: Vec<Edge>,
    pub sources: PlanSources,
    pub params: BTreeMap<String, Value>,
    pub schedule: Option<Schedule>,
}

pub(crate) struct Lowerer<'a> {
    program: &'a Program<'a>,
    catalog: &'a Catalog,
    mode: Mode,
    nodes: Vec<PlanNode>,
    edges: Vec<Edge>,
    sources: PlanSources,
    diagnostics: Vec<Diagnostic>,
}

/// Lowers the main module of `program` with the given parameter values.
pub fn lower(
    program: &Program<'_>,
    params: &BTreeMap<String, ParamInput>,
    mode: Mode,
    catalog: &Catalog,
) -> (Lowered, Vec<Diagnostic>) {
    let mut lowerer = Lowerer {
        program,
        catalog,
        mode,
        nodes: Vec::new(),
        edges: Vec::new(),
        sources: PlanSources::default(),
        diagnostics: Vec::new(),
    };
    let main = program.main;
    let module = &program.modules[main];
    let mut env = Env::new(module, &program.scopes[main], &program.typed[main], String::new());

    let declared = &program.typed[main].params;
    for name in params.keys().filter(|n| !declared.contains_key(*n)) {
        let help = did_you_mean(name, declared.keys().map(String::as_str)).unwrap_or_else(|| {
            let names: Vec<&str> = declared.keys().map(String::as_str).collect();
            match names.is_empty() {
                true => "this playbook takes no parameters; remove it".to_string(),
                false => format!("this playbook's parameters are: {}", names.join(", ")),
            }
        });
        let span = module.playbook().name.span;
        lowerer.error(module.file, PlanError::UnknownParam { name: name.clone(), span: span.into(), help });
    }
    let mut given = BTreeMap::new();
    for (name, input) in params {
        let Some(info) = declared.get(name) else { continue };
        match convert(input, &info.ty, catalog) {
            Ok(value) => {
                given.insert(name.clone(), PlanExpr::value(value));
            }
            Err(reason) => {
                let span = param_span(module, name);
                lowerer.error(
                    module.file,
                    PlanError::BadParamValue { name: name.clone(), ty: info.ty.to_string(), reason, span: span.into() },
                );
            }
        }
    }
    lowerer.bind_params(&mut env, main, given, mode);
    let plan_params: BTreeMap<String, Value> =
        env.params.iter().filter_map(|(k, v)| v.as_value().map(|v| (k.clone(), v.clone()))).collect();
    lowerer.lower_module(main, env);
    lowerer.add_data_edges();

    let lowered = Lowered {
        nodes: lowerer.nodes,
        edges: lowerer.edges,
        sources: lowerer.sources,
        params: plan_params,
        schedule: schedule_of(module),
    };
    (lowered, lowerer.diagnostics)
}

fn param_span(module: &Module, name: &str) -> crate::span::Span {
    module
        .playbook()
        .members
        .iter()
        .find_map(|m| match m {
            Member::Param(p) if p.name.name == name => Some(p.name.span),
            _ => None,
        })
        .unwrap_or(module.playbook().name.span)
}

fn schedule_of(module: &Module) -> Option<Schedule> {
    module.playbook().members.iter().find_map(|m| match m {
        Member::Schedule(s) if s.kind.name == "cron" => {
            let text = |arg: &crate::syntax::ast::Arg| {
                literal_value(&arg.value).and_then(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
            };
            let cron = s.args.iter().find(|a| a.name.is_none()).and_then(text)?;
            let timezone = s
                .args
                .iter()
                .find(|a| a.name.as_ref().is_some_and(|n| n.name == "tz"))
                .and_then(text)
                .unwrap_or_else(|| "UTC".into());
            Some(Schedule { cron, timezone })
        }
        _ => None,
    })
}

impl Lowerer<'_> {
    /// Binds every declared parameter of a module instance: the given value (checked against the constraint),
    /// else the default, else (when planning) an error.
    fn bind_params(&mut self, env: &mut Env<'_>, module_index: usize, given: BTreeMap<String, PlanExpr>, mode: Mode) {
        let module = &self.program.modules[module_index];
        for member in &module.playbook().members {
            let Member::Param(param) = member else { continue };
            let name = &param.name.name;
            let value = match given.get(name) {
                Some(value) => value.clone(),
                None => match &param.default {
                    Some(default) => env.lower(default),
                    None => {
                        if mode == Mode::Plan {
                            self.error(
                                module.file,
                                PlanError::MissingParam { name: name.clone(), span: param.name.span.into() },
                            );
                        }
                        continue;
                    }
                },
            };
            // Defaults were checked against their constraints by the type checker.
            if let (Some(constraint), Some(known)) = (&param.constraint, value.as_value())
                && given.contains_key(name)
                && let Some(Err(reason)) = Bound::from_constraint(constraint).map(|b| b.admits(known))
            {
                self.error(
                    module.file,
                    PlanError::ParamOutsideConstraint {
                        name: name.clone(),
                        reason,
                        span: constraint_span(constraint).into(),
                    },
                );
            }
            env.params.insert(name.clone(), value);
        }
    }

    /// A data edge from every node an argument, condition or fan-out list reads.
    fn add_data_edges(&mut self) {
        let ids: HashSet<&str> = self.nodes.iter().map(|n| n.id.as_str()).collect();
        let mut edges = Vec::new();
        let mut refs = Vec::new();
        for node in &self.nodes {
            refs.clear();
            node.args.values().for_each(|a| a.refs(&mut refs));
            if let Some(when) = &node.options.when {
                when.refs(&mut refs);
            }
            if let Some(for_each) = &node.for_each {
                for_each.over.refs(&mut refs);
            }
            // Each node read once, in the order first read; a node reads only a few.
            for (i, &from) in refs.iter().enumerate() {
                if ids.contains(from) && !refs[..i].contains(&from) {
                    edges.push(Edge { from: from.to_string(), to: node.id.clone(), kind: EdgeKind::Data });
                }
            }
        }
        self.edges.extend(edges);
        self.edges.sort_unstable();
        self.edges.dedup();
    }
}

fn constraint_span(constraint: &crate::syntax::ast::Constraint) -> crate::span::Span {
    use crate::syntax::ast::Constraint;
    match constraint {
        Constraint::Range { span, .. } | Constraint::OneOf { span, .. } | Constraint::Pattern { span, .. } => *span,
    }
}
