//! Per-target results. Each target is read afresh, judged, and acted on alone: a refusal (a 4xx, or a target
//! that cannot take the action) fails that target only, and a retryable error (throttling, 5xx, a conflicting
//! operation, no answer) fails the whole call so the runtime retries the batch. A dry run stops after the read
//! and reports what the action would do: it sends no PUT, PATCH, DELETE or action POST.

use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderError, ProviderResponse, TargetResult, TargetStatus};

use crate::record::field;

/// What an action did (or, in a dry run, would do) to one target, with the resource as it is afterwards.
pub(crate) enum Done {
    Changed(Value),
    Unchanged(Value),
}

/// A target's result from its action's outcome. A refusal becomes this target's failure; a retryable error
/// stays an error, so the caller fails the call.
pub(crate) fn settle(target: &Value, outcome: Result<Done, ProviderError>) -> Result<TargetResult, ProviderError> {
    let id = field(target, "id").to_string();
    match outcome {
        Ok(Done::Changed(resource)) => Ok(TargetResult { id, status: TargetStatus::Changed, resource }),
        Ok(Done::Unchanged(resource)) => Ok(TargetResult { id, status: TargetStatus::Unchanged, resource }),
        Err(error) if error.is_retryable() => Err(error),
        Err(error) => {
            Ok(TargetResult { id, status: TargetStatus::Failed { error: error.to_string() }, resource: target.clone() })
        }
    }
}

/// Acts on each target in turn, each settled on its own (see [`settle`]).
pub(crate) async fn each_target<'a, F, Fut>(targets: &'a [Value], mut act: F) -> Result<ProviderResponse, ProviderError>
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

/// A target that no longer exists, for an action that needs it.
pub(crate) fn missing(target: &Value) -> ProviderError {
    ProviderError::Rejected(format!("ResourceNotFound: `{}` no longer exists", field(target, "id")))
}

/// An action name this module does not implement.
pub(crate) fn unknown_action(service: &str, action: &str) -> ProviderError {
    ProviderError::Unsupported(format!("`{action}` is not an Azure {service} query or action this provider knows"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn target() -> Value {
        Value::Record(BTreeMap::from([("id".to_string(), Value::String("/subscriptions/s/x".into()))]))
    }

    #[test]
    fn a_refusal_fails_only_its_target_and_a_retryable_error_fails_the_call() {
        let refused = settle(&target(), Err(ProviderError::Rejected("Conflict".into())));
        assert!(matches!(refused, Ok(TargetResult { status: TargetStatus::Failed { .. }, .. })));
        let throttled = ProviderError::Throttled { message: "429".into(), retry_after: None };
        assert_eq!(settle(&target(), Err(throttled.clone())), Err(throttled));
    }
}
