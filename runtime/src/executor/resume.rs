//! What a resumed run takes from its journal: the plan (checked against its hash), the results of nodes that
//! finished (they never run again), the order they finished in (so a rollback undoes newest first), batches
//! that finished or are in doubt, and approvals given.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use escher_compiler::plan::{Plan, Value, plan_hash};

use super::error::RuntimeError;
use super::step::result::NodeResult;
use crate::approval::{ApprovalRequest, Approver, Decision};
use crate::events::StepStatus;
use crate::journal::{JournalRecord, read_run};
use crate::provider::TargetResult;

/// Batch-level memory of an earlier session, asked by every call.
#[derive(Debug, Default)]
pub(crate) struct ResumeState {
    batches: HashMap<(String, usize), Vec<TargetResult>>,
    in_doubt: HashSet<(String, usize)>,
    before: HashMap<(String, usize), Vec<Value>>,
    approvals: BTreeMap<String, Decision>,
}

impl ResumeState {
    /// The recorded results of a batch that finished in an earlier session.
    pub fn finished_batch(&self, node: &str, batch: usize) -> Option<Vec<TargetResult>> {
        self.batches.get(&(node.to_string(), batch)).cloned()
    }

    /// Whether a batch started in an earlier session and was never seen to finish.
    pub fn is_in_doubt(&self, node: &str, batch: usize) -> bool {
        self.in_doubt.contains(&(node.to_string(), batch))
    }

    /// A batch's targets as the plan saw them before its first call, if the journal recorded them.
    pub fn before(&self, node: &str, batch: usize) -> &[Value] {
        self.before.get(&(node.to_string(), batch)).map_or(&[], Vec::as_slice)
    }

    pub fn approval(&self, node: &str) -> Option<&Decision> {
        self.approvals.get(node)
    }
}

/// Node-level memory of an earlier session, used by the run loop.
#[derive(Debug, Default)]
pub(crate) struct Restored {
    /// Results of nodes that finished or were skipped, by plan index.
    pub results: HashMap<usize, NodeResult>,
    /// Where each restored node's last record sits in the journal: finishes are replayed in this order.
    pub rank: HashMap<usize, usize>,
    /// Nodes whose undo already ran.
    pub rolled_back: HashSet<usize>,
}

pub(crate) struct Resumed {
    pub plan: Plan,
    pub dry_run: bool,
    pub state: ResumeState,
    pub restored: Restored,
}

/// Reads a run's journal for resuming, refusing a finished run and a plan that is not the one its hash names.
pub(crate) fn load(state_dir: &Path, run_id: &str) -> Result<Resumed, RuntimeError> {
    let (state, records) = read_run(state_dir, run_id)?;
    // A cancelled or suspended run stopped on purpose with work left; it goes on from where it stopped.
    if let Some(status) = state.finished_with.filter(|s| !s.is_resumable()) {
        return Err(RuntimeError::AlreadyFinished { run_id: run_id.to_string(), status });
    }
    let plan = state.plan.ok_or_else(|| RuntimeError::NothingToResume(run_id.to_string()))?;
    let found = plan_hash(&plan);
    if found != plan.hash {
        return Err(RuntimeError::PlanHash { recorded: plan.hash.clone(), found });
    }
    let index: HashMap<&str, usize> = plan.nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), i)).collect();
    let mut restored = Restored::default();
    for (position, record) in records.iter().enumerate() {
        if let JournalRecord::StepFinished { node, .. } | JournalRecord::StepSkipped { node, .. } = record
            && let Some(&i) = index.get(node.as_str())
        {
            restored.rank.insert(i, position);
        }
    }
    for (i, node) in plan.nodes.iter().enumerate() {
        // Steps a cancellation stopped or never started run now; their finished batches are not called again.
        if let Some((status, output)) = state.finished.get(&node.id).filter(|(s, _)| *s != StepStatus::Cancelled) {
            restored.results.insert(i, NodeResult::new(*status, output.clone()));
        } else if let Some(reason) = state.skipped.get(&node.id).filter(|r| r.as_str() != crate::scheduler::CANCELLED) {
            restored.results.insert(i, NodeResult::skipped(node, reason.clone()));
        }
        if state.rolled_back.contains_key(&node.id) {
            restored.rolled_back.insert(i);
        }
    }
    let resume = ResumeState {
        batches: state.batches.into_iter().collect(),
        in_doubt: state.in_doubt.into_iter().map(|(node, batch, _)| (node, batch)).collect(),
        before: state.before.into_iter().collect(),
        approvals: state.approvals,
    };
    Ok(Resumed { plan, dry_run: state.dry_run, state: resume, restored })
}

/// Shows every approval the journal recorded to the run's approver again, before anything resumes: a journal is
/// a file its runner can write, so an approval the approver cannot prove again (a record added or edited, a
/// signature that does not verify) is damage, not permission.
pub(crate) fn check_recorded_approvals(
    approver: &dyn Approver,
    run_id: &str,
    resumed: &Resumed,
) -> Result<(), RuntimeError> {
    let plan = &resumed.plan;
    for node in &plan.nodes {
        let (Some(required), Some(decision)) = (&node.approval, resumed.state.approval(&node.id)) else { continue };
        if !decision.approved {
            continue;
        }
        let request = ApprovalRequest::for_step(run_id, plan, node, required, Vec::new());
        approver.recorded_holds(&request, decision).map_err(|reason| RuntimeError::UnprovenApproval {
            run_id: run_id.to_string(),
            node: node.id.clone(),
            reason,
        })?;
    }
    Ok(())
}
