//! Expressions to [`PlanExpr`]: parameters substituted, constant parts folded, references to plan nodes kept.

use std::collections::{BTreeMap, BTreeSet};

use super::literal::display;
use crate::plan::{PlanExpr, Value};
use crate::resolve::{Module, Scope, Symbol};
use crate::syntax::ast::*;
use crate::typecheck::Typed;

/// Everything an expression of one module instance can refer to.
pub(crate) struct Env<'a> {
    pub module: &'a Module,
    pub scope: &'a Scope,
    pub typed: &'a Typed,
    /// Prepended to node ids: "" for the main playbook, "call." for the steps of an imported one.
    pub prefix: String,
    pub params: BTreeMap<String, PlanExpr>,
    /// Steps that call imported playbooks, with the names of the imported playbook's steps.
    pub import_steps: BTreeMap<String, Vec<String>>,
    lets: BTreeMap<String, PlanExpr>,
    lets_in_progress: BTreeSet<String>,
    locals: Vec<(String, PlanExpr)>,
}

impl<'a> Env<'a> {
    pub fn new(module: &'a Module, scope: &'a Scope, typed: &'a Typed, prefix: String) -> Self {
        Env {
            module,
            scope,
            typed,
            prefix,
            params: BTreeMap::new(),
            import_steps: BTreeMap::new(),
            lets: BTreeMap::new(),
            lets_in_progress: BTreeSet::new(),
            locals: Vec::new(),
        }
    }

    pub fn node_id(&self, name: &str) -> String {
        [self.prefix.as_str(), name].concat()
    }

    /// Lowers `expr` with `name` bound to a loop variable (fan-out).
    pub fn lower_with_var(&mut self, name: &str, expr: &Expr) -> PlanExpr {
        self.locals.push((name.to_string(), PlanExpr::Var { name: name.to_string(), path: Vec::new() }));
        let lowered = self.lower(expr);
        self.locals.pop();
        lowered
    }

    pub fn lower(&mut self, expr: &Expr) -> PlanExpr {
        match &expr.kind {
            ExprKind::Str(parts) => {
                let parts: Vec<PlanExpr> = parts
                    .iter()
                    .map(|part| match part {
                        StrPart::Text(text) => PlanExpr::value(Value::String(text.clone())),
                        StrPart::Interp(inner) => self.lower(inner),
                    })
                    .collect();
                interpolate(parts)
            }
            ExprKind::Int(n) => PlanExpr::value(Value::Int(*n)),
            ExprKind::Float(f) => PlanExpr::value(Value::Float(*f)),
            ExprKind::Bool(b) => PlanExpr::value(Value::Bool(*b)),
            ExprKind::Duration(ms) => PlanExpr::value(Value::Duration { duration_ms: *ms }),
            ExprKind::None => PlanExpr::value(Value::Null),
            ExprKind::List(items) => list(items.iter().map(|i| self.lower(i)).collect()),
            ExprKind::Record(fields) => {
                let fields: Vec<(String, PlanExpr)> =
                    fields.iter().map(|f| (f.key.name.clone(), self.lower(&f.value))).collect();
                record(fields)
            }
            ExprKind::Name(ident) => self.name(&ident.name),
            ExprKind::Field(base, field) => field_of(self.lower(base), &field.name),
            ExprKind::Call(call) => self.builtin(call),
            ExprKind::Unary(_, operand) => match self.lower(operand) {
                PlanExpr::Value { value: Value::Bool(b) } => PlanExpr::value(Value::Bool(!b)),
                other => PlanExpr::Not { operand: Box::new(other) },
            },
            ExprKind::Binary(op, left, right) => {
                let left = self.lower(left);
                let right = self.lower(right);
                binary(*op, left, right)
            }
            ExprKind::Comprehension { elem, var, iter, cond } => {
                let iter = self.lower(iter);
                if let PlanExpr::Value { value: Value::List(items) } = &iter
                    && let Some(folded) = self.fold_comprehension(items, elem, &var.name, cond.as_deref())
                {
                    return folded;
                }
                self.locals.push((var.name.clone(), PlanExpr::Var { name: var.name.clone(), path: Vec::new() }));
                let elem = self.lower(elem);
                let cond = cond.as_ref().map(|c| Box::new(self.lower(c)));
                self.locals.pop();
                PlanExpr::Comprehension { elem: Box::new(elem), var: var.name.clone(), iter: Box::new(iter), cond }
            }
        }
    }

