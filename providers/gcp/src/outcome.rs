//! Per-target results. Each target is read afresh, judged, and acted on alone: a refusal (a 4xx, or a target that
//! cannot take the action) fails that target only, and a retryable error (throttling, 5xx, a running operation
//! in the way, no answer) fails the whole call so the runtime retries the batch. A dry run stops after the read
//! and reports what the action would do: it sends nothing but GETs.

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Effect;
use escher_runtime::provider::{ProviderCall, ProviderError};

use crate::record::field;

pub(crate) use escher_runtime::provider::outcome::{Done, each_target};

/// A target that no longer exists, for an action that needs it.
pub(crate) fn missing(target: &Value) -> ProviderError {
    ProviderError::Rejected(format!(
        "notFound: `{}` in {} no longer exists",
        field(target, "name"),
        field(target, "project")
    ))
}

/// The outcome for a target that is no longer there: nothing to do for an action that destroys (a delete), a
/// refusal for any other.
pub(crate) fn gone(call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let catalog = escher_compiler::stdlib::catalog();
    let destroys = catalog.callables.get(&call.action).is_some_and(|action| action.effect == Effect::Destroy);
    if destroys { Ok(Done::Unchanged(target.clone())) } else { Err(missing(target)) }
}

/// An action name a service module does not implement.
pub(crate) fn unknown_action(service: &str, action: &str) -> ProviderError {
    ProviderError::Unsupported(format!("`{action}` is not a GCP {service} query or action this provider knows"))
}
