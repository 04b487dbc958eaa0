//! Canonical JSON of the Plan's types: what `serde_json::to_value(v)?.to_string()` prints (every object's keys in
//! sorted order, compact), written straight to bytes.
//!
//! The plan hash is taken over this form. Going through serde, even without building a `Value`, meant noting and
//! then reordering every member of every struct (their fields are declared in reading order, not key order): that
//! was most of the time of hashing a large plan. Here each type writes its members in key order directly. The
//! shapes follow the types' serde attributes; the tests compare this form with `to_value`'s for a plan that holds
//! every variant, so a field added to a type and not here fails them.

use std::collections::BTreeMap;
use std::io::Write as _;

use super::model::*;
use crate::stdlib::{Cloud, DryRun, Effect};
use crate::types::Type;

/// A Plan type that can write its canonical JSON.
pub(super) trait Canonical {
    fn write(&self, out: &mut Vec<u8>);
}

/// Appends the canonical JSON of `value` to `out`.
pub(super) fn write_canonical<T: Canonical + ?Sized>(value: &T, out: &mut Vec<u8>) {
    value.write(out);
}

/// An object being written: members must come in strictly increasing key order, as canonical JSON has them.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    last_key: Option<&'static str>,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, last_key: None }
    }

    fn member(&mut self, key: &'static str, value: &(impl Canonical + ?Sized)) -> &mut Self {
        if let Some(last) = self.last_key {
            debug_assert!(last < key, "`{key}` written after `{last}`: out of key order");
            self.out.push(b',');
        }
        self.last_key = Some(key);
        // Keys are identifiers, which JSON writes as they are.
        self.out.reserve(key.len() + 3);
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        value.write(self.out);
        self
    }

    fn end(&mut self) {
        self.out.push(b'}');
    }
}

/// A string as serde_json writes it; text with nothing to escape, nearly all of it, is copied as it is.
fn write_str(text: &str, out: &mut Vec<u8>) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        // serde_json's own escaping, so escaped text is byte for byte what it prints. Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
        return;
    }
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

/// A float as serde_json writes it.
fn write_float(value: f64, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, &value);
}

/// An integer; writing to a Vec cannot fail.
fn write_int(n: impl std::fmt::Display, out: &mut Vec<u8>) {
    let _ = write!(out, "{n}");
}

impl Canonical for str {
    fn write(&self, out: &mut Vec<u8>) {
        write_str(self, out);
    }
}

impl Canonical for String {
    fn write(&self, out: &mut Vec<u8>) {
        write_str(self, out);
    }
}

impl Canonical for bool {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

macro_rules! canonical_int {
    ($($int:ty),*) => {$(
        impl Canonical for $int {
            fn write(&self, out: &mut Vec<u8>) {
                write_int(self, out);
            }
        }
    )*};
}

canonical_int!(u32, u64, i64);

/// Unit enums print their serde names (snake case); the tests check every variant against serde.
macro_rules! canonical_unit_enum {
    ($($enum:ident { $($variant:ident => $name:literal),* })*) => {$(
        impl Canonical for $enum {
            fn write(&self, out: &mut Vec<u8>) {
                write_str(match self { $($enum::$variant => $name),* }, out);
            }
        }
    )*};
}

canonical_unit_enum! {
    NodeKind { Query => "query", Action => "action", Script => "script" }
    OnFailure { Abort => "abort", Continue => "continue", Rollback => "rollback" }
    EdgeKind { Data => "data", After => "after" }
    DryRun { Native => "native", Simulated => "simulated", Unsupported => "unsupported" }
}

impl Canonical for RiskLevel {
    fn write(&self, out: &mut Vec<u8>) {
        write_str(self.as_str(), out);
    }
}

impl Canonical for Effect {
    fn write(&self, out: &mut Vec<u8>) {
        write_str(self.as_str(), out);
    }
}

impl Canonical for Cloud {
    fn write(&self, out: &mut Vec<u8>) {
        write_str(self.name(), out);
    }
}

impl<T: Canonical> Canonical for Option<T> {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write(out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl<T: Canonical> Canonical for Box<T> {
    fn write(&self, out: &mut Vec<u8>) {
        (**self).write(out);
    }
}

impl<T: Canonical> Canonical for [T] {
    fn write(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.write(out);
        }
        out.push(b']');
    }
}

impl<T: Canonical> Canonical for Vec<T> {
    fn write(&self, out: &mut Vec<u8>) {
        self.as_slice().write(out);
    }
}

/// A map keyed by text: a `BTreeMap` iterates in the byte order of its keys, which is canonical JSON's order.
impl<T: Canonical> Canonical for BTreeMap<String, T> {
    fn write(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (key, value)) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(key, out);
            out.push(b':');
            value.write(out);
        }
        out.push(b'}');
    }
}