    /// Evaluates a comprehension over a constant list, if every element folds to a constant.
    fn fold_comprehension(&mut self, items: &[Value], elem: &Expr, var: &str, cond: Option<&Expr>) -> Option<PlanExpr> {
        let mut out = Vec::new();
        for item in items {
            self.locals.push((var.to_string(), PlanExpr::value(item.clone())));
            let keep = cond.map(|c| self.lower(c));
            let value = self.lower(elem);
            self.locals.pop();
            match keep {
                Some(PlanExpr::Value { value: Value::Bool(false) }) => continue,
                None | Some(PlanExpr::Value { value: Value::Bool(true) }) => {}
                Some(_) => return None,
            }
            out.push(value.as_value()?.clone());
        }
        Some(PlanExpr::value(Value::List(out)))
    }

    fn name(&mut self, name: &str) -> PlanExpr {
        if let Some((_, bound)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return bound.clone();
        }
        match self.scope.get(name) {
            Some(Symbol::Param(_)) => self
                .params
                .get(name)
                .cloned()
                .unwrap_or_else(|| PlanExpr::Var { name: format!("params.{name}"), path: Vec::new() }),
            Some(Symbol::Let(index)) if !self.typed.query_lets.contains(name) => self.pure_let(name, index),
            Some(Symbol::Step(_)) if self.import_steps.contains_key(name) => {
                let steps = self.import_steps.get(name).cloned().unwrap_or_default();
                let prefix = self.node_id(name);
                PlanExpr::Record {
                    fields: steps
                        .into_iter()
                        .map(|s| (s.clone(), PlanExpr::Ref { node: format!("{prefix}.{s}"), path: Vec::new() }))
                        .collect(),
                }
            }
            _ => PlanExpr::Ref { node: self.node_id(name), path: Vec::new() },
        }
    }

    fn pure_let(&mut self, name: &str, index: usize) -> PlanExpr {
        if let Some(done) = self.lets.get(name) {
            return done.clone();
        }
        let Member::Let(binding) = &self.module.playbook().members[index] else {
            return PlanExpr::value(Value::Null);
        };
        if !self.lets_in_progress.insert(name.to_string()) {
            return PlanExpr::value(Value::Null); // a cycle, reported by the type checker
        }
        let outer = std::mem::take(&mut self.locals);
        let lowered = self.lower(&binding.value);
        self.locals = outer;
        self.lets_in_progress.remove(name);
        self.lets.insert(name.to_string(), lowered.clone());
        lowered
    }

    fn builtin(&mut self, call: &Call) -> PlanExpr {
        let args: Vec<PlanExpr> = call.args.iter().map(|a| self.lower(&a.value)).collect();
        match (call.callee.dotted().as_str(), args.as_slice()) {
            ("secret", [PlanExpr::Value { value: Value::String(name) }]) => PlanExpr::Secret { name: name.clone() },
            ("len", [PlanExpr::Value { value }]) => match value {
                Value::List(items) => PlanExpr::value(Value::Int(items.len() as i64)),
                Value::Record(fields) => PlanExpr::value(Value::Int(fields.len() as i64)),
                Value::String(s) => PlanExpr::value(Value::Int(s.chars().count() as i64)),
                _ => PlanExpr::Call { function: "len".into(), args },
            },
            (function, _) => PlanExpr::Call { function: function.to_string(), args },
        }
    }
}

fn interpolate(parts: Vec<PlanExpr>) -> PlanExpr {
    if parts.iter().all(|p| p.as_value().is_some()) {
        let mut text = String::new();
        for value in parts.iter().filter_map(PlanExpr::as_value) {
            match value {
                Value::String(s) => text.push_str(s),
                other => text.push_str(&display(other)),
            }
        }
        return PlanExpr::value(Value::String(text));
    }
    PlanExpr::Interpolate { parts }
}

/// The constant of an expression known to be one.
fn into_value(expr: PlanExpr) -> Option<Value> {
    match expr {
        PlanExpr::Value { value } => Some(value),
        _ => None,
    }
}

fn list(items: Vec<PlanExpr>) -> PlanExpr {
    if items.iter().all(|i| i.as_value().is_some()) {
        return PlanExpr::value(Value::List(items.into_iter().filter_map(into_value).collect()));
    }
    PlanExpr::List { items }
}

