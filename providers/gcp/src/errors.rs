//! Google's errors, classified once. Every API answers an error with the same JSON body
//! (`{"error": {"code", "message", "status", "errors": [{"reason", "domain", "message"}]}}`); what the runtime may
//! retry is decided here from the HTTP status and the first `reason`: 429, Compute's 403 `rateLimitExceeded`, 5xx
//! and Cloud SQL's 409 `operationInProgress` are retried, any other 4xx fails its target, naming the method and
//! the target.

use std::time::Duration;

use escher_runtime::provider::ProviderError;
use serde_json::Value as Json;

/// A failed request, or an operation that ended in error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    /// The HTTP status; 0 when no answer came.
    pub status: u16,
    /// Google's `reason` (`notFound`, `rateLimitExceeded`), else its `status` (`NOT_FOUND`), else the HTTP
    /// status's text.
    pub reason: String,
    pub message: String,
    /// What was asked: `POST compute.instances.stop` style, with the target's path.
    pub request: String,
    pub retry_after: Option<Duration>,
    /// No answer: the connection failed or timed out.
    pub no_answer: bool,
}

/// Reasons that mean "too many requests" whatever the status says.
const THROTTLING_REASONS: [&str; 4] =
    ["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "RATE_LIMIT_EXCEEDED"];

impl ApiError {
    /// The error of an answer with status `status` and body `body`.
    pub(crate) fn from_answer(status: u16, body: &str, request: String, retry_after: Option<Duration>) -> ApiError {
        let parsed: Json = serde_json::from_str(body).unwrap_or(Json::Null);
        let error = parsed.get("error").unwrap_or(&Json::Null);
        let first = error.get("errors").and_then(|e| e.get(0));
        let text =
            |json: Option<&Json>, key: &str| json.and_then(|j| j.get(key)).and_then(Json::as_str).map(str::to_string);
        let reason = text(first, "reason")
            .or_else(|| text(Some(error), "status"))
            .or_else(|| error.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("HTTP {status}"));
        let message = text(Some(error), "message")
            .or_else(|| text(first, "message"))
            .or_else(|| parsed.get("error_description").and_then(Json::as_str).map(str::to_string))
            .unwrap_or_else(|| body.chars().take(200).collect());
        ApiError { status, reason, message, request, retry_after, no_answer: false }
    }

    /// A request that got no answer.
    pub(crate) fn no_answer(request: String, why: &str) -> ApiError {
        ApiError {
            status: 0,
            reason: "noAnswer".into(),
            message: why.into(),
            request,
            retry_after: None,
            no_answer: true,
        }
    }

    /// A list that left part of the estate out (a zone, a region, a location): retried like a 503, and never
    /// taken for a shorter list.
    pub(crate) fn unreachable(request: String, what: &str) -> ApiError {
        ApiError {
            status: 503,
            reason: "unreachable".into(),
            message: format!("part of the list could not be reached: {what}"),
            request,
            retry_after: None,
            no_answer: false,
        }
    }

    /// An operation still running when the step's time for it ran out: its target fails.
    pub(crate) fn operation_timeout(request: String, waited: Duration) -> ApiError {
        ApiError {
            status: 0,
            reason: "operationTimeout".into(),
            message: format!("the operation had not finished after {} s", waited.as_secs()),
            request,
            retry_after: None,
            no_answer: false,
        }
    }

    /// An operation that ended with `error` (`{"errors": [{"code", "message"}]}` for Compute and Cloud SQL,
    /// `{"code", "message"}` for `google.longrunning` and BigQuery's `errorResult`).
    pub(crate) fn from_operation(error: &Json, request: String) -> ApiError {
        let first = error.get("errors").and_then(|e| e.get(0)).unwrap_or(error);
        let text = |key: &str| first.get(key).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
        ApiError {
            status: 200,
            reason: text("code").or_else(|| text("reason")).unwrap_or_else(|| "OPERATION_FAILED".into()),
            message: text("message").unwrap_or_default(),
            request,
            retry_after: None,
            no_answer: false,
        }
    }

    pub(crate) fn is_not_found(&self) -> bool {
        self.status == 404
    }

    fn is_throttling(&self) -> bool {
        self.status == 429 || (self.status == 403 && THROTTLING_REASONS.contains(&self.reason.as_str()))
    }

    pub(crate) fn is_retryable(&self) -> bool {
        self.no_answer
            || self.is_throttling()
            || self.status >= 500
            || (self.status == 409 && self.reason == "operationInProgress")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.reason, self.message, self.request)
    }
}

