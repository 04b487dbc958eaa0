//! One batch, called: admitted by the step's and the run's bounds and its bucket, journaled before the call,
//! bounded by the step's timeout, retried on throttling, unavailability and timeouts, and journaled after.
//! On resume, a batch the journal saw finish is not called again, and one in doubt is first described.

use std::sync::Arc;

use escher_compiler::plan::PlanNode;
use escher_compiler::stdlib::Effect;
use tokio::sync::Semaphore;

use super::batches::Batch;
use super::context::{RunContext, now};
use crate::events::EventKind;
use crate::journal::JournalRecord;
use crate::provider::{ProviderError, ProviderResponse, TargetResult, TargetStatus, resource_id};
use crate::retry::should_retry;

/// How a batch ended.
#[derive(Debug, Clone)]
pub(crate) enum BatchEnd {
    /// The provider answered (now, or in the session the journal recorded).
    Answered(ProviderResponse),
    /// The call failed, after any retries allowed.
    Failed(ProviderError),
    /// The run was cancelled before the call could be made (or retried).
    Cancelled(Option<ProviderError>),
    /// Its start could not be journaled, so it was not called.
    Unrecorded(String),
}

pub(crate) struct BatchRun {
    pub end: BatchEnd,
    pub attempts: u32,
}

pub(crate) async fn call_batch(ctx: &RunContext, node: &PlanNode, step: &Arc<Semaphore>, batch: &Batch) -> BatchRun {
    // Reads are repeated on resume; a mutating batch over targets that the journal saw finish never is.
    if node.effect != Effect::Read
        && !batch.call.targets.is_empty()
        && let Some(results) = ctx.resume.finished_batch(&node.id, batch.index)
    {
        return BatchRun { end: BatchEnd::Answered(ProviderResponse::Targets(results)), attempts: 0 };
    }
    if ctx.resume.is_in_doubt(&node.id, batch.index) {
        super::reconcile::describe_in_doubt(ctx, node, batch).await;
    }
    let ids = batch.target_ids();
    let mut attempt = 0;
    let mut started = false;
    let end = loop {
        attempt += 1;
        let Some(admission) = ctx.admit(step, &batch.key, batch.bucket).await else {
            break BatchEnd::Cancelled(None);
        };
        let record = JournalRecord::StepStarted {
            node: node.id.clone(),
            batch: batch.index,
            attempt,
            idempotency_key: batch.call.idempotency_key.clone(),
            targets: ids.clone(),
            at: now(),
        };
        if let Err(error) = ctx.recorder.journal(record).await {
            break BatchEnd::Unrecorded(error);
        }
        started = true;
        let timeout = ctx.timeout(node);
        let answer = match tokio::time::timeout(timeout, batch.provider.call(&batch.call)).await {
            Ok(answer) => answer,
            Err(_) => Err(ProviderError::Timeout(format!("no answer within {} ms", timeout.as_millis()))),
        };
        drop(admission);
        let error = match answer {
            Ok(response) => break BatchEnd::Answered(response),
            Err(error) => error,
        };
        let Some(delay) = should_retry(attempt, node.options.retry, &error) else {
            break BatchEnd::Failed(error);
        };
        ctx.events.emit(EventKind::StepRetrying {
            node: node.id.clone(),
            attempt: attempt + 1,
            delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error: error.to_string(),
        });
        if ctx.until_cancelled(tokio::time::sleep(delay)).await.is_none() {
            break BatchEnd::Cancelled(Some(error));
        }
    };
    let mut end = normalize(end, &batch.call.targets);
    if started && let Err(error) = ctx.recorder.journal(finished_record(node, batch, &end)).await {
        end = BatchEnd::Unrecorded(error);
    }
    BatchRun { end, attempts: attempt }
}

/// A per-target answer with exactly one result for each target of the batch, in the batch's order: a target
/// the provider did not report on has failed, and results for targets not asked about are dropped.
fn normalize(end: BatchEnd, targets: &[escher_compiler::plan::Value]) -> BatchEnd {
    let BatchEnd::Answered(ProviderResponse::Targets(mut results)) = end else {
        return end;
    };
    let ordered = targets
        .iter()
        .map(|target| {
            let id = resource_id(target).unwrap_or_default();
            match results.iter().position(|result| result.id == id) {
                Some(found) => results.swap_remove(found),
                None => TargetResult {
                    id: id.to_string(),
                    status: TargetStatus::Failed { error: "the provider did not report on this target".into() },
                    resource: target.clone(),
                },
            }
        })
        .collect();
    BatchEnd::Answered(ProviderResponse::Targets(ordered))
}

/// What the journal records of a finished batch: its per-target results (a failure of the whole call is a
/// failure of each target).
fn finished_record(node: &PlanNode, batch: &Batch, end: &BatchEnd) -> JournalRecord {
    let failed_all = |error: String| {
        batch
            .call
            .targets
            .iter()
            .map(|target| TargetResult {
                id: resource_id(target).unwrap_or_default().to_string(),
                status: TargetStatus::Failed { error: error.clone() },
                resource: target.clone(),
            })
            .collect()
    };
    let results = match end {
        BatchEnd::Answered(ProviderResponse::Targets(results)) => results.clone(),
        BatchEnd::Answered(ProviderResponse::Value(_)) => Vec::new(),
        BatchEnd::Failed(error) => failed_all(error.to_string()),
        BatchEnd::Cancelled(error) => {
            failed_all(format!("cancelled{}", error.as_ref().map(|e| format!(" after: {e}")).unwrap_or_default()))
        }
        BatchEnd::Unrecorded(error) => failed_all(error.clone()),
    };
    JournalRecord::BatchFinished { node: node.id.clone(), batch: batch.index, results, at: now() }
}
