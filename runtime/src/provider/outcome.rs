//! Per-target results, for providers that act on each target of a batch alone: a refusal (a 4xx) fails that target
//! only, and a retryable error (throttling, 5xx, a timeout) fails the whole call so the runtime retries the batch.

use escher_compiler::plan::Value;

use super::interface::{ProviderError, ProviderResponse, TargetResult, TargetStatus, resource_id};

/// What an action did (or, in a dry run, would do) to one target, with the resource as it is afterwards.
pub enum Done {
    Changed(Value),
    Unchanged(Value),
}

/// A target's result from its action's outcome. A refusal becomes this target's failure; a retryable error
/// stays an error, so the caller fails the call.
pub fn settle(target: &Value, outcome: Result<Done, ProviderError>) -> Result<TargetResult, ProviderError> {
    let id = resource_id(target).unwrap_or("").to_string();
    match outcome {
        Ok(Done::Changed(resource)) => Ok(TargetResult { id, status: TargetStatus::Changed, resource }),
        Ok(Done::Unchanged(resource)) => Ok(TargetResult { id, status: TargetStatus::Unchanged, resource }),
        Err(error) if error.is_retryable() => Err(error),
        Err(error) => {
            Ok(TargetResult { id, status: TargetStatus::Failed { error: error.to_string() }, resource: target.clone() })
        }
    }
}

/// Acts on each target in turn, each settled on its own (see [`settle`]): one refused target fails alone, a
/// retryable error fails the call.
pub async fn each_target<'a, F, Fut>(targets: &'a [Value], mut act: F) -> Result<ProviderResponse, ProviderError>
where
    F: FnMut(&'a Value) -> Fut,
    Fut: std::future::Future<Output = Result<Done, ProviderError>>,
{
    let mut results = Vec::with_capacity(targets.len());
    for target in targets {
        results.push(settle(target, act(target).await)?);
    }
    Ok(ProviderResponse::Targets(results))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn target() -> Value {
        Value::Record(BTreeMap::from([("id".to_string(), Value::String("db-1".into()))]))
    }

    #[test]
    fn a_refusal_fails_only_its_target() {
        let result = settle(&target(), Err(ProviderError::Rejected("InvalidDBInstanceState".into())));
        assert!(matches!(result, Ok(TargetResult { status: TargetStatus::Failed { .. }, .. })));
    }

    #[test]
    fn throttling_a_5xx_or_a_timeout_fails_the_call_so_the_runtime_retries_it() {
        for error in [
            ProviderError::Throttled { message: "Throttling".into(), retry_after: None },
            ProviderError::Unavailable("HTTP 503".into()),
            ProviderError::Timeout("no answer".into()),
        ] {
            assert_eq!(settle(&target(), Err(error.clone())), Err(error));
        }
    }

    #[test]
    fn done_becomes_changed_or_unchanged_with_the_resource_after() {
        let changed = settle(&target(), Ok(Done::Changed(target()))).map(|r| r.status);
        assert_eq!(changed, Ok(TargetStatus::Changed));
        let unchanged = settle(&target(), Ok(Done::Unchanged(target()))).map(|r| r.status);
        assert_eq!(unchanged, Ok(TargetStatus::Unchanged));
    }
}
