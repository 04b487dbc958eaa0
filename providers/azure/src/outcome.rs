//! Per-target results. Each target is read afresh, judged, and acted on alone: a refusal (a 4xx, or a target
//! that cannot take the action) fails that target only, and a retryable error (throttling, 5xx, a conflicting
//! operation, no answer) fails the whole call so the runtime retries the batch. A dry run stops after the read
//! and reports what the action would do: it sends no PUT, PATCH, DELETE or action POST.

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use crate::record::field;

pub(crate) use escher_runtime::provider::outcome::{Done, each_target};

/// A target that no longer exists, for an action that needs it.
pub(crate) fn missing(target: &Value) -> ProviderError {
    ProviderError::Rejected(format!("ResourceNotFound: `{}` no longer exists", field(target, "id")))
}

/// An action name this module does not implement.
pub(crate) fn unknown_action(service: &str, action: &str) -> ProviderError {
    ProviderError::Unsupported(format!("`{action}` is not an Azure {service} query or action this provider knows"))
}
