//! Batch results into a step's result: per-target statuses into the outcome record, `max_errors` into the step
//! status; query answers into the query's value.

use escher_compiler::plan::{PlanNode, Value};

use super::call::{BatchEnd, BatchRun};
use crate::events::StepStatus;
use crate::executor::step::result::{NodeResult, outcome_record};
use crate::provider::{ProviderError, ProviderResponse, TargetStatus};

/// An action over targets: every batch's per-target results merged, in batch order.
pub(crate) fn merge_targets(node: &PlanNode, targets: Vec<Value>, runs: Vec<(Vec<Value>, BatchRun)>) -> NodeResult {
    let (mut changed, mut unchanged, mut failed, mut not_simulated) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut cancelled = false;
    let mut attempts = 0;
    let mut resolved = Vec::new();
    for (batch_targets, run) in runs {
        attempts += run.attempts;
        resolved.extend(run.resolved);
        let whole_batch_failed = |error: String, failed: &mut Vec<(String, String)>| {
            for target in &batch_targets {
                failed.push((id(target), error.clone()));
            }
        };
        match run.end {
            BatchEnd::Answered(ProviderResponse::Targets(results)) => {
                for result in results {
                    let resource = if matches!(result.resource, Value::Record(_)) {
                        result.resource
                    } else {
                        batch_targets.iter().find(|t| id(t) == result.id).cloned().unwrap_or(Value::Null)
                    };
                    match result.status {
                        TargetStatus::Changed => changed.push(resource),
                        TargetStatus::Unchanged => unchanged.push(resource),
                        TargetStatus::Failed { error } => failed.push((result.id, error)),
                        TargetStatus::NotSimulated { reason } => not_simulated.push((result.id, reason)),
                    }
                }
            }
            BatchEnd::Answered(ProviderResponse::Value(_)) => whole_batch_failed(
                "the provider answered with a value, not a result for each target".into(),
                &mut failed,
            ),
            BatchEnd::Failed(ProviderError::NotSimulated(reason)) => {
                not_simulated.extend(batch_targets.iter().map(|target| (id(target), reason.clone())));
            }
            BatchEnd::Failed(error) => whole_batch_failed(error.to_string(), &mut failed),
            BatchEnd::Cancelled(_) => {
                cancelled = true;
            }
            BatchEnd::Unrecorded(error) => whole_batch_failed(format!("not called: {error}"), &mut failed),
        }
    }
    let max_errors = node.options.max_errors.unwrap_or(0);
    let failures = failed.len() as u64;
    let (status, error) = if failures > max_errors {
        let first = failed.first().map(|(id, error)| format!("; {id}: {error}")).unwrap_or_default();
        (
            StepStatus::Failed,
            Some(format!("{failures} of {} targets failed (max_errors = {max_errors}){first}", targets.len())),
        )
    } else if cancelled {
        (StepStatus::Cancelled, Some("the run was cancelled before every batch was called".to_string()))
    } else if !not_simulated.is_empty() {
        let count = not_simulated.len();
        (StepStatus::NotSimulated, Some(format!("{count} targets could not be simulated in a dry run")))
    } else if failures > 0 {
        (StepStatus::PartiallySucceeded, None)
    } else {
        (StepStatus::Succeeded, None)
    };
    let output = outcome_record(targets, changed, unchanged, failed, not_simulated);
    NodeResult { attempts, resolved, ..NodeResult::new(status, output).with_error(error) }
}

/// A query, or an action without targets: one value per call. One call gives its value; a fan-out gives the
/// list of its calls' values; a cloud-agnostic query asked of several providers gives their lists joined.
pub(crate) fn merge_values(node: &PlanNode, runs: Vec<BatchRun>, joined: bool) -> NodeResult {
    let attempts = runs.iter().map(|run| run.attempts).sum();
    let mut values = Vec::new();
    for run in runs {
        let failure = match run.end {
            BatchEnd::Answered(ProviderResponse::Value(value)) => {
                values.push(value);
                continue;
            }
            BatchEnd::Answered(ProviderResponse::Targets(_)) => {
                "the provider answered with per-target results to a call without targets".to_string()
            }
            BatchEnd::Failed(ProviderError::NotSimulated(reason)) => {
                let result = NodeResult::new(StepStatus::NotSimulated, Value::Null);
                return NodeResult { attempts, ..result.with_error(Some(format!("not simulated: {reason}"))) };
            }
            BatchEnd::Failed(error) => error.to_string(),
            BatchEnd::Cancelled(_) => {
                let result = NodeResult::failed(node, "the run was cancelled before the call was made");
                return NodeResult { status: StepStatus::Cancelled, attempts, ..result };
            }
            BatchEnd::Unrecorded(error) => format!("not called: {error}"),
        };
        return NodeResult { attempts, ..NodeResult::failed(node, failure) };
    }
    let output = if joined && values.len() > 1 {
        match join_lists(values) {
            Ok(list) => list,
            Err(error) => return NodeResult { attempts, ..NodeResult::failed(node, error) },
        }
    } else if node.for_each.is_some() {
        Value::List(values)
    } else {
        values.pop().unwrap_or(Value::Null)
    };
    NodeResult { attempts, ..NodeResult::new(StepStatus::Succeeded, output) }
}

/// Several providers' answers to one cloud-agnostic query, as one list.
fn join_lists(values: Vec<Value>) -> Result<Value, String> {
    let mut joined = Vec::new();
    for value in values {
        match value {
            Value::List(items) => joined.extend(items),
            _ => return Err("several providers answered this query with records, which cannot be joined".into()),
        }
    }
    Ok(Value::List(joined))
}

fn id(target: &Value) -> String {
    crate::provider::resource_id(target).unwrap_or_default().to_string()
}
