//! Walking a checked playbook into plan nodes; an imported playbook called by a step is expanded in place, its
//! nodes prefixed with the step's name.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::eval::Env;
use super::{Lowerer, Mode, PlanError};
use crate::diagnostics::Diagnostic;
use crate::plan::*;
use crate::stdlib::{Callable, CallableKind, Cloud, DryRun, Effect};
use crate::syntax::ast::*;
use crate::typecheck::step_option;
use crate::types::Type;

impl Lowerer<'_> {
    /// Lowers one module instance into `self.nodes`, with the `after` edges between its steps.
    pub(super) fn lower_module(&mut self, module_index: usize, mut env: Env<'_>) {
        let program = self.program;
        let module = &program.modules[module_index];
        // Each step's nodes, as a range of `self.nodes` (an import call has many), and the steps written
        // `after` others, with their nodes.
        let members = module.playbook().members.len();
        let mut step_nodes: HashMap<&str, Range<usize>> = HashMap::with_capacity(members);
        let mut pending_after: Vec<(Range<usize>, &Step)> = Vec::new();
        // About one node a member: growing by doubling would move every node lowered so far, again and again.
        self.nodes.reserve(members);
        self.sources.nodes.reserve(members);

        for member in &module.playbook().members {
            if let Member::Step(step) = member
                && let Some(&imported) = self.import_of(module_index, step)
            {
                let names = program.typed[imported].step_names().into_iter().map(str::to_string).collect();
                env.import_steps.insert(step.name.name.clone(), names);
            }
        }

        for member in &module.playbook().members {
            match member {
                Member::Let(binding) if env.typed.query_lets.contains(&binding.name.name) => {
                    if let ExprKind::Call(call) = &binding.value.kind {
                        let id = env.node_id(&binding.name.name);
                        self.query_node(&mut env, id, binding, call);
                    }
                }
                Member::Step(step) => {
                    let first = self.nodes.len();
                    match self.import_of(module_index, step).copied() {
                        Some(imported) => self.import_call(&mut env, imported, step),
                        None => {
                            let id = env.node_id(&step.name.name);
                            self.step_node(&mut env, id, step);
                        }
                    }
                    let nodes = first..self.nodes.len();
                    if !step.after.is_empty() || after_option(step).next().is_some() {
                        pending_after.push((nodes.clone(), step));
                    }
                    step_nodes.insert(&step.name.name, nodes);
                }
                _ => {}
            }
        }
        for (to_nodes, step) in pending_after {
            for name in step.after.iter().chain(after_option(step)) {
                let Some(from_nodes) = step_nodes.get(name.name.as_str()) else { continue };
                for to in to_nodes.clone() {
                    for from in from_nodes.clone() {
                        let (from, to) = (self.nodes[from].id.clone(), self.nodes[to].id.clone());
                        self.edges.push(Edge { from, to, kind: EdgeKind::After });
                    }
                }
            }
        }
    }

    fn import_of(&self, module_index: usize, step: &Step) -> Option<&usize> {
        let imports = &self.program.modules[module_index].imports;
        match &step.body {
            StepBody::Call(call) if !imports.is_empty() => imports.get(&call.callee.dotted()),
            _ => None,
        }
    }

    /// Expands a step that calls an imported playbook: its arguments become the imported playbook's parameters.
    fn import_call(&mut self, env: &mut Env<'_>, imported: usize, step: &Step) {
        let StepBody::Call(call) = &step.body else {
            return;
        };
        let typed = &self.program.typed[imported];
        let param_names: Vec<&String> = typed.params.keys().collect();
        let mut given: BTreeMap<String, PlanExpr> = BTreeMap::new();
        for (position, arg) in call.args.iter().enumerate() {
            let name = match &arg.name {
                Some(name) => name.name.clone(),
                None => match param_names.get(position) {
                    Some(name) => (*name).clone(),
                    None => continue,
                },
            };
            given.insert(name, env.lower(&arg.value));
        }
        let prefix = format!("{}.", env.node_id(&step.name.name));
        let mut child = Env::new(
            &self.program.modules[imported],
            &self.program.scopes[imported],
            &self.program.typed[imported],
            prefix,
        );
        self.bind_params(&mut child, imported, given, Mode::Check);
        self.lower_module(imported, child);
    }

    fn query_node(&mut self, env: &mut Env<'_>, id: String, binding: &Let, call: &Call) {
        let Some(callable) = self.catalog.callables.get(&call.callee.dotted()) else {
            return;
        };
        let args = bind_args(env, callable, call, None);
        let source = self.source_of(env, binding.span, binding.name.span, &[], binding.span.end, false);
        self.sources.nodes.insert(id.clone(), source);
        let mut node = node_from_callable(id, callable, args, binding.docs.join("\n"));
        node.kind = NodeKind::Query;
        self.nodes.push(node);
    }

    fn step_node(&mut self, env: &mut Env<'_>, id: String, step: &Step) {
        let docs = step.docs.join("\n");
        let (mut node, body_end) = match &step.body {
            StepBody::Call(call) => {
                let Some(callable) = self.catalog.callables.get(&call.callee.dotted()) else {
                    return;
                };
                let args = bind_args(env, callable, call, None);
                (node_from_callable(id.clone(), callable, args, docs), call.span.end)
            }
            StepBody::ForEach { var, over, call } => {
                let Some(callable) = self.catalog.callables.get(&call.callee.dotted()) else {
                    return;
                };
                let over = env.lower(over);
                let args = bind_args(env, callable, call, Some(&var.name));
                let mut node = node_from_callable(id.clone(), callable, args, docs);
                node.for_each = Some(ForEach { var: var.name.clone(), over });
                (node, call.span.end)
            }
            StepBody::Script(script) => {
                let args = script
                    .args
                    .iter()
                    .filter_map(|a| a.name.as_ref().map(|n| (n.name.clone(), env.lower(&a.value))))
                    .collect();
                let output = env.typed.steps.get(&step.name.name).cloned().unwrap_or(Type::Error);
                let node = PlanNode {
                    id: id.clone(),
                    kind: NodeKind::Script,
                    docs,
                    action: "script".into(),
                    args,
                    output,
                    effect: Effect::Read,
                    cloud: Cloud::None,
                    undo: None,
                    batch: None,
                    rate_class: "script".into(),
                    dry_run: DryRun::Simulated,
                    targets: None,
                    for_each: None,
                    script: Some(ScriptBody { source: script.body.clone() }),
                    options: StepOptions::default(),
                    risk: Risk::unassessed(),
                    approval: None,
                };
                (node, script.span.end)
            }
        };
        node.options = self.step_options(env, step);
        let has_block = step.span.end > body_end;
        let source = self.source_of(env, step.span, step.name.span, &step.options, body_end, has_block);
        self.sources.nodes.insert(id, source);
        self.nodes.push(node);
    }

    fn source_of(
        &self,
        env: &Env<'_>,
        span: crate::span::Span,
        name: crate::span::Span,
        options_written: &[StepOption],
        body_end: u32,
        has_options_block: bool,
    ) -> NodeSource {
        let options_insert_at = if has_options_block {
            crate::span::Span::empty_at(span.end as usize - 1)
        } else {
            crate::span::Span::empty_at(body_end as usize)
        };
        // Unknown options were reported by the type checker. Inserted one by one: a step has a few options.
        let mut options = BTreeMap::new();
        options.extend(options_written.iter().filter_map(|o| Some((step_option(&o.name.name)?, o.span))));
        NodeSource { file: env.module.file, span, name, options, options_insert_at, has_options_block }
    }

    fn step_options(&mut self, env: &mut Env<'_>, step: &Step) -> StepOptions {
        let mut options = StepOptions::default();
        for option in &step.options {
            let name = option.name.name.as_str();
            match name {
                "when" => {
                    let when = env.lower(&option.value);
                    if when.as_value() != Some(&Value::Bool(true)) {
                        options.when = Some(when);
                    }
                }
                "on_failure" => {
                    options.on_failure = match word(&option.value) {
                        Some("continue") => OnFailure::Continue,
                        Some("rollback") => OnFailure::Rollback,
                        _ => OnFailure::Abort,
                    }
                }
                "approve" => options.approve = word(&option.value).map(str::to_string),
                "irreversible" => options.irreversible = option.value.kind == ExprKind::Bool(true),
                "timeout" => {
                    if let Some(Value::Duration { duration_ms }) = self.known(env, step, option, "a duration") {
                        options.timeout_ms = Some(duration_ms);
                    }
                }
                "retry" | "max_targets" | "max_errors" | "concurrency" => {
                    let Some(Value::Int(n)) = self.known(env, step, option, "an integer") else {
                        continue;
                    };
                    let (low, high) = crate::typecheck::options::int_option_range(name).unwrap_or((0, i64::MAX));
                    if n < low || n > high {
                        self.error(
                            env.module.file,
                            PlanError::BadOption {
                                option: name.into(),
                                step: step.name.name.clone(),
                                problem: format!("is {n}, outside {low}..={high}"),
                                help: "give a value in range".into(),
                                span: option.span.into(),
                            },
                        );
                        continue;
                    }
                    match name {
                        "retry" => options.retry = n as u32,
                        "max_targets" => options.max_targets = Some(n as u64),
                        "max_errors" => options.max_errors = Some(n as u64),
                        _ => options.concurrency = Some(n.min(u32::MAX as i64) as u32),
                    }
                }
                _ => {}
            }
        }
        options
    }

    /// An option's value, which must fold to a constant when planning.
    fn known(&mut self, env: &mut Env<'_>, step: &Step, option: &StepOption, what: &str) -> Option<Value> {
        match env.lower(&option.value) {
            PlanExpr::Value { value } => Some(value),
            _ => {
                if self.mode == Mode::Plan {
                    self.error(
                        env.module.file,
                        PlanError::BadOption {
                            option: option.name.name.clone(),
                            step: step.name.name.clone(),
                            problem: format!("must be {what} known when planning"),
                            help: "use literals and parameters only".into(),
                            span: option.span.into(),
                        },
                    );
                }
                None
            }
        }
    }

    pub(super) fn error(&mut self, file: crate::span::FileId, error: PlanError) {
        self.diagnostics.push(Diagnostic::new(file, error));
    }
}