impl From<ApiError> for ProviderError {
    fn from(error: ApiError) -> ProviderError {
        let text = error.to_string();
        if error.is_throttling() {
            ProviderError::Throttled { message: text, retry_after: error.retry_after }
        } else if error.no_answer {
            ProviderError::Timeout(text)
        } else if error.is_retryable() {
            ProviderError::Unavailable(text)
        } else {
            ProviderError::Rejected(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, reason: &str) -> ApiError {
        let body = serde_json::json!({"error": {"code": status, "message": "told so", "status": "X",
            "errors": [{"reason": reason, "domain": "usageLimits", "message": "told so"}]}});
        ApiError::from_answer(status, &body.to_string(), "POST compute.instances.stop web-1".into(), None)
    }

    #[test]
    fn throttling_5xx_and_a_running_cloud_sql_operation_are_retried() {
        assert!(matches!(ProviderError::from(answer(429, "rateLimitExceeded")), ProviderError::Throttled { .. }));
        assert!(matches!(ProviderError::from(answer(403, "rateLimitExceeded")), ProviderError::Throttled { .. }));
        assert!(matches!(ProviderError::from(answer(503, "backendError")), ProviderError::Unavailable(_)));
        assert!(matches!(ProviderError::from(answer(409, "operationInProgress")), ProviderError::Unavailable(_)));
        let reset = ApiError::no_answer("GET compute.instances.get web-1".into(), "connection reset");
        assert!(matches!(ProviderError::from(reset), ProviderError::Timeout(_)));
    }

    #[test]
    fn any_other_4xx_is_refused_naming_the_method_and_target() {
        for (status, reason) in [(403, "forbidden"), (404, "notFound"), (409, "alreadyExists"), (400, "invalid")] {
            let ProviderError::Rejected(text) = ProviderError::from(answer(status, reason)) else {
                panic!("{status} {reason} is refused")
            };
            assert_eq!(text, format!("{reason}: told so (POST compute.instances.stop web-1)"));
        }
    }

    #[test]
    fn a_body_that_is_not_googles_still_says_something() {
        let error = ApiError::from_answer(502, "<html>Bad Gateway</html>", "GET x".into(), None);
        assert_eq!((error.reason.as_str(), error.message.as_str()), ("HTTP 502", "<html>Bad Gateway</html>"));
        let oauth = ApiError::from_answer(
            400,
            r#"{"error": "invalid_grant", "error_description": "Bad Request"}"#,
            "POST token".into(),
            None,
        );
        assert_eq!((oauth.reason.as_str(), oauth.message.as_str()), ("invalid_grant", "Bad Request"));
    }

    #[test]
    fn operation_errors_carry_googles_code_and_message() {
        let compute =
            serde_json::json!({"errors": [{"code": "ZONE_RESOURCE_POOL_EXHAUSTED", "message": "no capacity"}]});
        let error = ApiError::from_operation(&compute, "POST compute.instances.start web-1".into());
        assert_eq!(error.to_string(), "ZONE_RESOURCE_POOL_EXHAUSTED: no capacity (POST compute.instances.start web-1)");
        let longrunning = serde_json::json!({"code": 9, "message": "precondition"});
        assert_eq!(ApiError::from_operation(&longrunning, "x".into()).reason, "9");
        assert!(matches!(ProviderError::from(error), ProviderError::Rejected(_)));
    }
}
