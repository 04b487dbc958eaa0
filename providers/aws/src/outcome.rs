//! Per-target results for the RDS, Lambda, S3 and Route 53 actions: each target is acted on alone
//! (`escher_runtime::provider::outcome`). Those services have no dry-run parameter, so a dry run reports every
//! target as not simulated and calls nothing that changes anything.

use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse, TargetResult, TargetStatus};

use crate::record::str_field;

pub(crate) use escher_runtime::provider::outcome::{Done, each_target};

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
