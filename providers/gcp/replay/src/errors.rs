//! Google's JSON error answer: `{"error": {"code", "message", "errors": [{"message", "domain", "reason"}],
//! "status"}}`.

use serde_json::{Value as Json, json};

/// An error the fake answers with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) code: u16,
    /// `errors[0].reason`: what Google's clients branch on (`notFound`, `rateLimitExceeded`, `conditionNotMet`, ...).
    pub(crate) reason: String,
    pub(crate) domain: String,
    pub(crate) message: String,
    /// The canonical status; `None`: the usual one for `code`.
    pub(crate) status: Option<&'static str>,
}

impl ApiError {
    pub(crate) fn new(code: u16, reason: &str, message: impl Into<String>) -> ApiError {
        ApiError { code, reason: reason.into(), domain: "global".into(), message: message.into(), status: None }
    }

    pub(crate) fn not_found(what: &str) -> ApiError {
        ApiError::new(404, "notFound", format!("The resource '{what}' was not found"))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "invalid", message)
    }

    pub(crate) fn condition_not_met(message: impl Into<String>) -> ApiError {
        ApiError::new(412, "conditionNotMet", message)
    }

    pub(crate) fn with_status(mut self, status: &'static str) -> ApiError {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_domain(mut self, domain: &str) -> ApiError {
        self.domain = domain.into();
        self
    }

    pub(crate) fn body(&self) -> Json {
        json!({"error": {
            "code": self.code,
            "message": self.message,
            "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
            "status": self.status.unwrap_or_else(|| canonical_status(self.code)),
        }})
    }
}

/// The `google.rpc.Code` name Google's front end pairs with an HTTP status.
pub(crate) fn canonical_status(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        412 => "FAILED_PRECONDITION",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    }
}

/// The `google.rpc.Code` number of a status name, for a long-running operation's `error.code`.
pub(crate) fn rpc_code(status: &str) -> Option<i64> {
    const CODES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    CODES.iter().position(|c| *c == status).and_then(|i| i64::try_from(i).ok())
}