fn word(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Name(ident) => Some(ident.name.as_str()),
        _ => None,
    }
}

/// The steps named by an `after = [...]` option.
fn after_option(step: &Step) -> impl Iterator<Item = &Ident> {
    step.options
        .iter()
        .filter(|o| o.name.name == "after")
        .flat_map(|o| match &o.value.kind {
            ExprKind::List(items) => items.as_slice(),
            _ => &[],
        })
        .filter_map(|i| match &i.kind {
            ExprKind::Name(ident) => Some(ident),
            _ => None,
        })
}

/// A call's arguments by parameter name, lowered; `var` is the fan-out variable, if any.
fn bind_args(env: &mut Env<'_>, callable: &Callable, call: &Call, var: Option<&str>) -> BTreeMap<String, PlanExpr> {
    let mut args = BTreeMap::new();
    for (position, arg) in call.args.iter().enumerate() {
        let name = match &arg.name {
            Some(name) => name.name.clone(),
            None => match callable.params.get(position) {
                Some(param) => param.name.clone(),
                None => continue,
            },
        };
        let value = match var {
            Some(var) => env.lower_with_var(var, &arg.value),
            None => env.lower(&arg.value),
        };
        args.insert(name, value);
    }
    // Declared defaults are part of the plan, so the hash covers everything the runtime will do.
    for param in &callable.params {
        if let Some(default) = &param.default
            && !args.contains_key(&param.name)
        {
            args.insert(param.name.clone(), PlanExpr::value(default.clone()));
        }
    }
    args
}

fn node_from_callable(id: String, callable: &Callable, args: BTreeMap<String, PlanExpr>, docs: String) -> PlanNode {
    PlanNode {
        id,
        kind: match callable.kind {
            CallableKind::Query => NodeKind::Query,
            CallableKind::Action => NodeKind::Action,
        },
        docs,
        action: callable.name.clone(),
        args,
        output: callable.returns.clone(),
        effect: callable.effect,
        cloud: callable.cloud,
        undo: callable.undo.clone(),
        batch: callable.batch,
        rate_class: callable.rate_class.clone(),
        dry_run: callable.dry_run,
        targets: callable.targets.clone(),
        for_each: None,
        script: None,
        options: StepOptions::default(),
        risk: Risk::unassessed(),
        approval: None,
    }
}
