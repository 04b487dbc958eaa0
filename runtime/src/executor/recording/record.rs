//! What is recorded when a node ends: the journal record (before the run loop releases anything that depends on
//! it), the audit entry of a step, and the event.

use escher_compiler::plan::{NodeKind, PlanNode};

use crate::events::{EventKind, StepStatus};
use crate::executor::run::context::{RunContext, now};
use crate::executor::step::result::NodeResult;
use crate::journal::JournalRecord;

/// Records how `node` ended. An error means the journal could not take it (the run is being stopped).
pub(crate) async fn record_result(ctx: &RunContext, node: &PlanNode, result: &NodeResult) -> Result<(), String> {
    if let Some(reason) = &result.skipped {
        return record_skip(ctx, node, reason).await;
    }
    let record = JournalRecord::StepFinished {
        node: node.id.clone(),
        status: result.status,
        output: result.output.clone(),
        error: result.error.clone(),
        at: now(),
    };
    if node.kind == NodeKind::Query {
        ctx.recorder.journal(record).await?;
    } else {
        let mut entry =
            ctx.audit_entry("step.finished", Some(node), result.ids("targets"), audit_result(result, ctx.dry_run));
        entry.approval = result.approval.clone();
        ctx.recorder.journal_and_audit(record, entry).await?;
    }
    ctx.events.emit(finished_event(&node.id, result.status, result));
    Ok(())
}

/// Records that `node` will not run.
pub(crate) async fn record_skip(ctx: &RunContext, node: &PlanNode, reason: &str) -> Result<(), String> {
    let record = JournalRecord::StepSkipped { node: node.id.clone(), reason: reason.to_string(), at: now() };
    ctx.recorder.journal(record).await?;
    ctx.events.emit(EventKind::StepSkipped { node: node.id.clone(), reason: reason.to_string() });
    Ok(())
}

/// Records that a completed step's undo ran.
pub(crate) async fn record_rollback(
    ctx: &RunContext,
    step: &PlanNode,
    undo: &PlanNode,
    result: &NodeResult,
) -> Result<(), String> {
    let rolled_back = result.status == StepStatus::Succeeded;
    let outcome = if rolled_back { "rolled back".to_string() } else { audit_result(result, ctx.dry_run) };
    let entry =
        ctx.audit_entry("step.rolled_back", Some(step), result.ids("changed"), format!("{}: {outcome}", undo.action));
    if rolled_back {
        let record = JournalRecord::RolledBack {
            node: step.id.clone(),
            undo: undo.action.clone(),
            output: result.output.clone(),
            at: now(),
        };
        ctx.recorder.journal_and_audit(record, entry).await?;
    } else {
        ctx.recorder.audit(entry).await?;
    }
    let status = if rolled_back { StepStatus::RolledBack } else { StepStatus::Failed };
    ctx.events.emit(finished_event(&step.id, status, result));
    Ok(())
}

fn finished_event(node: &str, status: StepStatus, result: &NodeResult) -> EventKind {
    EventKind::StepFinished {
        node: node.to_string(),
        status,
        changed: result.ids("changed").len(),
        unchanged: result.ids("unchanged").len(),
        failed: result.failures().len(),
        duration_ms: result.duration_ms,
        error: result.error.clone(),
    }
}

/// `succeeded: 3 changed, 1 unchanged, 0 failed` (in a dry run `3 would change`), or the status and its error.
fn audit_result(result: &NodeResult, dry_run: bool) -> String {
    let status = serde_json::to_value(result.status)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default();
    match &result.error {
        Some(error) => format!("{status}: {error}"),
        None => format!(
            "{status}: {} {}{}, {} unchanged, {} failed",
            result.ids("changed").len(),
            if dry_run { "would change" } else { "changed" },
            match result.resolved.len() {
                0 => String::new(),
                resolved => format!(" ({resolved} of them resolved on resume)"),
            },
            result.ids("unchanged").len(),
            result.failures().len()
        ),
    }
}
