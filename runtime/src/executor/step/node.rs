//! Running one node, from its `when` to its result: queries, scripts, core actions and provider actions, with
//! `max_targets` checked against the live targets before anything is called and approvals asked before any
//! step that needs one.

use std::collections::BTreeMap;
use std::sync::Arc;

use escher_compiler::plan::{NodeKind, PlanNode, Value};
use escher_compiler::stdlib::{DryRun, Effect};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::approval::{Verdict, ask};
use super::core_actions;
use super::prepare::{Item, all_targets, condition_holds, items};
use super::result::{NodeResult, outcome_record};
use crate::events::{EventKind, StepStatus};
use crate::executor::provider_calls::batches::batches;
use crate::executor::provider_calls::call::{BatchRun, call_batch};
use crate::executor::provider_calls::merge::{merge_targets, merge_values};
use crate::executor::run::context::RunContext;
use crate::provider::resource_id;
use crate::script::{ScriptLimits, run_script};

/// Runs `node` and returns how it ended, with its duration.
pub(crate) async fn run_node(ctx: Arc<RunContext>, node: Arc<PlanNode>) -> NodeResult {
    let started = Instant::now();
    // Released just as the run was cancelled: it does not start.
    if ctx.cancel.is_cancelled() {
        return NodeResult::skipped(&node, crate::scheduler::CANCELLED);
    }
    let mut result = match condition_holds(&ctx, &node) {
        Ok(true) => run_body(&ctx, &node).await,
        Ok(false) => NodeResult::skipped(&node, "its `when` condition was false"),
        Err(error) => NodeResult::failed(&node, error),
    };
    // A step's time is its own work: the time a person took to approve it is not the step's.
    let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    result.duration_ms = elapsed.saturating_sub(result.waited_ms);
    result
}

async fn run_body(ctx: &Arc<RunContext>, node: &Arc<PlanNode>) -> NodeResult {
    let items = match items(ctx, node) {
        Ok(items) => items,
        Err(error) => return NodeResult::failed(node, error),
    };
    match node.kind {
        NodeKind::Script => script(ctx, node, items).await,
        NodeKind::Query => provider_calls(ctx, node, items, None).await,
        NodeKind::Action => action(ctx, node, items).await,
    }
}

async fn action(ctx: &Arc<RunContext>, node: &Arc<PlanNode>, items: Vec<Item>) -> NodeResult {
    let targets = all_targets(&items);
    if let Some(max) = node.options.max_targets
        && targets.len() as u64 > max
    {
        let error =
            format!("it would act on {} targets, more than its max_targets = {max}; nothing was called", targets.len());
        let output = outcome_record(targets, Vec::new(), Vec::new(), Vec::new(), Vec::new());
        return NodeResult::new(StepStatus::Failed, output).with_error(Some(error));
    }
    if let Some(refused) = guarded(ctx, node, &targets).await {
        return refused;
    }
    let acts_on_nothing = node.targets.is_some() && targets.is_empty();
    let mut approval = None;
    let mut waited_ms = 0;
    // A dry run acts on nothing, so it asks no one; a step with no targets left has nothing to approve.
    if let Some(required) = &node.approval
        && !ctx.dry_run
        && !acts_on_nothing
    {
        let asking = Instant::now();
        let verdict = ask(ctx, node, required, &targets).await;
        waited_ms = u64::try_from(asking.elapsed().as_millis()).unwrap_or(u64::MAX);
        let waited = |result: NodeResult| NodeResult { waited_ms, ..result };
        match verdict {
            Verdict::Approved(by) => approval = Some(by),
            Verdict::Refused(reason) => {
                let result = NodeResult::new(StepStatus::Refused, super::result::empty_output(node));
                return waited(result.with_error(Some(format!("approval refused: {reason}"))));
            }
            Verdict::Cancelled => {
                let result = NodeResult::new(StepStatus::Cancelled, super::result::empty_output(node));
                return waited(result.with_error(Some("the run was cancelled while waiting for approval".into())));
            }
            Verdict::Suspended(reason) => {
                // No new step starts; running ones finish; the run ends waiting for approval, resumable.
                ctx.suspended.store(true, std::sync::atomic::Ordering::SeqCst);
                ctx.cancel.cancel();
                let result = NodeResult::new(StepStatus::Cancelled, super::result::empty_output(node));
                return waited(result.with_error(Some(format!("{}: {reason}", crate::report::WAITING_FOR_APPROVAL))));
            }
            Verdict::Unrecorded(error) => return waited(NodeResult::failed(node, error)),
        }
    }
    ctx.events.emit(EventKind::StepStarted { node: node.id.clone(), attempt: 1, targets: targets.len() });
    let mut result = if core_actions::is_core(&node.action) {
        core(ctx, node, items).await
    } else if ctx.dry_run && node.effect != Effect::Read && node.dry_run == DryRun::Unsupported {
        not_simulated(node, targets)
    } else {
        provider_calls(ctx, node, items, Some(targets)).await
    };
    result.approval = approval;
    result.waited_ms = waited_ms;
    result
}

