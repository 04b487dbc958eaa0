//! Asking for an approval before a step whose risk needs one. The request carries the live targets (the blast
//! radius as it is now, not as it was planned); the decision is journaled and audited; a decision for another
//! plan, step or role counts as a refusal. An approver with no decision yet suspends the run (audited as
//! `approval.pending`), and `resume` asks again.

use escher_compiler::plan::{Approval, PlanNode, Value};

use crate::approval::{Answer, ApprovalRequest, Decision, SELF_APPROVAL};
use crate::events::EventKind;
use crate::executor::run::context::{RunContext, now};
use crate::journal::JournalRecord;
use crate::provider::resource_id;

/// How asking ended.
pub(crate) enum Verdict {
    /// Approved: `by (role)`.
    Approved(String),
    Refused(String),
    Cancelled,
    /// No decision yet: the run suspends, waiting for approval.
    Suspended(String),
    /// The decision could not be recorded, so it cannot be acted on.
    Unrecorded(String),
}

pub(crate) async fn ask(ctx: &RunContext, node: &PlanNode, required: &Approval, targets: &[Value]) -> Verdict {
    let request = ApprovalRequest {
        run_id: ctx.run_id.clone(),
        playbook: ctx.plan.playbook.clone(),
        plan_hash: ctx.plan.hash.clone(),
        params: ctx.plan.params.clone(),
        ..ApprovalRequest::for_node(node, required, targets.to_vec())
    };
    // A decision recorded before a crash still binds this plan and step, if its approver says it holds for the
    // targets the step has now; otherwise the approver is asked, and answers for these targets.
    if let Some(decision) = ctx.resume.approval(&node.id)
        && decision.approved
        && valid(ctx, node, required, decision).is_ok()
        && ctx.shared.approver.recorded_holds(&request, decision).is_ok()
    {
        return Verdict::Approved(approval_text(ctx, decision));
    }
    ctx.events.emit(EventKind::ApprovalRequested {
        node: node.id.clone(),
        risk: node.risk.level,
        role: required.role.clone(),
        targets: targets.len(),
    });
    if ctx.shared.approver.files_request(&request) {
        let ids = targets.iter().filter_map(resource_id).map(str::to_string).collect();
        let result = format!("requested approval by {} ({})", required.role, node.risk.level.as_str());
        if let Err(error) = ctx.recorder.audit(ctx.audit_entry("approval.requested", Some(node), ids, result)).await {
            return Verdict::Unrecorded(error);
        }
    }
    let decision = match ctx.until_cancelled(ctx.shared.approver.answer(&request)).await {
        None => return Verdict::Cancelled,
        Some(Answer::Decided(decision)) => decision,
        Some(Answer::Pending { reason }) => return pending(ctx, node, targets, reason).await,
    };
    let refusal = match valid(ctx, node, required, &decision) {
        Err(mismatch) => Some(mismatch),
        Ok(()) if !decision.approved => {
            Some(decision.reason.clone().unwrap_or_else(|| format!("refused by {}", decision.by)))
        }
        Ok(()) => None,
    };
    let record = JournalRecord::ApprovalDecided { node: node.id.clone(), decision: decision.clone(), at: now() };
    let ids = targets.iter().filter_map(resource_id).map(str::to_string).collect();
    let result = match &refusal {
        Some(reason) => format!("refused: {reason}"),
        None => "approved".to_string(),
    };
    let mut entry = ctx.audit_entry("approval.decided", Some(node), ids, result);
    entry.who = decision.by.clone();
    entry.role = ctx.role(&decision.role);
    entry.approval = Some(approval_text(ctx, &decision));
    if let Err(error) = ctx.recorder.journal_and_audit(record, entry).await {
        return Verdict::Unrecorded(error);
    }
    ctx.events.emit(EventKind::ApprovalDecided {
        node: node.id.clone(),
        approved: refusal.is_none(),
        by: decision.by.clone(),
        role: decision.role.clone(),
        reason: refusal.clone().or(decision.reason.clone()),
    });
    match refusal {
        Some(reason) => Verdict::Refused(reason),
        None => Verdict::Approved(approval_text(ctx, &decision)),
    }
}

/// Records that the step waits for approval; the run then suspends.
async fn pending(ctx: &RunContext, node: &PlanNode, targets: &[Value], reason: String) -> Verdict {
    let ids = targets.iter().filter_map(resource_id).map(str::to_string).collect();
    let entry = ctx.audit_entry("approval.pending", Some(node), ids, format!("waiting: {reason}"));
    if let Err(error) = ctx.recorder.audit(entry).await {
        return Verdict::Unrecorded(error);
    }
    Verdict::Suspended(reason)
}

/// Who approved, as the audit log and the step's record say it: `bob (manager)` (`bob (ungoverned)` when the
/// policy giving the role is the runner's own), or for the runner's own approval what it rested on,
/// `alice (self: risk high is within --approve-up-to high)`.
fn approval_text(ctx: &RunContext, decision: &Decision) -> String {
    match (&decision.role, &decision.reason) {
        (role, Some(reason)) if role == SELF_APPROVAL => format!("{} ({role}: {reason})", decision.by),
        (role, _) => format!("{} ({})", decision.by, ctx.role(role)),
    }
}

/// A decision binds only the plan, step and role it was asked for (the runner's own, where no policy defines
/// roles, stands for any).
fn valid(ctx: &RunContext, node: &PlanNode, required: &Approval, decision: &Decision) -> Result<(), String> {
    if decision.plan_hash != ctx.plan.hash {
        return Err(format!(
            "the decision was given for plan {}, not this plan ({})",
            decision.plan_hash, ctx.plan.hash
        ));
    }
    if decision.node != node.id {
        return Err(format!("the decision was given for step `{}`, not `{}`", decision.node, node.id));
    }
    if decision.role != required.role && decision.role != SELF_APPROVAL {
        return Err(format!("the decision was given as {}, but the step needs {}", decision.role, required.role));
    }
    Ok(())
}
