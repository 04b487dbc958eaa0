//! Faults a test queues: the next calls of a method fail the way Google's fail.

use crate::errors::ApiError;

/// A fault for the next call(s) of one Discovery method (`compute.instances.stop`,
/// `sql.instances.patch`, `cloudfunctions.projects.locations.functions.list`, ...). Without a kind it answers 503.
///
/// ```
/// use escher_gcp_replay::Fault;
/// let flaky = Fault::on("compute.instances.stop").status(503).times(2);
/// let second_page = Fault::on("compute.instances.aggregatedList").page(2);
/// let quota = Fault::on("compute.instances.start").rate_limit_exceeded();
/// # let _ = (flaky, second_page, quota);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub(crate) method: String,
    pub(crate) kind: FaultKind,
    /// Fires only on this page of a list (1 is the first, asked without `pageToken`).
    pub(crate) page: Option<usize>,
    pub(crate) times: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FaultKind {
    Status(u16),
    RateLimitExceeded,
    Reset,
    OperationInProgress,
    UnreachableZone(String),
    OperationError { code: String, message: String },
}

impl Fault {
    pub fn on(method_id: &str) -> Fault {
        Fault { method: method_id.to_string(), kind: FaultKind::Status(503), page: None, times: 1 }
    }

    /// Answers this HTTP status with Google's error body (reason `rateLimitExceeded` for 429, `backendError` for
    /// 5xx).
    pub fn status(mut self, status: u16) -> Fault {
        self.kind = FaultKind::Status(status);
        self
    }

    /// 403 with reason `rateLimitExceeded` in domain `usageLimits`: Compute's per-minute API quota.
    pub fn rate_limit_exceeded(mut self) -> Fault {
        self.kind = FaultKind::RateLimitExceeded;
        self
    }

    /// Closes the connection without answering.
    pub fn reset(mut self) -> Fault {
        self.kind = FaultKind::Reset;
        self
    }

    /// 409 with Cloud SQL's reason `operationInProgress`.
    pub fn operation_in_progress(mut self) -> Fault {
        self.kind = FaultKind::OperationInProgress;
        self
    }

    /// Only the list's `page`th page fails (503 unless another kind is set).
    pub fn page(mut self, page: usize) -> Fault {
        self.page = Some(page);
        self
    }

    /// The list answers without `zone`: Compute's aggregated lists carry a scope warning `UNREACHABLE` and
    /// `unreachables`; Cloud Functions and Storage lists an `unreachable` entry for the zone's region.
    pub fn unreachable_zone(mut self, zone: &str) -> Fault {
        self.kind = FaultKind::UnreachableZone(zone.to_string());
        self
    }

    /// The next operation the method starts ends DONE with this error (`error.errors[{code, message}]`; for a
    /// long-running operation `error {code, message}`, the code's `google.rpc.Code` number) and has no effect.
    pub fn operation_error(mut self, code: &str, message: &str) -> Fault {
        self.kind = FaultKind::OperationError { code: code.to_string(), message: message.to_string() };
        self
    }

    /// How many calls it fails (default 1).
    pub fn times(mut self, times: usize) -> Fault {
        self.times = times;
        self
    }
}

/// The queued faults.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queued: Vec<Fault>,
}

/// What a fault does to a request before the method runs.
pub(crate) enum Injected {
    Answer(ApiError),
    Reset,
}

impl Faults {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.queued.push(fault);
        }
    }

    /// The fault answering this call of `method` on list page `page` instead of the method, used up by one.
    pub(crate) fn take_answer(&mut self, method: &str, page: usize) -> Option<Injected> {
        let kind =
            self.take(method, |fault| injected(&fault.kind).is_some() && fault.page.is_none_or(|p| p == page))?;
        injected(&kind)
    }

    /// The zone this call of `method` finds unreachable, used up by one.
    pub(crate) fn take_unreachable(&mut self, method: &str) -> Option<String> {
        match self.take(method, |f| matches!(f.kind, FaultKind::UnreachableZone(_)))? {
            FaultKind::UnreachableZone(zone) => Some(zone),
            _ => None,
        }
    }

    /// The error the operation this call of `method` starts ends with, used up by one.
    pub(crate) fn take_operation_error(&mut self, method: &str) -> Option<(String, String)> {
        match self.take(method, |f| matches!(f.kind, FaultKind::OperationError { .. }))? {
            FaultKind::OperationError { code, message } => Some((code, message)),
            _ => None,
        }
    }

    fn take(&mut self, method: &str, wanted: impl Fn(&Fault) -> bool) -> Option<FaultKind> {
        let index = self.queued.iter().position(|f| f.method == method && wanted(f))?;
        let fault = &mut self.queued[index];
        fault.times -= 1;
        let kind = fault.kind.clone();
        if fault.times == 0 {
            self.queued.remove(index);
        }
        Some(kind)
    }
}

/// What a fault of `kind` answers instead of the method; `None` for the kinds that shape the method's own answer.
fn injected(kind: &FaultKind) -> Option<Injected> {
    Some(match kind {
        FaultKind::Status(code) => Injected::Answer(injected_status(*code)),
        FaultKind::RateLimitExceeded => Injected::Answer(
            ApiError::new(403, "rateLimitExceeded", "Rate Limit Exceeded (injected by the replay)")
                .with_domain("usageLimits"),
        ),
        FaultKind::OperationInProgress => Injected::Answer(ApiError::new(
            409,
            "operationInProgress",
            "Operation failed because another operation was already in progress. (injected by the replay)",
        )),
        FaultKind::Reset => Injected::Reset,
        FaultKind::UnreachableZone(_) | FaultKind::OperationError { .. } => return None,
    })
}

fn injected_status(code: u16) -> ApiError {
    let reason = match code {
        429 => "rateLimitExceeded",
        500..=599 => "backendError",
        _ => "injected",
    };
    ApiError::new(code, reason, format!("HTTP {code} injected by the replay"))
}