/// The host's guard on a mutating step's live targets: a refusal is audited and the step fails unrun.
async fn guarded(ctx: &Arc<RunContext>, node: &Arc<PlanNode>, targets: &[Value]) -> Option<NodeResult> {
    let guard = ctx.shared.guard.as_ref()?;
    if node.effect == Effect::Read {
        return None;
    }
    let reason = guard.check(node, targets).err()?;
    let ids = targets.iter().filter_map(resource_id).map(str::to_string).collect();
    let entry = ctx.audit_entry("guard.refused", Some(node), ids, format!("refused: {reason}"));
    if let Err(error) = ctx.recorder.audit(entry).await {
        return Some(NodeResult::failed(node, error));
    }
    let result = NodeResult::new(StepStatus::Refused, super::result::empty_output(node));
    Some(result.with_error(Some(format!("refused by policy: {reason}"))))
}

/// A dry run of an action that cannot be simulated: nothing is called, and the step says so.
fn not_simulated(node: &PlanNode, targets: Vec<Value>) -> NodeResult {
    let reason = format!("`{}` cannot be simulated; a real run would act on these targets", node.action);
    let error = Some(format!("not simulated: `{}` has no dry run", node.action));
    if node.targets.is_none() {
        return NodeResult::new(StepStatus::NotSimulated, Value::Null).with_error(error);
    }
    let pending = targets.iter().map(|t| (resource_id(t).unwrap_or_default().to_string(), reason.clone())).collect();
    let output = outcome_record(targets, Vec::new(), Vec::new(), Vec::new(), pending);
    NodeResult::new(StepStatus::NotSimulated, output).with_error(error)
}

/// A query or a provider action: its batches, called at most `concurrency` at a time, merged.
async fn provider_calls(
    ctx: &Arc<RunContext>,
    node: &Arc<PlanNode>,
    items: Vec<Item>,
    targets: Option<Vec<Value>>,
) -> NodeResult {
    if node.kind == NodeKind::Query {
        ctx.events.emit(EventKind::StepStarted { node: node.id.clone(), attempt: 1, targets: 0 });
    }
    let over_targets = node.targets.is_some();
    let batches = match batches(ctx, node, items) {
        Ok(batches) => batches,
        Err(error) => return NodeResult::failed(node, error),
    };
    let joined = node.kind == NodeKind::Query && batches.len() > 1;
    let total = batches.len();
    let step = Arc::new(Semaphore::new(ctx.step_concurrency(node)));
    let mut running = JoinSet::new();
    for batch in batches {
        let (ctx, node, step) = (ctx.clone(), node.clone(), step.clone());
        running.spawn(async move {
            let run = call_batch(&ctx, &node, &step, &batch).await;
            (batch.index, batch.call.targets, run)
        });
    }
    let mut runs: Vec<(usize, Vec<Value>, BatchRun)> = Vec::with_capacity(total);
    while let Some(joined) = running.join_next().await {
        match joined {
            Ok(run) => runs.push(run),
            Err(error) => return NodeResult::failed(node, format!("a call's task ended abnormally: {error}")),
        }
        if total > 1 {
            ctx.events.emit(EventKind::StepProgress { node: node.id.clone(), done: runs.len(), total });
        }
    }
    runs.sort_by_key(|(index, _, _)| *index);
    match (over_targets, targets) {
        (true, Some(targets)) => {
            merge_targets(node, targets, runs.into_iter().map(|(_, targets, run)| (targets, run)).collect())
        }
        _ => merge_values(node, runs.into_iter().map(|(_, _, run)| run).collect(), joined),
    }
}

