//! The run report: every node of the plan, in plan order, with how it ended.

use std::sync::Arc;

use escher_compiler::plan::PlanNode;

use crate::events::{RunStatus, StepStatus};
use crate::executor::step::result::NodeResult;
use crate::report::{RunReport, StepReport};

pub(crate) struct ReportInput<'a> {
    pub run_id: &'a str,
    pub playbook: &'a str,
    pub plan_hash: &'a str,
    pub nodes: &'a [Arc<PlanNode>],
    pub dry_run: bool,
    pub status: RunStatus,
    pub results: Vec<Option<NodeResult>>,
    pub started_at: String,
    pub finished_at: String,
}

pub(crate) fn build(input: ReportInput<'_>) -> RunReport {
    let steps = input
        .nodes
        .iter()
        .zip(input.results)
        .map(|(node, result)| {
            let mut result = result.unwrap_or_else(|| NodeResult::skipped(node, "it was not run"));
            let targets = result.take_target_report(&node.action);
            StepReport {
                node: node.id.clone(),
                action: node.action.clone(),
                status: result.status,
                changed: targets.changed,
                resolved_on_resume: result.resolved.clone(),
                unchanged: targets.unchanged,
                failed: targets.failed,
                changes: targets.changes,
                attempts: result.attempts,
                duration_ms: result.duration_ms,
                error: result.error.or(result.skipped.filter(|_| result.status == StepStatus::Skipped)),
                output: result.output,
            }
        })
        .collect();
    RunReport {
        run_id: input.run_id.to_string(),
        playbook: input.playbook.to_string(),
        plan_hash: input.plan_hash.to_string(),
        dry_run: input.dry_run,
        status: input.status,
        steps,
        started_at: input.started_at,
        finished_at: input.finished_at,
    }
}
