//! Per-target results for the RDS, Lambda, S3 and Route 53 actions: each target is acted on alone, a refusal
//! (a 4xx) fails that target only, and a retryable error (throttling, 5xx, timeout) fails the whole call so the
//! runtime retries the batch. Those services have no dry-run parameter, so a dry run reports every target as not
//! simulated and calls nothing that changes anything.

use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse, TargetResult, TargetStatus};

use crate::record::str_field;

/// What an action did to one target, with the resource as it is afterwards.
pub(crate) enum Done {
    Changed(Value),
    Unchanged(Value),
}

/// A target's result from its action's outcome. A refusal becomes this target's failure; a retryable error
/// stays an error, so the caller fails the call.
pub(crate) fn settle(target: &Value, outcome: Result<Done, ProviderError>) -> Result<TargetResult, ProviderError> {
    let id = str_field(target, "id").to_string();
    match outcome {
        Ok(Done::Changed(resource)) => Ok(TargetResult { id, status: TargetStatus::Changed, resource }),
        Ok(Done::Unchanged(resource)) => Ok(TargetResult { id, status: TargetStatus::Unchanged, resource }),
        Err(error) if error.is_retryable() => Err(error),
        Err(error) => Ok(failed(target, error.to_string())),
    }
}

/// Acts on each target in turn, each settled on its own (see [`settle`]): one refused target fails alone, a
/// retryable error fails the call.
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

pub(crate) fn failed(target: &Value, error: impl Into<String>) -> TargetResult {
    TargetResult {
        id: str_field(target, "id").to_string(),
        status: TargetStatus::Failed { error: error.into() },
        resource: target.clone(),
    }
}

/// A dry run of an action its service cannot simulate: every target reported as not simulated, unchanged.
pub(crate) fn not_simulated(call: &ProviderCall, service: &str) -> ProviderResponse {
    let reason =
        format!("{service} has no dry-run mode, so `{}` was not simulated and nothing was called", call.action);
    ProviderResponse::Targets(
        call.targets
            .iter()
            .map(|target| TargetResult {
                id: str_field(target, "id").to_string(),
                status: TargetStatus::NotSimulated { reason: reason.clone() },
                resource: target.clone(),
            })
            .collect(),
    )
}

/// The account and region a target lives in, as its record names them.
pub(crate) fn home(target: &Value) -> (Option<&str>, &str) {
    let account = str_field(target, "account");
    (Some(account).filter(|a| !a.is_empty()), str_field(target, "region"))
}

/// An action name this module does not implement.
pub(crate) fn unknown_action(service: &str, action: &str) -> ProviderError {
    ProviderError::Unsupported(format!("`{action}` is not an {service} query or action this provider knows"))
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
