//! A node's inputs at the moment it runs: its `when`, its arguments, its targets, and for a fan-out one set of
//! each per element of the list it fans out over.

use std::collections::BTreeMap;

use escher_compiler::plan::{PlanNode, Value};

use crate::eval::{evaluate, evaluate_args, evaluate_condition};
use crate::executor::run::context::RunContext;
use crate::provider::{Secret, resource_id};

/// One call's worth of inputs: the whole node, or one element of a fan-out.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Arguments without secrets and without the targets argument.
    pub args: BTreeMap<String, Value>,
    pub secrets: BTreeMap<String, Secret>,
    /// The resources to act on, for actions that declare targets.
    pub targets: Option<Vec<Value>>,
}

/// Whether the node's `when` holds (nodes without one always run).
pub(crate) fn condition_holds(ctx: &RunContext, node: &PlanNode) -> Result<bool, String> {
    match &node.options.when {
        None => Ok(true),
        Some(when) => ctx
            .with_scope(&BTreeMap::new(), |scope| evaluate_condition(when, scope))
            .map_err(|error| format!("its `when` could not be evaluated: {error}")),
    }
}

/// The node's items: one, or one per element of its fan-out list.
pub(crate) fn items(ctx: &RunContext, node: &PlanNode) -> Result<Vec<Item>, String> {
    let Some(for_each) = &node.for_each else {
        return Ok(vec![item(ctx, node, BTreeMap::new())?]);
    };
    let over = ctx
        .with_scope(&BTreeMap::new(), |scope| evaluate(&for_each.over, scope))
        .map_err(|error| format!("the list it fans out over could not be evaluated: {error}"))?;
    let Value::List(elements) = over else {
        return Err(format!("it fans out over {}, not a list", kind_of(&over)));
    };
    elements.into_iter().map(|element| item(ctx, node, BTreeMap::from([(for_each.var.clone(), element)]))).collect()
}

fn item(ctx: &RunContext, node: &PlanNode, vars: BTreeMap<String, Value>) -> Result<Item, String> {
    let (mut args, secrets) = ctx
        .with_scope(&vars, |scope| evaluate_args(&node.args, scope))
        .map_err(|error| format!("its arguments could not be evaluated: {error}"))?;
    let targets = match &node.targets {
        None => None,
        Some(param) => Some(target_list(param, args.remove(param))?),
    };
    Ok(Item { args, secrets, targets })
}

/// The targets argument as resource records, each with an id.
fn target_list(param: &str, value: Option<Value>) -> Result<Vec<Value>, String> {
    let targets = match value {
        Some(Value::List(targets)) => targets,
        Some(Value::Null) | None => Vec::new(),
        Some(other) => return Err(format!("its targets argument `{param}` is {}, not a list", kind_of(&other))),
    };
    if let Some(bad) = targets.iter().find(|target| resource_id(target).is_none()) {
        return Err(format!("its targets argument `{param}` holds {}, not a resource with an id", kind_of(bad)));
    }
    Ok(targets)
}

/// Every target of every item, in order.
pub(crate) fn all_targets(items: &[Item]) -> Vec<Value> {
    items.iter().flat_map(|item| item.targets.iter().flatten().cloned()).collect()
}

/// What kind of value this is, for messages that must not print a whole listing.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "none",
        Value::Bool(_) => "a bool",
        Value::Int(_) => "an int",
        Value::Float(_) => "a float",
        Value::String(_) => "a string",
        Value::Duration { .. } => "a duration",
        Value::List(_) => "a list",
        Value::Record(_) => "a record",
    }
}
