//! Compensation on `on_failure = rollback`: a completed step's declared undo action (`aws.ec2.start` for
//! `aws.ec2.stop`), run over the resources the step changed, as a node of its own named `STEP#undo`.

use std::collections::BTreeMap;

use escher_compiler::plan::{ForEach, PlanExpr, PlanNode, StepOptions, Value};
use escher_compiler::stdlib::catalog;

/// The node that undoes `step`, given the step's output; `None` when the step changed nothing.
pub(crate) fn undo_node(step: &PlanNode, output: &Value) -> Result<Option<PlanNode>, String> {
    let Some(undo) = &step.undo else {
        return Ok(None);
    };
    let changed = match output {
        Value::Record(fields) => match fields.get("changed") {
            Some(Value::List(changed)) if !changed.is_empty() => changed.clone(),
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    let action =
        catalog().callables.get(undo).ok_or_else(|| format!("the undo action `{undo}` is not in the stdlib"))?;
    let targets = action.targets.clone().ok_or_else(|| format!("the undo action `{undo}` declares no targets"))?;
    let mut args: BTreeMap<String, PlanExpr> = BTreeMap::new();
    args.insert(targets.clone(), PlanExpr::value(Value::List(changed)));
    for param in &action.params {
        if let Some(default) = &param.default {
            args.entry(param.name.clone()).or_insert_with(|| PlanExpr::value(default.clone()));
        }
    }
    Ok(Some(PlanNode {
        id: undo_id(&step.id),
        kind: escher_compiler::plan::NodeKind::Action,
        docs: format!("Undoes `{}`.", step.id),
        action: action.name.clone(),
        args,
        output: action.returns.clone(),
        effect: action.effect,
        cloud: action.cloud,
        undo: None,
        batch: action.batch,
        rate_class: action.rate_class.clone(),
        dry_run: action.dry_run,
        targets: Some(targets),
        for_each: None::<ForEach>,
        script: None,
        options: StepOptions {
            retry: step.options.retry,
            timeout_ms: step.options.timeout_ms,
            ..StepOptions::default()
        },
        risk: step.risk.clone(),
        approval: None,
    }))
}

/// The node id an undo runs under: `#` cannot appear in a plan node's id, so it never collides with one.
pub(crate) fn undo_id(step: &str) -> String {
    format!("{step}#undo")
}
