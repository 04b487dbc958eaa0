//! Batches in doubt on resume: started, never seen to finish, so the provider may or may not have acted. Before
//! calling again, the runtime asks the provider for the targets' current state and records what it found (in the
//! journal, and in words in the audit log), so both show what the world looked like when the run picked up. The call is then made again with the same
//! idempotency key; targets already in the desired state come back unchanged.

use escher_compiler::lower::display;
use escher_compiler::plan::{PlanNode, Value};

use super::batches::Batch;
use super::context::RunContext;
use crate::journal::JournalRecord;
use crate::provider::{resource_field, resource_id};

pub(crate) async fn describe_in_doubt(ctx: &RunContext, node: &PlanNode, batch: &Batch) {
    let ids = batch.target_ids();
    if ids.is_empty() {
        return;
    }
    let result = match batch.provider.describe(&batch.call.targets).await {
        Ok(found) => {
            let text = found_text(&ids, &found);
            let record = JournalRecord::BatchReconciled {
                node: node.id.clone(),
                batch: batch.index,
                found,
                at: super::context::now(),
            };
            // A failed write stops the run through the recorder, as below.
            let _ = ctx.recorder.journal(record).await;
            text
        }
        Err(error) => format!("in doubt; describing its targets failed ({error}); calling again"),
    };
    let result = format!("batch {} {result}", batch.index);
    let entry = ctx.audit_entry("batch.reconciled", Some(node), ids, result);
    // A failed write stops the run through the recorder; the call itself then fails to journal its start.
    let _ = ctx.recorder.audit(entry).await;
}

/// `found i-1 (state "stopped"), i-2 missing`.
fn found_text(ids: &[String], found: &[Value]) -> String {
    let described: Vec<String> = ids
        .iter()
        .map(|id| match found.iter().find(|resource| resource_id(resource) == Some(id.as_str())) {
            Some(resource) => match resource_field(resource, "state") {
                Some(state) => format!("{id} ({})", display(&Value::String(state.to_string()))),
                None => format!("{id} (present)"),
            },
            None => format!("{id} missing"),
        })
        .collect();
    format!("in doubt; found {}; calling again", described.join(", "))
}
