//! Folding a journal's records into the state resume continues from.

use std::collections::BTreeSet;
use std::collections::btree_map::Entry;

use super::error::JournalError;
use super::record::{JournalRecord, JournalState};
use crate::provider::resource_id;

/// Folds records, in journal order, into a [`JournalState`].
///
/// A batch is in doubt from its `step_started` until its `batch_finished`; a retry of the batch replaces its
/// entry. A batch whose step finished without that batch finishing (a timeout or cancellation cut the call
/// short) stays in doubt: the provider may have acted on it. A journal must begin with `run_started`, and
/// nothing may follow `run_finished`.
pub fn fold(records: &[JournalRecord]) -> Result<JournalState, JournalError> {
    let mut state = JournalState::default();
    for (index, record) in records.iter().enumerate() {
        apply(&mut state, index + 1, record)?;
    }
    Ok(state)
}

fn apply(state: &mut JournalState, line: usize, record: &JournalRecord) -> Result<(), JournalError> {
    let inconsistent = |reason: &str| Err(JournalError::Inconsistent { line, reason: reason.to_string() });
    // A cancelled or suspended run may be resumed; only its RunResumed may follow its end, and it reopens the run.
    match (state.finished_with, record) {
        (Some(status), JournalRecord::RunResumed { .. }) if status.is_resumable() => {
            state.finished_with = None;
            return Ok(());
        }
        (Some(_), _) => return inconsistent("a record after run_finished"),
        (None, _) => {}
    }
    match record {
        JournalRecord::RunStarted { run_id, plan, dry_run, .. } => {
            if state.plan.is_some() {
                return inconsistent("a second run_started");
            }
            state.run_id = run_id.clone();
            state.plan = Some(plan.clone());
            state.dry_run = *dry_run;
            return Ok(());
        }
        _ if state.plan.is_none() => return inconsistent("the journal does not begin with run_started"),
        JournalRecord::RunResumed { .. } => {}
        JournalRecord::ApprovalDecided { node, decision, .. } => {
            state.approvals.insert(node.clone(), decision.clone());
        }
        JournalRecord::StepStarted { node, batch, targets, before, .. } => {
            // A call made again after a resume names only the targets still to change: the first call's view of
            // the others is kept.
            match state.before.entry((node.clone(), *batch)) {
                _ if before.is_empty() => {}
                Entry::Vacant(first) => {
                    first.insert(before.clone());
                }
                Entry::Occupied(mut seen) => {
                    let seen = seen.get_mut();
                    let known: BTreeSet<String> = seen.iter().filter_map(resource_id).map(str::to_string).collect();
                    seen.extend(before.iter().filter(|t| resource_id(t).is_none_or(|id| !known.contains(id))).cloned());
                }
            }
            let started = (node.clone(), *batch, targets.clone());
            match position_in_doubt(state, node, *batch) {
                Some(index) => state.in_doubt[index] = started,
                None => state.in_doubt.push(started),
            }
        }
        JournalRecord::BatchFinished { node, batch, results, .. } => {
            if let Some(index) = position_in_doubt(state, node, *batch) {
                state.in_doubt.remove(index);
            }
            state.batches.insert((node.clone(), *batch), results.clone());
        }
        // What was found is for the record; only BatchFinished settles a batch.
        JournalRecord::BatchReconciled { .. } => {}
        JournalRecord::StepFinished { node, status, output, .. } => {
            state.finished.insert(node.clone(), (*status, output.clone()));
        }
        JournalRecord::StepSkipped { node, reason, .. } => {
            state.skipped.insert(node.clone(), reason.clone());
        }
        JournalRecord::RolledBack { node, output, .. } => {
            state.rolled_back.insert(node.clone(), output.clone());
        }
        JournalRecord::RunFinished { status, .. } => state.finished_with = Some(*status),
    }
    Ok(())
}

/// In-doubt batches are few (at most the runtime's concurrency), so a scan is enough.
fn position_in_doubt(state: &JournalState, node: &str, batch: usize) -> Option<usize> {
    state.in_doubt.iter().position(|(doubt_node, doubt_batch, _)| doubt_node == node && *doubt_batch == batch)
}