impl Canonical for PlanNode {
    fn write(&self, out: &mut Vec<u8>) {
        Object::new(out)
            .member("action", &self.action)
            .member("approval", &self.approval)
            .member("args", &self.args)
            .member("batch", &self.batch)
            .member("cloud", &self.cloud)
            .member("docs", &self.docs)
            .member("dry_run", &self.dry_run)
            .member("effect", &self.effect)
            .member("for_each", &self.for_each)
            .member("id", &self.id)
            .member("kind", &self.kind)
            .member("options", &self.options)
            .member("output", &self.output)
            .member("rate_class", &self.rate_class)
            .member("risk", &self.risk)
            .member("script", &self.script)
            .member("targets", &self.targets)
            .member("undo", &self.undo)
            .end();
    }
}

impl Canonical for ForEach {
    fn write(&self, out: &mut Vec<u8>) {
        Object::new(out).member("over", &self.over).member("var", &self.var).end();
    }
}

impl Canonical for ScriptBody {
    fn write(&self, out: &mut Vec<u8>) {
        Object::new(out).member("source", &self.source).end();
    }
}

impl Canonical for StepOptions {
    fn write(&self, out: &mut Vec<u8>) {
        Object::new(out)
            .member("approve", &self.approve)
            .member("concurrency", &self.concurrency)
            .member("irreversible", &self.irreversible)
            .member("max_errors", &self.max_errors)
            .member("max_targets", &self.max_targets)
            .member("on_failure", &self.on_failure)
            .member("retry", &self.retry)
            .member("timeout_ms", &self.timeout_ms)
            .member("when", &self.when)
            .end();
    }
}

impl Canonical for Risk {
    fn write(&self, out: &mut Vec<u8>) {
        Object::new(out)
            .member("blast_radius", &self.blast_radius)
            .member("clouds", &self.clouds)
            .member("level", &self.level)
            .member("production", &self.production)
            .member("reasons", &self.reasons)
            .member("regions", &self.regions)
            .end();
    }
}

/// Adjacently tagged: `{"count":n,"kind":"..."}`, or only the kind.
impl Canonical for BlastRadius {
    fn write(&self, out: &mut Vec<u8>) {
        let mut object = Object::new(out);
        match self {
            BlastRadius::None => object.member("kind", "none"),
            BlastRadius::Exact(count) => object.member("count", count).member("kind", "exact"),
            BlastRadius::AtMost(count) => object.member("count", count).member("kind", "at_most"),
            BlastRadius::Unbounded => object.member("kind", "unbounded"),
        }
        .end();
    }
}

impl Canonical for Approval {
    fn write(&self, out: &mut Vec<u8>) {
        Object::new(out)
            .member("irreversible", &self.irreversible)
            .member("reason", &self.reason)
            .member("role", &self.role)
            .end();
    }
}

impl Canonical for Edge {
    fn write(&self, out: &mut Vec<u8>) {
        Object::new(out).member("from", &self.from).member("kind", &self.kind).member("to", &self.to).end();
    }
}

impl Canonical for Schedule {
    fn write(&self, out: &mut Vec<u8>) {
        Object::new(out).member("cron", &self.cron).member("timezone", &self.timezone).end();
    }
}

/// Untagged: each value as the JSON it reads as.
impl Canonical for Value {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => b.write(out),
            Value::Int(n) => n.write(out),
            // serde_json's float form; a non-finite float is `null`, as in `to_value`.
            Value::Float(f) => write_float(*f, out),
            Value::String(text) => write_str(text, out),
            Value::Duration { duration_ms } => Object::new(out).member("duration_ms", duration_ms).end(),
            Value::List(items) => items.write(out),
            Value::Record(fields) => fields.write(out),
        }
    }
}

/// Internally tagged by `expr`, whose key sorts among the variant's fields.
impl Canonical for PlanExpr {
    fn write(&self, out: &mut Vec<u8>) {
        let mut object = Object::new(out);
        match self {
            PlanExpr::Value { value } => object.member("expr", "value").member("value", value),
            PlanExpr::Ref { node, path } => object.member("expr", "ref").member("node", node).member("path", path),
            PlanExpr::Var { name, path } => object.member("expr", "var").member("name", name).member("path", path),
            PlanExpr::Secret { name } => object.member("expr", "secret").member("name", name),
            PlanExpr::Field { base, field } => {
                object.member("base", base).member("expr", "field").member("field", field)
            }
            PlanExpr::List { items } => object.member("expr", "list").member("items", items),
            PlanExpr::Record { fields } => object.member("expr", "record").member("fields", fields),
            PlanExpr::Interpolate { parts } => object.member("expr", "interpolate").member("parts", parts),
            PlanExpr::Not { operand } => object.member("expr", "not").member("operand", operand),
            PlanExpr::Binary { op, left, right } => {
                object.member("expr", "binary").member("left", left).member("op", op).member("right", right)
            }
            PlanExpr::Call { function, args } => {
                object.member("args", args).member("expr", "call").member("function", function)
            }
            PlanExpr::Comprehension { elem, var, iter, cond } => object
                .member("cond", cond)
                .member("elem", elem)
                .member("expr", "comprehension")
                .member("iter", iter)
                .member("var", var),
        }
        .end();
    }
}

