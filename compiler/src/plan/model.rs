//! The Plan: what the runtime executes and what approvals bind to. Serializable, stable and hashed.
//!
//! Arguments are [`PlanExpr`]s: parameters are already substituted and constant parts folded, references to
//! other nodes' outputs stay symbolic. Secrets appear only by name.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::stdlib::{Cloud, DryRun, Effect};
use crate::types::Type;

/// The version of the Plan format; part of the hash.
pub const PLAN_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub playbook: String,
    pub docs: String,
    /// The parameters the plan was made with, defaults applied. Secrets are never parameters.
    pub params: BTreeMap<String, Value>,
    pub schedule: Option<Schedule>,
    /// Queries and steps, in a topological order of `edges` (ties broken by source order).
    pub nodes: Vec<PlanNode>,
    pub edges: Vec<Edge>,
    /// SHA-256 of the canonical JSON of everything above, lowercase hex.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub cron: String,
    pub timezone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A `let` bound to a query: reads, feeds steps.
    Query,
    /// A `step` that calls an action (or an imported playbook's step).
    Action,
    /// A `script` step in sandboxed rhai.
    Script,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanNode {
    /// Unique within the plan: the `let` or `step` name; steps of an imported playbook are prefixed `call.step`.
    pub id: String,
    pub kind: NodeKind,
    pub docs: String,
    /// The query or action called (`aws.ec2.stop`); `script` for scripts.
    pub action: String,
    pub args: BTreeMap<String, PlanExpr>,
    /// The output type, which later nodes read fields of.
    pub output: Type,
    pub effect: Effect,
    pub cloud: Cloud,
    pub undo: Option<String>,
    pub batch: Option<u32>,
    pub rate_class: String,
    pub dry_run: DryRun,
    /// The argument that carries the targets, if the action has targets.
    pub targets: Option<String>,
    pub for_each: Option<ForEach>,
    pub script: Option<ScriptBody>,
    pub options: StepOptions,
    pub risk: Risk,
    pub approval: Option<Approval>,
}

