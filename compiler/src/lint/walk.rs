//! What the rules share: the playbook they read, and questions about it (what a step calls, which names an
//! expression reads, which argument a parameter gets).

use std::collections::BTreeSet;

use super::level::TargetsToday;
use crate::plan::{Plan, PlanNode};
use crate::resolve::WORD_OPTIONS;
use crate::stdlib::{Callable, CallableKind, Catalog, Effect};
use crate::syntax::ast::*;

/// The playbook a rule reads: its syntax tree, the stdlib and, when planning succeeded, the plan.
pub struct Context<'a> {
    pub file: &'a PlaybookFile,
    pub catalog: &'a Catalog,
    pub plan: Option<&'a Plan>,
    /// What the estate holds today, when the host has an inventory.
    pub targets_today: Option<&'a TargetsToday>,
}

impl<'a> Context<'a> {
    pub fn new(file: &'a PlaybookFile, catalog: &'a Catalog, plan: Option<&'a Plan>) -> Self {
        Context { file, catalog, plan, targets_today: None }
    }

    pub fn with_targets_today(mut self, targets: Option<&'a TargetsToday>) -> Self {
        self.targets_today = targets;
        self
    }

    pub fn members(&self) -> impl Iterator<Item = &'a Member> + use<'a> {
        self.file.playbook.members.iter()
    }

    pub fn steps(&self) -> impl Iterator<Item = &'a Step> + use<'a> {
        self.members().filter_map(|member| match member {
            Member::Step(step) => Some(step),
            _ => None,
        })
    }

    /// The member that defines `name` in the playbook's namespace.
    pub fn member(&self, name: &str) -> Option<&'a Member> {
        self.members().find(|member| member.defined_name().is_some_and(|defined| defined.name == name))
    }

    /// The plan's node for one of this playbook's own members.
    pub fn node(&self, name: &str) -> Option<&'a PlanNode> {
        self.plan?.nodes.iter().find(|node| node.id == name)
    }

    /// The stdlib action or query a call calls; `None` for built-in functions and imported playbooks.
    pub fn callable(&self, call: &Call) -> Option<&'a Callable> {
        self.catalog.callables.get(&call.callee.dotted())
    }

    /// The stdlib action a step calls, once or per element.
    pub fn action(&self, step: &'a Step) -> Option<(&'a Call, &'a Callable)> {
        let call = step_call(step)?;
        let callable = self.callable(call).filter(|c| c.kind == CallableKind::Action)?;
        Some((call, callable))
    }

    /// What a step does to the world: its action's effect, `read` for a script; `None` for a call of an
    /// imported playbook, whose steps are its own.
    pub fn effect(&self, step: &'a Step) -> Option<Effect> {
        match &step.body {
            StepBody::Script(_) => Some(Effect::Read),
            _ => self.action(step).map(|(_, action)| action.effect),
        }
    }

    /// The expression a call gives for `param` of `callable`, by name or by position.
    pub fn argument(&self, call: &'a Call, callable: &Callable, param: &str) -> Option<&'a Expr> {
        if let Some(arg) = call.args.iter().find(|arg| arg.name.as_ref().is_some_and(|n| n.name == param)) {
            return Some(&arg.value);
        }
        let position = callable.params.iter().position(|p| p.name == param)?;
        call.args.iter().filter(|arg| arg.name.is_none()).nth(position).map(|arg| &arg.value)
    }
}

/// The call a step makes, once or per element; `None` for a script.
pub fn step_call(step: &Step) -> Option<&Call> {
    match &step.body {
        StepBody::Call(call) | StepBody::ForEach { call, .. } => Some(call),
        StepBody::Script(_) => None,
    }
}

/// A step's option by name.
pub fn option<'a>(step: &'a Step, name: &str) -> Option<&'a StepOption> {
    step.options.iter().find(|option| option.name.name == name)
}

/// Every name of the playbook's namespace an expression reads (not `for` variables, which it binds itself).
pub fn names_read<'a>(expr: &'a Expr, out: &mut Vec<&'a Ident>) {
    read(expr, &mut Vec::new(), out);
}

fn read<'a>(expr: &'a Expr, locals: &mut Vec<&'a str>, out: &mut Vec<&'a Ident>) {
    match &expr.kind {
        ExprKind::Str(parts) => {
            for part in parts {
                if let StrPart::Interp(e) = part {
                    read(e, locals, out);
                }
            }
        }
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Duration(_) | ExprKind::None => {}
        ExprKind::List(items) => items.iter().for_each(|e| read(e, locals, out)),
        ExprKind::Record(fields) => fields.iter().for_each(|f| read(&f.value, locals, out)),
        ExprKind::Name(ident) => {
            if !locals.contains(&ident.name.as_str()) {
                out.push(ident);
            }
        }
        ExprKind::Field(base, _) => read(base, locals, out),
        ExprKind::Call(call) => call.args.iter().for_each(|a| read(&a.value, locals, out)),
        ExprKind::Unary(_, e) => read(e, locals, out),
        ExprKind::Binary(_, left, right) => {
            read(left, locals, out);
            read(right, locals, out);
        }
        ExprKind::Comprehension { elem, var, iter, cond } => {
            read(iter, locals, out);
            locals.push(&var.name);
            read(elem, locals, out);
            if let Some(cond) = cond {
                read(cond, locals, out);
            }
            locals.pop();
        }
    }
}

/// Every name of the namespace the playbook reads anywhere: in defaults, values, calls, options, `after`.
pub fn names_used(file: &PlaybookFile) -> BTreeSet<&str> {
    let mut out: Vec<&Ident> = Vec::new();
    for member in &file.playbook.members {
        match member {
            Member::Schedule(schedule) => schedule.args.iter().for_each(|a| names_read(&a.value, &mut out)),
            Member::Param(param) => {
                if let Some(default) = &param.default {
                    names_read(default, &mut out);
                }
                match &param.constraint {
                    Some(Constraint::Range { low, high, .. }) => {
                        names_read(low, &mut out);
                        names_read(high, &mut out);
                    }
                    Some(Constraint::OneOf { values, .. }) => values.iter().for_each(|v| names_read(v, &mut out)),
                    _ => {}
                }
            }
            Member::Let(binding) => names_read(&binding.value, &mut out),
            Member::Step(step) => {
                out.extend(step.after.iter());
                match &step.body {
                    StepBody::Call(call) => call.args.iter().for_each(|a| names_read(&a.value, &mut out)),
                    StepBody::ForEach { var, over, call } => {
                        names_read(over, &mut out);
                        let mut inner = Vec::new();
                        call.args.iter().for_each(|a| names_read(&a.value, &mut inner));
                        out.extend(inner.into_iter().filter(|ident| ident.name != var.name));
                    }
                    StepBody::Script(script) => script.args.iter().for_each(|a| names_read(&a.value, &mut out)),
                }
                step.options
                    .iter()
                    .filter(|option| !WORD_OPTIONS.contains(&option.name.name.as_str()))
                    .for_each(|option| names_read(&option.value, &mut out));
            }
        }
    }
    out.into_iter().map(|ident| ident.name.as_str()).collect()
}