/// A core action, once per item, at most `concurrency` at a time.
async fn core(ctx: &Arc<RunContext>, node: &Arc<PlanNode>, items: Vec<Item>) -> NodeResult {
    let fan_out = node.for_each.is_some();
    let step = Arc::new(Semaphore::new(ctx.step_concurrency(node)));
    let mut running = JoinSet::new();
    for (index, item) in items.into_iter().enumerate() {
        let (ctx, node, step) = (ctx.clone(), node.clone(), step.clone());
        running.spawn(async move {
            let _permit = step.acquire_owned().await;
            (index, core_actions::perform(&ctx, &node, &item.args, &item.secrets).await)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = running.join_next().await {
        match joined {
            Ok(result) => results.push(result),
            Err(error) => return NodeResult::failed(node, format!("a call's task ended abnormally: {error}")),
        }
    }
    results.sort_by_key(|(index, _)| *index);
    if !fan_out {
        return results.pop().map(|(_, result)| result).unwrap_or_else(|| NodeResult::failed(node, "nothing ran"));
    }
    if let Some((_, failed)) = results.iter().find(|(_, result)| result.status != StepStatus::Succeeded) {
        return NodeResult::new(failed.status, Value::Null).with_error(failed.error.clone());
    }
    NodeResult::new(StepStatus::Succeeded, Value::List(results.into_iter().map(|(_, r)| r.output).collect()))
}

/// A script, on a blocking thread, within the run's bound, its operation limit and its timeout.
async fn script(ctx: &Arc<RunContext>, node: &Arc<PlanNode>, items: Vec<Item>) -> NodeResult {
    let Some(body) = &node.script else {
        return NodeResult::failed(node, "the script step has no body");
    };
    let Some(item) = items.into_iter().next() else {
        return NodeResult::failed(node, "the script step has no inputs");
    };
    if !item.secrets.is_empty() {
        return NodeResult::failed(node, "secrets cannot be given to a script");
    }
    ctx.events.emit(EventKind::StepStarted { node: node.id.clone(), attempt: 1, targets: 0 });
    let Some(_permit) = ctx.admit_unlimited().await else {
        let result = NodeResult::new(StepStatus::Cancelled, Value::Null);
        return result.with_error(Some("the run was cancelled before the script ran".into()));
    };
    let limits = ScriptLimits { max_operations: ctx.shared.limits.script_operations, timeout: ctx.timeout(node) };
    let (source, output_type, inputs): (String, _, BTreeMap<String, Value>) =
        (body.source.clone(), node.output.clone(), item.args);
    let ran = tokio::task::spawn_blocking(move || run_script(&source, &inputs, &output_type, &limits)).await;
    match ran {
        Ok(Ok(output)) => NodeResult::new(StepStatus::Succeeded, output),
        Ok(Err(error)) => NodeResult::failed(node, error.to_string()),
        Err(error) => NodeResult::failed(node, format!("the script's thread ended abnormally: {error}")),
    }
}
