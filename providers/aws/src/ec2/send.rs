//! What one EC2 request came to, for per-target results: done, "would succeed" (a dry run's `DryRunOperation`),
//! or refused (a 4xx, which fails that target only). Throttling, 5xx and timeouts stay errors, so the whole call
//! fails and the runtime retries the batch.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderError, TargetResult, TargetStatus};

use crate::errors::{classify, is_dry_run_success};
use crate::record::str_field;

pub(crate) enum Sent<T> {
    Done(T),
    WouldSucceed,
    Refused { code: String, error: String },
}

/// Sorts a request's result; retryable errors are returned as errors.
pub(crate) fn sent<T, E>(
    operation: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<Sent<T>, ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(value) => Ok(Sent::Done(value)),
        Err(err) if is_dry_run_success(&err) => Ok(Sent::WouldSucceed),
        Err(err) => {
            let error = classify(operation, &err);
            if error.is_retryable() {
                return Err(error);
            }
            Ok(Sent::Refused { code: err.code().unwrap_or("").to_string(), error: error.to_string() })
        }
    }
}

pub(crate) fn changed(target: &Value, resource: Value) -> TargetResult {
    TargetResult { id: str_field(target, "id").to_string(), status: TargetStatus::Changed, resource }
}

pub(crate) fn unchanged(target: &Value, resource: Value) -> TargetResult {
    TargetResult { id: str_field(target, "id").to_string(), status: TargetStatus::Unchanged, resource }
}

pub(crate) fn failed(target: &Value, error: impl Into<String>) -> TargetResult {
    TargetResult {
        id: str_field(target, "id").to_string(),
        status: TargetStatus::Failed { error: error.into() },
        resource: target.clone(),
    }
}

/// The account and region a batch acts in (the runtime batches by both, so the first target's are everyone's).
pub(crate) fn home(targets: &[Value]) -> (Option<&str>, &str) {
    let first = targets.first();
    let account = first.map(|t| str_field(t, "account")).filter(|a| !a.is_empty());
    (account, first.map_or("", |t| str_field(t, "region")))
}
