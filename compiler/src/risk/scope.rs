//! What a step reaches, as far as the plan tells at compile time: how many resources, whether production,
//! which clouds and regions. Targets that come from other nodes (a query, another step's outcome) are traced
//! back to those nodes, whose arguments say where the resources live.

use std::collections::{BTreeSet, HashMap};

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
pub(super) fn scope_of(index: usize, nodes: &[PlanNode], by_id: &HashMap<&str, usize>) -> Scope {
    let node = &nodes[index];
    let mut clouds = Vec::new();
    let mut regions = Vec::new();
    let mut production = None;
    for i in traced_nodes(index, nodes, by_id) {
        clouds.extend_from_slice(clouds_of(nodes[i].cloud));
        for (name, arg) in &nodes[i].args {
            if REGION_ARGS.contains(&name.as_str()) {
                constant_strings(arg, &mut regions);
            }
            if production.is_none() && TAG_ARGS.contains(&name.as_str()) {
                production = production_tag(arg);
            }
        }
    }
    // Each once, in order.
    clouds.sort_unstable();
    clouds.dedup();
    regions.sort_unstable();
    regions.dedup();
    Scope {
        blast_radius: blast_radius(node),
        production,
        clouds,
        regions: regions.into_iter().map(str::to_string).collect(),
    }
}

/// The node itself and every node its targets come from, transitively: a query contributes all of its
/// arguments (they filter what it lists), a step only its targets and fan-out list.
fn traced_nodes(index: usize, nodes: &[PlanNode], by_id: &HashMap<&str, usize>) -> BTreeSet<usize> {
    let mut traced = BTreeSet::from([index]);
    let mut pending = vec![index];
    let mut refs = Vec::new();
    while let Some(i) = pending.pop() {
        refs.clear();
        target_refs(&nodes[i], i == index, &mut refs);
        for id in &refs {
            if let Some(&j) = by_id.get(id)
                && traced.insert(j)
            {
                pending.push(j);
            }
        }
    }
    traced
}

/// The nodes read by what a node's resources come from: a traced query's arguments, or a step's targets and
/// fan-out list.
fn target_refs<'n>(node: &'n PlanNode, is_origin: bool, refs: &mut Vec<&'n str>) {
    if node.kind == NodeKind::Query && !is_origin {
        node.args.values().for_each(|arg| arg.refs(refs));
        return;
    }
    // Without targets there is nothing to trace: the step touches no resources.
    let Some(targets) = node.targets.as_ref().and_then(|name| node.args.get(name)) else {
        return;
    };
    targets.refs(refs);
    if let Some(each) = &node.for_each {
        each.over.refs(refs);
    }
}

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

fn clouds_of(cloud: Cloud) -> &'static [Cloud] {
    match cloud {
        Cloud::Aws => &[Cloud::Aws],
        Cloud::Azure => &[Cloud::Azure],
        Cloud::Gcp => &[Cloud::Gcp],
        // A cloud-agnostic call may dispatch to any of them.
        Cloud::Any => &Cloud::ALL,
        Cloud::None => &[],
    }
}

/// The constant strings of a region-like argument: one string or a list of them.
fn constant_strings<'e>(expr: &'e PlanExpr, out: &mut Vec<&'e str>) {
    match expr {
        PlanExpr::Value { value } => value_strings(value, out),
        PlanExpr::List { items } => items.iter().filter_map(PlanExpr::as_value).for_each(|v| value_strings(v, out)),
        _ => {}
    }
}

fn value_strings<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(text) => out.push(text),
        Value::List(items) => items.iter().for_each(|item| value_strings(item, out)),
        _ => {}
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
