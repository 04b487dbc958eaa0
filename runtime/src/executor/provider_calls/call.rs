//! One batch, called: admitted by the step's and the run's bounds and its bucket, journaled before the call,
//! bounded by the step's timeout, retried on throttling, unavailability and timeouts, and journaled after.
//! On resume, a batch the journal saw finish is not called again, and one in doubt is first described.

use std::sync::Arc;

use escher_compiler::plan::{PlanNode, Value};
use escher_compiler::stdlib::Effect;
use tokio::sync::Semaphore;

use super::batches::Batch;
use super::reconcile;
use crate::events::EventKind;
use crate::executor::run::context::{RunContext, now};
use crate::journal::JournalRecord;
use crate::provider::{ProviderCall, ProviderError, ProviderResponse, TargetResult, TargetStatus, resource_id};
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
    /// Targets found changed by this run when the batch was resolved on resume, rather than by a call now.
    pub resolved: Vec<String>,
}

pub(crate) async fn call_batch(ctx: &RunContext, node: &PlanNode, step: &Arc<Semaphore>, batch: &Batch) -> BatchRun {
    let mutating = node.effect != Effect::Read;
    // Reads are repeated on resume; a mutating batch over targets that the journal saw finish never is.
    if mutating
        && !batch.call.targets.is_empty()
        && let Some(results) = ctx.resume.finished_batch(&node.id, batch.index)
    {
        return BatchRun {
            end: BatchEnd::Answered(ProviderResponse::Targets(results)),
            attempts: 0,
            resolved: Vec::new(),
        };
    }
    let in_doubt = mutating && ctx.resume.is_in_doubt(&node.id, batch.index);
    let settled = match in_doubt {
        true => reconcile::settle_in_doubt(ctx, node, batch).await,
        false => reconcile::Settled { resolved: Vec::new(), remaining: batch.call.targets.clone() },
    };
    let resolved: Vec<String> = settled
        .resolved
        .iter()
        .filter(|result| result.status == TargetStatus::Changed)
        .map(|result| result.id.clone())
        .collect();
    let mut call = ProviderCall { targets: settled.remaining, in_doubt, ..batch.call.clone() };
    let (end, attempts) = match call.targets.is_empty() && !batch.call.targets.is_empty() {
        // Every target was settled on resume: nothing is left to call.
        true => (BatchEnd::Answered(ProviderResponse::Targets(Vec::new())), 0),
        false => call_with_retries(ctx, node, step, batch, &mut call).await,
    };
    let end = with_resolved(end, settled.resolved, &call.targets);
    let mut end = normalize(end, &batch.call.targets);
    // An in-doubt batch is settled by its BatchFinished even when nothing was called now.
    if (in_doubt || attempts > 0)
        && let Err(error) = ctx.recorder.journal(finished_record(node, batch, &end)).await
    {
        end = BatchEnd::Unrecorded(error);
    }
    BatchRun { end, attempts, resolved }
}

/// Calls the provider for `call`'s targets until it answers, fails for good, or the run is cancelled. Returns
/// how it ended and the attempts made (0 when its start could not be journaled or the run was cancelled first).
async fn call_with_retries(
    ctx: &RunContext,
    node: &PlanNode,
    step: &Arc<Semaphore>,
    batch: &Batch,
    call: &mut ProviderCall,
) -> (BatchEnd, u32) {
    let ids: Vec<String> = call.targets.iter().filter_map(resource_id).map(str::to_string).collect();
    let before = if node.effect != Effect::Read { call.targets.clone() } else { Vec::new() };
    let mut attempt = 0;
    let mut journaled = 0;
    let end = loop {
        attempt += 1;
        // Built when it is journaled, so that `at` is when the start was recorded.
        let start = || {
            ctx.recorder.journal(JournalRecord::StepStarted {
                node: node.id.clone(),
                batch: batch.index,
                attempt,
                idempotency_key: call.idempotency_key.clone(),
                targets: ids.clone(),
                // The plan's view is the same for every attempt: the first one's record keeps it.
                before: if attempt == 1 { before.clone() } else { Vec::new() },
                at: now(),
            })
        };
        let admission = match ctx.admit(step, &batch.key, batch.bucket, start).await {
            Some(Ok(admission)) => admission,
            Some(Err(error)) => break BatchEnd::Unrecorded(error),
            None => break BatchEnd::Cancelled(None),
        };
        journaled = attempt;
        let timeout = ctx.timeout(node);
        let answer = match tokio::time::timeout(timeout, batch.provider.call(call)).await {
            Ok(answer) => answer,
            Err(_) => Err(ProviderError::Timeout(format!("no answer within {} ms", timeout.as_millis()))),
        };
        drop(admission);
        let error = match answer {
            Ok(response) => break BatchEnd::Answered(response),
            Err(error) => error,
        };
        let Some(delay) = should_retry(attempt, retries(ctx, node, &error), &error) else {
            break BatchEnd::Failed(error);
        };
        // A timeout or a 5xx does not say whether the call took effect: the next attempt is in doubt.
        if matches!(error, ProviderError::Timeout(_) | ProviderError::Unavailable(_)) {
            call.in_doubt = true;
        }
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
    (end, journaled)
}

/// The retries a call of `node` gets after `error`: its `retry`, and at least the runtime's budget for a read
/// (always safe to repeat) and for a throttled call of any kind (the provider refused it, so nothing happened).
fn retries(ctx: &RunContext, node: &PlanNode, error: &ProviderError) -> u32 {
    let budget = ctx.shared.limits.safe_retries;
    match (node.effect, error) {
        (Effect::Read, _) | (_, ProviderError::Throttled { .. }) => node.options.retry.max(budget),
        _ => node.options.retry,
    }
}

/// Adds the targets settled on resume to the answer for the ones called now. A call that failed as a whole
/// fails only the targets it was made for.
fn with_resolved(end: BatchEnd, resolved: Vec<TargetResult>, called: &[Value]) -> BatchEnd {
    if resolved.is_empty() {
        return end;
    }
    let failed = |error: String| {
        called.iter().map(move |target| TargetResult {
            id: resource_id(target).unwrap_or_default().to_string(),
            status: TargetStatus::Failed { error: error.clone() },
            resource: target.clone(),
        })
    };
    let answered: Vec<TargetResult> = match end {
        BatchEnd::Answered(ProviderResponse::Targets(results)) => results,
        BatchEnd::Failed(error) => failed(error.to_string()).collect(),
        BatchEnd::Unrecorded(error) => failed(format!("not called: {error}")).collect(),
        other => return other,
    };
    BatchEnd::Answered(ProviderResponse::Targets(resolved.into_iter().chain(answered).collect()))
}

/// A per-target answer with exactly one result for each target of the batch, in the batch's order: a target
/// the provider did not report on has failed, and results for targets not asked about are dropped.
fn normalize(end: BatchEnd, targets: &[Value]) -> BatchEnd {
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
