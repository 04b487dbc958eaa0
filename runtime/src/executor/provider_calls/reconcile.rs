//! Batches in doubt on resume: started, never seen to finish, so the provider may or may not have acted. They
//! are resolved, never re-issued blind. The runtime asks the provider for the targets' current state and, per
//! target, whether it is already as the action leaves it ([`Provider::is_done`](crate::provider::Provider)):
//!
//! - done now and not done as the plan saw it before the call: this run changed it. It is recorded as changed,
//!   with a note that it was resolved on resume, and not called again;
//! - done now and done before too: it was already so, and is recorded as unchanged;
//! - anything else (not done, or the provider cannot tell): it is called again, with the same idempotency key
//!   and `in_doubt` set, so a creating action finds what an earlier call made rather than making it twice.
//!
//! What was found and what was settled go to the journal and, in words, to the audit log, before any call.

use escher_compiler::lower::display;
use escher_compiler::plan::{PlanNode, Value};

use super::batches::Batch;
use crate::executor::run::context::RunContext;
use crate::journal::JournalRecord;
use crate::provider::{TargetResult, TargetStatus, resource_field, resource_id};

/// An in-doubt batch, resolved: the targets settled without a call, and those still to call.
pub(crate) struct Settled {
    pub resolved: Vec<TargetResult>,
    pub remaining: Vec<Value>,
}

pub(crate) async fn settle_in_doubt(ctx: &RunContext, node: &PlanNode, batch: &Batch) -> Settled {
    let targets = &batch.call.targets;
    let call_all_again = || Settled { resolved: Vec::new(), remaining: targets.clone() };
    if targets.is_empty() {
        return call_all_again();
    }
    let ids = batch.target_ids();
    let found = match batch.provider.describe(targets).await {
        Ok(found) => found,
        Err(error) => {
            let result =
                format!("batch {} in doubt; describing its targets failed ({error}); calling again", batch.index);
            // A failed write stops the run through the recorder; the call itself then fails to journal its start.
            let _ = ctx.recorder.audit(ctx.audit_entry("batch.reconciled", Some(node), ids, result)).await;
            return call_all_again();
        }
    };
    let before = ctx.resume.before(&node.id, batch.index);
    let mut settled = Settled { resolved: Vec::new(), remaining: Vec::new() };
    let mut words = Vec::new();
    for target in targets {
        let id = resource_id(target).unwrap_or_default();
        let now = found.iter().find(|resource| resource_id(resource) == Some(id));
        let then = before.iter().find(|resource| resource_id(resource) == Some(id)).unwrap_or(target);
        let done_now = !ctx.dry_run && batch.provider.is_done(&batch.call, now) == Some(true);
        if !done_now {
            words.push(format!("{id} {}, called again", state_text(now)));
            settled.remaining.push(target.clone());
            continue;
        }
        let resource = now.cloned().unwrap_or_else(|| gone(then));
        let status = match batch.provider.is_done(&batch.call, Some(then)) {
            Some(true) => {
                words.push(format!("{id} {}, already so before the call", state_text(now)));
                TargetStatus::Unchanged
            }
            _ => {
                words.push(format!("{id} {}, changed by this run (resolved on resume)", state_text(now)));
                TargetStatus::Changed
            }
        };
        settled.resolved.push(TargetResult { id: id.to_string(), status, resource });
    }
    let record = JournalRecord::BatchReconciled {
        node: node.id.clone(),
        batch: batch.index,
        found,
        resolved: settled.resolved.clone(),
        at: crate::executor::run::context::now(),
    };
    // A failed write stops the run through the recorder, as below.
    let _ = ctx.recorder.journal(record).await;
    let result = format!("batch {} in doubt; found {}", batch.index, words.join("; "));
    let _ = ctx.recorder.audit(ctx.audit_entry("batch.reconciled", Some(node), ids, result)).await;
    settled
}

/// `(state "stopped")`, `(present)` or `missing`.
fn state_text(found: Option<&Value>) -> String {
    match found {
        Some(resource) => match resource_field(resource, "state") {
            Some(state) => format!("({})", display(&Value::String(state.to_string()))),
            None => "(present)".to_string(),
        },
        None => "missing".to_string(),
    }
}

/// A removed resource's last record, marked deleted.
fn gone(last: &Value) -> Value {
    match last {
        Value::Record(fields) => {
            let mut fields = fields.clone();
            fields.insert("state".into(), Value::String("deleted".into()));
            Value::Record(fields)
        }
        other => other.clone(),
    }
}
