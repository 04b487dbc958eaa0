//! One classification of AWS SDK errors into the runtime's [`ProviderError`]: throttling, 5xx and timeouts are
//! retryable; `DryRunOperation` means a dry run would succeed (see [`is_dry_run_success`]); every other refusal
//! (`UnauthorizedOperation`, a missing resource, a conflict, any 4xx) is `Rejected`.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use escher_runtime::provider::ProviderError;

/// Error codes AWS services use for throttling (the SDK's own list, plus EC2's and S3's).
const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Codes that mean the service is briefly unable to answer, whatever the HTTP status.
const UNAVAILABLE: &[&str] = &["InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable"];

const TIMEOUTS: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// Codes that mean the credentials were good once and are not any more.
const EXPIRED: &[&str] = &["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"];

/// Codes that mean the account cannot use the region (an opt-in region not enabled) or the service in it.
const REGION_NOT_ENABLED: &[&str] = &["OptInRequired"];

/// Codes that mean the credentials were not accepted at all: bad keys, or keys used in a region the account has
/// not enabled (which answers the same).
const REFUSED_CREDENTIALS: &[&str] =
    &["AuthFailure", "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"];

/// Whether a dispatch failure is a host name that does not resolve.
fn is_name_resolution(detail: &str) -> bool {
    let detail = detail.to_ascii_lowercase();
    ["dns error", "failed to lookup address", "name or service not known", "no such host"]
        .iter()
        .any(|sign| detail.contains(sign))
}

/// What went wrong with one SDK call, for errors and per-target results.
pub(crate) fn classify<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::TimeoutError(_) => ProviderError::Timeout(format!("{operation}: no answer in time")),
        SdkError::DispatchFailure(failure) => {
            let detail = source_chain(err);
            if failure.is_timeout() {
                ProviderError::Timeout(format!("{operation}: {detail}"))
            } else if is_name_resolution(&detail) {
                // A name that does not resolve is how a misspelt region shows: a configuration to fix, not an
                // outage to retry.
                ProviderError::Invalid(format!(
                    "{operation}: the endpoint's host name does not resolve ({detail}); check the region's name, and \
                     endpoint_url if one is set"
                ))
            } else {
                ProviderError::Unavailable(format!(
                    "{operation}: could not reach the endpoint ({detail}); check the network, a proxy, or \
                     endpoint_url if one is set"
                ))
            }
        }
        SdkError::ConstructionFailure(_) => {
            ProviderError::Invalid(format!("{operation}: the request could not be built: {}", source_chain(err)))
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            let message = format!("{operation}: unreadable answer (HTTP {status}): {}", source_chain(err));
            if status >= 500 { ProviderError::Unavailable(message) } else { ProviderError::Rejected(message) }
        }
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let inner = service.err();
            let code = inner.code().unwrap_or("");
            let text = inner.message().unwrap_or("");
            let message = match (code.is_empty(), text.is_empty()) {
                (false, false) => format!("{operation}: {code}: {text}"),
                (false, true) => format!("{operation}: {code}"),
                (true, false) => format!("{operation}: HTTP {status}: {text}"),
                (true, true) => format!("{operation}: HTTP {status}"),
            };
            if EXPIRED.contains(&code) {
                return ProviderError::Rejected(format!(
                    "{message}: the AWS credentials have expired; refresh them (`aws sso login`, or new session keys) \
                     and resume the run"
                ));
            }
            if REGION_NOT_ENABLED.contains(&code) {
                return ProviderError::Rejected(format!(
                    "{message}: this account has not enabled the region (an opt-in region) or the service there; \
                     enable it, or leave the region out"
                ));
            }
            if REFUSED_CREDENTIALS.contains(&code) {
                return ProviderError::Rejected(format!(
                    "{message}: AWS refused the credentials: wrong or deleted keys, or a region this account has \
                     not enabled"
                ));
            }
            if THROTTLING.contains(&code) || status == 429 {
                ProviderError::Throttled { message, retry_after: retry_after(service.raw()) }
            } else if TIMEOUTS.contains(&code) {
                ProviderError::Timeout(message)
            } else if UNAVAILABLE.contains(&code) || status >= 500 {
                ProviderError::Unavailable(message)
            } else {
                ProviderError::Rejected(message)
            }
        }
        _ => ProviderError::Unavailable(format!("{operation}: {}", source_chain(err))),
    }
}

/// Whether an error answers a `DryRun=true` request with "the request would have succeeded".
pub(crate) fn is_dry_run_success<E>(err: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata,
{
    matches!(err, SdkError::ServiceError(service) if service.err().code() == Some("DryRunOperation"))
}

/// The error and its causes, joined: the runtime's, shared by every provider.
pub(crate) use escher_runtime::provider::error_chain as source_chain;

fn retry_after(raw: &HttpResponse) -> Option<std::time::Duration> {
    let seconds: u64 = raw.headers().get("retry-after")?.trim().parse().ok()?;
    Some(std::time::Duration::from_secs(seconds))
}

#[cfg(test)]
#[path = "errors_tests.rs"]
mod tests;
