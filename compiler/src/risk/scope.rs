//! What a step reaches, as far as the plan tells at compile time: how many resources, whether production,
//! which clouds and regions. Targets that come from other nodes (a query, another step's outcome) are traced
//! back to those nodes, whose arguments say where the resources live.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::{BlastRadius, NodeKind, PlanExpr, PlanNode, Value};
use crate::stdlib::Cloud;

const TAG_ARGS: [&str; 2] = ["tags", "labels"];
const ENV_KEYS: [&str; 3] = ["env", "environment", "stage"];
const PRODUCTION_VALUES: [&str; 3] = ["prod", "production", "prd"];
const REGION_ARGS: [&str; 5] = ["regions", "region", "zone", "location", "destination_region"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Scope {
    pub blast_radius: BlastRadius,
    /// The tag that marks production (`env=prod`), if any traced node filters on one.
    pub production: Option<String>,
    pub clouds: Vec<Cloud>,
    pub regions: Vec<String>,
}

/// The scope of `nodes[index]`; `by_id` maps node ids to their indices.
pub(super) fn scope_of(index: usize, nodes: &[PlanNode], by_id: &BTreeMap<&str, usize>) -> Scope {
    let node = &nodes[index];
    let traced = traced_nodes(index, nodes, by_id);
    let mut clouds = BTreeSet::new();
    let mut regions = BTreeSet::new();
    let mut production = None;
    for &i in &traced {
        clouds.extend(clouds_of(nodes[i].cloud));
        for (name, arg) in &nodes[i].args {
            if REGION_ARGS.contains(&name.as_str()) {
                regions.extend(constant_strings(arg));
            }
            if production.is_none() && TAG_ARGS.contains(&name.as_str()) {
                production = production_tag(arg);
            }
        }
    }
    Scope {
        blast_radius: blast_radius(node),
        production,
        clouds: clouds.into_iter().collect(),
        regions: regions.into_iter().collect(),
    }
}

/// The node itself and every node its targets come from, transitively: a query contributes all of its
/// arguments (they filter what it lists), a step only its targets and fan-out list.
fn traced_nodes(index: usize, nodes: &[PlanNode], by_id: &BTreeMap<&str, usize>) -> BTreeSet<usize> {
    let mut traced = BTreeSet::from([index]);
    let mut pending = vec![index];
    while let Some(i) = pending.pop() {
        let mut refs = Vec::new();
        for expr in target_exprs(&nodes[i], i == index) {
            expr.refs(&mut refs);
        }
        for id in refs {
            if let Some(&j) = by_id.get(id.as_str())
                && traced.insert(j)
            {
                pending.push(j);
            }
        }
    }
    traced
}

fn target_exprs(node: &PlanNode, is_origin: bool) -> Vec<&PlanExpr> {
    if node.kind == NodeKind::Query && !is_origin {
        return node.args.values().collect();
    }
    let targets = node.targets.as_ref().and_then(|name| node.args.get(name));
    // Without targets there is nothing to trace: the step touches no resources.
    let over = targets.and(node.for_each.as_ref()).map(|each| &each.over);
    targets.into_iter().chain(over).collect()
}

/// Exact for a literal list (times the fan-out's literal list), at most `max_targets`, otherwise unbounded.
fn blast_radius(node: &PlanNode) -> BlastRadius {
    let Some(targets) = &node.targets else {
        return BlastRadius::None;
    };
    let per_call = node.args.get(targets).and_then(literal_len);
    let calls = match &node.for_each {
        None => Some(1),
        Some(each) => literal_len(&each.over),
    };
    match (per_call, calls) {
        (Some(per_call), Some(calls)) => BlastRadius::Exact(per_call.saturating_mul(calls)),
        _ => node.options.max_targets.map_or(BlastRadius::Unbounded, BlastRadius::AtMost),
    }
}

fn literal_len(expr: &PlanExpr) -> Option<u64> {
    match expr {
        PlanExpr::List { items } => Some(items.len() as u64),
        PlanExpr::Value { value: Value::List(items) } => Some(items.len() as u64),
        _ => None,
    }
}

fn clouds_of(cloud: Cloud) -> Vec<Cloud> {
    match cloud {
        Cloud::Aws | Cloud::Azure | Cloud::Gcp => vec![cloud],
        // A cloud-agnostic call may dispatch to any of them.
        Cloud::Any => Cloud::ALL.to_vec(),
        Cloud::None => Vec::new(),
    }
}

/// The constant strings of a region-like argument: one string or a list of them.
fn constant_strings(expr: &PlanExpr) -> Vec<String> {
    match expr {
        PlanExpr::Value { value } => value_strings(value),
        PlanExpr::List { items } => items.iter().filter_map(PlanExpr::as_value).flat_map(value_strings).collect(),
        _ => Vec::new(),
    }
}

fn value_strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::List(items) => items.iter().flat_map(value_strings).collect(),
        _ => Vec::new(),
    }
}

/// `env=prod` if a tags or labels record says production in a key and value known at plan time.
fn production_tag(expr: &PlanExpr) -> Option<String> {
    let pairs: Vec<(&String, &Value)> = match expr {
        PlanExpr::Value { value: Value::Record(fields) } => fields.iter().collect(),
        PlanExpr::Record { fields } => {
            fields.iter().filter_map(|(key, value)| Some((key, value.as_value()?))).collect()
        }
        _ => Vec::new(),
    };
    pairs.into_iter().find_map(|(key, value)| {
        let Value::String(text) = value else {
            return None;
        };
        let is_env = ENV_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
        let is_production = PRODUCTION_VALUES.iter().any(|p| p.eq_ignore_ascii_case(text));
        (is_env && is_production).then(|| format!("{key}={text}"))
    })
}