/// Adjacently tagged: `{"of":...,"type":"..."}`, or only the type for those that hold nothing.
impl Canonical for Type {
    fn write(&self, out: &mut Vec<u8>) {
        let (tag, of): (&str, Option<&dyn Canonical>) = match self {
            Type::String => ("string", None),
            Type::Int => ("int", None),
            Type::Float => ("float", None),
            Type::Bool => ("bool", None),
            Type::Duration => ("duration", None),
            Type::Datetime => ("datetime", None),
            Type::Never => ("never", None),
            Type::Any => ("any", None),
            Type::Error => ("error", None),
            Type::List(of) => ("list", Some(of)),
            Type::Map(of) => ("map", Some(of)),
            Type::Optional(of) => ("optional", Some(of)),
            Type::Secret(of) => ("secret", Some(of)),
            Type::Outcome(of) => ("outcome", Some(of)),
            Type::Record(fields) => ("record", Some(fields)),
            Type::Enum(name) => ("enum", Some(name)),
            Type::Resource(name) => ("resource", Some(name)),
            Type::Interface(name) => ("interface", Some(name)),
        };
        let mut object = Object::new(out);
        if let Some(of) = of {
            object.member("of", of);
        }
        object.member("type", tag).end();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    fn canonical<T: Canonical + ?Sized>(value: &T) -> String {
        let mut out = Vec::new();
        write_canonical(value, &mut out);
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    fn via_value<T: Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_value(value).expect("converts").to_string()
    }

    fn text(s: &str) -> String {
        s.to_string()
    }

    fn every_value() -> Vec<Value> {
        vec![
            Value::Null,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(-42),
            Value::Int(i64::MAX),
            Value::Float(0.5),
            Value::Float(-0.0),
            Value::Float(1e300),
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
            Value::String(text("a\"b\\c\n\t\u{1}\u{7f}é😀")),
            Value::String(String::new()),
            Value::Duration { duration_ms: 600_000 },
            Value::List(vec![Value::Int(1), Value::String(text("x"))]),
            Value::Record(BTreeMap::from([(text("zeta"), Value::Null), (text("Alpha"), Value::Bool(true))])),
        ]
    }

    fn every_expr() -> Vec<PlanExpr> {
        let leaf = || PlanExpr::Ref { node: text("vms"), path: vec![text("changed")] };
        vec![
            PlanExpr::value(Value::List(every_value())),
            leaf(),
            PlanExpr::Var { name: text("vm"), path: Vec::new() },
            PlanExpr::Secret { name: text("db") },
            PlanExpr::Field { base: Box::new(leaf()), field: text("id") },
            PlanExpr::List { items: vec![leaf(), PlanExpr::value(Value::Int(1))] },
            PlanExpr::Record { fields: BTreeMap::from([(text("b"), leaf()), (text("a"), leaf())]) },
            PlanExpr::Interpolate { parts: vec![PlanExpr::value(Value::String(text("x"))), leaf()] },
            PlanExpr::Not { operand: Box::new(leaf()) },
            PlanExpr::Binary { op: text("++"), left: Box::new(leaf()), right: Box::new(leaf()) },
            PlanExpr::Call { function: text("len"), args: vec![leaf()] },
            PlanExpr::Comprehension {
                elem: Box::new(leaf()),
                var: text("x"),
                iter: Box::new(leaf()),
                cond: Some(Box::new(leaf())),
            },
            PlanExpr::Comprehension { elem: Box::new(leaf()), var: text("x"), iter: Box::new(leaf()), cond: None },
        ]
    }

    fn every_type() -> Vec<Type> {
        let named = || Type::Resource(text("aws.ec2.Instance"));
        vec![
            Type::String,
            Type::Int,
            Type::Float,
            Type::Bool,
            Type::Duration,
            Type::Datetime,
            Type::List(Box::new(named())),
            Type::Map(Box::new(Type::String)),
            Type::Record(BTreeMap::from([(text("id"), Type::String), (text("count"), Type::Int)])),
            Type::Optional(Box::new(Type::Int)),
            Type::Secret(Box::new(Type::String)),
            Type::Enum(text("aws.region")),
            named(),
            Type::Interface(text("compute.Instance")),
            Type::Outcome(Box::new(named())),
            Type::Never,
            Type::Any,
            Type::Error,
        ]
    }

    /// A node with every optional part present.
    fn full_node() -> PlanNode {
        let exprs = every_expr();
        PlanNode {
            id: text("stop"),
            kind: NodeKind::Action,
            docs: text("Stop \"them\".\nAll of them."),
            action: text("aws.ec2.stop"),
            args: exprs.iter().enumerate().map(|(i, e)| (format!("arg{i}"), e.clone())).collect(),
            output: Type::Record(every_type().into_iter().enumerate().map(|(i, t)| (format!("f{i}"), t)).collect()),
            effect: Effect::Disrupt,
            cloud: Cloud::Aws,
            undo: Some(text("aws.ec2.start")),
            batch: Some(50),
            rate_class: text("ec2.mutating"),
            dry_run: DryRun::Native,
            targets: Some(text("instances")),
            for_each: Some(ForEach { var: text("vm"), over: exprs[1].clone() }),
            script: Some(ScriptBody { source: text("let x = 1;\n") }),
            options: StepOptions {
                when: Some(exprs[9].clone()),
                retry: 3,
                timeout_ms: Some(600_000),
                max_targets: Some(5),
                max_errors: Some(0),
                concurrency: Some(4),
                on_failure: OnFailure::Rollback,
                approve: Some(text("manager")),
                irreversible: true,
            },
            risk: Risk {
                level: RiskLevel::Critical,
                blast_radius: BlastRadius::AtMost(5),
                production: true,
                clouds: vec![Cloud::Aws, Cloud::Gcp],
                regions: vec![text("eu-west-1")],
                reasons: vec![text("disrupt: base level medium")],
            },
            approval: Some(Approval { role: text("manager"), irreversible: true, reason: text("risk is critical") }),
        }
    }

    #[test]
    fn every_plan_type_prints_as_the_value_form_does() {
        let full = full_node();
        assert_eq!(canonical(&full), via_value(&full));

        let bare = PlanNode {
            kind: NodeKind::Query,
            undo: None,
            batch: None,
            targets: None,
            for_each: None,
            script: None,
            options: StepOptions::default(),
            risk: Risk::unassessed(),
            approval: None,
            ..full_node()
        };
        assert_eq!(canonical(&bare), via_value(&bare));

        for value in every_value() {
            assert_eq!(canonical(&value), via_value(&value));
        }
        for expr in every_expr() {
            assert_eq!(canonical(&expr), via_value(&expr));
        }
        for ty in every_type() {
            assert_eq!(canonical(&ty), via_value(&ty));
        }
        for radius in [BlastRadius::None, BlastRadius::Exact(3), BlastRadius::AtMost(7), BlastRadius::Unbounded] {
            assert_eq!(canonical(&radius), via_value(&radius));
        }
        for kind in [NodeKind::Query, NodeKind::Action, NodeKind::Script] {
            assert_eq!(canonical(&kind), via_value(&kind));
        }
        for on_failure in [OnFailure::Abort, OnFailure::Continue, OnFailure::Rollback] {
            assert_eq!(canonical(&on_failure), via_value(&on_failure));
        }
        for kind in [EdgeKind::Data, EdgeKind::After] {
            assert_eq!(canonical(&kind), via_value(&kind));
        }
        for dry_run in [DryRun::Native, DryRun::Simulated, DryRun::Unsupported] {
            assert_eq!(canonical(&dry_run), via_value(&dry_run));
        }
        for level in [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High, RiskLevel::Critical] {
            assert_eq!(canonical(&level), via_value(&level));
        }
        for effect in [Effect::Read, Effect::Mutate, Effect::Disrupt, Effect::Destroy] {
            assert_eq!(canonical(&effect), via_value(&effect));
        }
        for cloud in [Cloud::Aws, Cloud::Azure, Cloud::Gcp, Cloud::Any, Cloud::None] {
            assert_eq!(canonical(&cloud), via_value(&cloud));
        }
        let edges = vec![
            Edge { from: text("a"), to: text("b"), kind: EdgeKind::Data },
            Edge { from: text("b"), to: text("c"), kind: EdgeKind::After },
        ];
        assert_eq!(canonical(&edges), via_value(&edges));
        let schedule = Some(Schedule { cron: text("0 20 * * *"), timezone: text("Europe/Paris") });
        assert_eq!(canonical(&schedule), via_value(&schedule));
    }
}