/// A record from its fields in written order; of a key written twice the last value is kept.
fn record(fields: Vec<(String, PlanExpr)>) -> PlanExpr {
    // Inserted one by one: a record has a few fields, and collecting a map first sorts a copy of them.
    if fields.iter().all(|(_, f)| f.as_value().is_some()) {
        let mut values = BTreeMap::new();
        values.extend(fields.into_iter().filter_map(|(key, value)| Some((key, into_value(value)?))));
        return PlanExpr::value(Value::Record(values));
    }
    let mut exprs = BTreeMap::new();
    exprs.extend(fields);
    PlanExpr::Record { fields: exprs }
}

/// `base.field`, folded where the base is known.
pub(crate) fn field_of(base: PlanExpr, field: &str) -> PlanExpr {
    match base {
        PlanExpr::Value { value: Value::Record(mut fields) } => {
            PlanExpr::value(fields.remove(field).unwrap_or(Value::Null))
        }
        PlanExpr::Record { mut fields } => fields.remove(field).unwrap_or(PlanExpr::value(Value::Null)),
        PlanExpr::Ref { node, mut path } => {
            path.push(field.to_string());
            PlanExpr::Ref { node, path }
        }
        PlanExpr::Var { name, mut path } => {
            path.push(field.to_string());
            PlanExpr::Var { name, path }
        }
        other => PlanExpr::Field { base: Box::new(other), field: field.to_string() },
    }
}

fn binary(op: BinaryOp, left: PlanExpr, right: PlanExpr) -> PlanExpr {
    // Short-circuits fold even when the other side is unknown.
    match (op, left.as_value(), right.as_value()) {
        (BinaryOp::And, Some(Value::Bool(false)), _) | (BinaryOp::Or, Some(Value::Bool(true)), _) => return left,
        (BinaryOp::And, Some(Value::Bool(true)), _) | (BinaryOp::Or, Some(Value::Bool(false)), _) => return right,
        (_, Some(l), Some(r)) => {
            if let Some(value) = fold_binary(op, l, r) {
                return PlanExpr::value(value);
            }
        }
        _ => {}
    }
    PlanExpr::Binary { op: op.symbol().to_string(), left: Box::new(left), right: Box::new(right) }
}

/// The value of `l op r` for constants, where the operation is defined on them.
pub fn fold_binary(op: BinaryOp, l: &Value, r: &Value) -> Option<Value> {
    use std::cmp::Ordering;
    let order = || -> Option<Ordering> {
        match (l, r) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Int(a), Value::Float(b)) => (*a as f64).partial_cmp(b),
            (Value::Float(a), Value::Int(b)) => a.partial_cmp(&(*b as f64)),
            (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
            (Value::Duration { duration_ms: a }, Value::Duration { duration_ms: b }) => Some(a.cmp(b)),
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            _ => None,
        }
    };
    Some(match op {
        BinaryOp::Eq => Value::Bool(l == r),
        BinaryOp::Ne => Value::Bool(l != r),
        BinaryOp::Lt => Value::Bool(order()? == Ordering::Less),
        BinaryOp::Le => Value::Bool(order()? != Ordering::Greater),
        BinaryOp::Gt => Value::Bool(order()? == Ordering::Greater),
        BinaryOp::Ge => Value::Bool(order()? != Ordering::Less),
        BinaryOp::And | BinaryOp::Or => match (l, r) {
            (Value::Bool(a), Value::Bool(b)) => Value::Bool(if op == BinaryOp::And { *a && *b } else { *a || *b }),
            _ => return None,
        },
        BinaryOp::In => match r {
            Value::List(items) => Value::Bool(items.contains(l)),
            Value::Record(fields) => Value::Bool(matches!(l, Value::String(k) if fields.contains_key(k))),
            Value::String(s) => Value::Bool(matches!(l, Value::String(sub) if s.contains(sub.as_str()))),
            _ => return None,
        },
        BinaryOp::Concat => match (l, r) {
            (Value::List(a), Value::List(b)) => Value::List(a.iter().chain(b).cloned().collect()),
            (Value::String(a), Value::String(b)) => Value::String(format!("{a}{b}")),
            _ => return None,
        },
    })
}