/// `for VAR in OVER: action(...)`: one call per element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForEach {
    pub var: String,
    pub over: PlanExpr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptBody {
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    #[default]
    Abort,
    Continue,
    Rollback,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StepOptions {
    pub when: Option<PlanExpr>,
    /// Retries after the first attempt.
    pub retry: u32,
    pub timeout_ms: Option<u64>,
    pub max_targets: Option<u64>,
    pub max_errors: Option<u64>,
    pub concurrency: Option<u32>,
    pub on_failure: OnFailure,
    /// The role the playbook asks to approve this step (`approve = manager`).
    pub approve: Option<String>,
    /// The author acknowledged the step is irreversible (`irreversible = true`).
    pub irreversible: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<RiskLevel> {
        match text.to_ascii_lowercase().as_str() {
            "low" => Some(RiskLevel::Low),
            "medium" => Some(RiskLevel::Medium),
            "high" => Some(RiskLevel::High),
            "critical" => Some(RiskLevel::Critical),
            _ => None,
        }
    }
}

/// How many resources a step may touch, as far as the compiler can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "count", rename_all = "snake_case")]
pub enum BlastRadius {
    /// No targets (reports, waits, notifications).
    None,
    /// Exactly this many: a literal list of targets.
    Exact(u64),
    /// At most this many: `max_targets`.
    AtMost(u64),
    /// Unknown until run time.
    Unbounded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    pub level: RiskLevel,
    pub blast_radius: BlastRadius,
    /// Whether the step touches resources tagged or labelled as production.
    pub production: bool,
    pub clouds: Vec<Cloud>,
    /// Regions named in the arguments, when they are known at plan time.
    pub regions: Vec<String>,
    /// Why the level is what it is, one short line per factor.
    pub reasons: Vec<String>,
}

impl Risk {
    /// A node's risk before the risk pass assesses it.
    pub fn unassessed() -> Risk {
        Risk {
            level: RiskLevel::Low,
            blast_radius: BlastRadius::None,
            production: false,
            clouds: Vec::new(),
            regions: Vec::new(),
            reasons: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The role whose member must approve.
    pub role: String,
    /// The step is irreversible and the approver must acknowledge that.
    pub irreversible: bool,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// `to` reads an output of `from`.
    Data,
    /// `to` was written `after (from)`.
    After,
}

/// A value known at plan time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Duration { duration_ms: u64 },
    List(Vec<Value>),
    Record(BTreeMap<String, Value>),
}

/// An argument or condition, evaluated by the runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "expr", rename_all = "snake_case")]
pub enum PlanExpr {
    /// Known at plan time.
    Value {
        value: Value,
    },
    /// The output of a plan node, optionally a field path into it: `stop_ec2.changed`.
    Ref {
        node: String,
        path: Vec<String>,
    },
    /// A variable bound by `for` (fan-out or comprehension), optionally a field path into it.
    Var {
        name: String,
        path: Vec<String>,
    },
    /// A secret, resolved by the runtime at the last moment and never printed.
    Secret {
        name: String,
    },
    /// A field of a computed value.
    Field {
        base: Box<PlanExpr>,
        field: String,
    },
    List {
        items: Vec<PlanExpr>,
    },
    Record {
        fields: BTreeMap<String, PlanExpr>,
    },
    /// A string with interpolations; parts are concatenated as text.
    Interpolate {
        parts: Vec<PlanExpr>,
    },
    Not {
        operand: Box<PlanExpr>,
    },
    Binary {
        op: String,
        left: Box<PlanExpr>,
        right: Box<PlanExpr>,
    },
    /// A built-in function evaluated at run time (`len`, `datetime`).
    Call {
        function: String,
        args: Vec<PlanExpr>,
    },
    /// `[elem for var in iter if cond]`
    Comprehension {
        elem: Box<PlanExpr>,
        var: String,
        iter: Box<PlanExpr>,
        cond: Option<Box<PlanExpr>>,
    },
}

impl PlanExpr {
    pub fn value(value: Value) -> Self {
        PlanExpr::Value { value }
    }

    /// The constant, if this expression is one.
    pub fn as_value(&self) -> Option<&Value> {
        match self {
            PlanExpr::Value { value } => Some(value),
            _ => None,
        }
    }

    /// Every plan node this expression reads.
    pub fn refs<'e>(&'e self, out: &mut Vec<&'e str>) {
        match self {
            PlanExpr::Ref { node, .. } => out.push(node),
            PlanExpr::Value { .. } | PlanExpr::Var { .. } | PlanExpr::Secret { .. } => {}
            PlanExpr::Field { base, .. } => base.refs(out),
            PlanExpr::List { items } | PlanExpr::Interpolate { parts: items } | PlanExpr::Call { args: items, .. } => {
                items.iter().for_each(|i| i.refs(out))
            }
            PlanExpr::Record { fields } => fields.values().for_each(|f| f.refs(out)),
            PlanExpr::Not { operand } => operand.refs(out),
            PlanExpr::Binary { left, right, .. } => {
                left.refs(out);
                right.refs(out);
            }
            PlanExpr::Comprehension { elem, iter, cond, .. } => {
                elem.refs(out);
                iter.refs(out);
                if let Some(cond) = cond {
                    cond.refs(out);
                }
            }
        }
    }
}

/// Where each plan node came from, for diagnostics of the later passes. Not part of the Plan or its hash.
#[derive(Debug, Clone, Default)]
pub struct PlanSources {
    /// By node id; only ever looked up, so hashed.
    pub nodes: HashMap<String, NodeSource>,
}

#[derive(Debug, Clone)]
pub struct NodeSource {
    pub file: crate::span::FileId,
    /// The whole `step` or `let`.
    pub span: crate::span::Span,
    /// The node's name in its declaration.
    pub name: crate::span::Span,
    /// The span of each option written, by option name (`max_targets`, `irreversible`, ...: one of
    /// [`STEP_OPTIONS`](crate::typecheck::STEP_OPTIONS)).
    pub options: BTreeMap<&'static str, crate::span::Span>,
    /// Where a fix can insert a new option: just inside the options' closing brace, or after the call when the
    /// step has no options block (then the fix writes ` { ... }`).
    pub options_insert_at: crate::span::Span,
    pub has_options_block: bool,
}
