//! The provider interface's types: the `Provider` trait, the call it is given and what it answers, its errors and
//! buckets, and the resource fields every provider reads.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;

/// A secret's value. It prints as `***`; only [`Secret::expose`] gives the text, at the moment of use.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One call to a provider: a query, or an action over one batch of targets.
#[derive(Debug, Clone)]
pub struct ProviderCall {
    pub run_id: String,
    /// The plan node making the call.
    pub node: String,
    /// The stdlib name, such as `aws.ec2.stop` or `compute.stop`.
    pub action: String,
    /// Evaluated arguments, without secrets and without the targets argument.
    pub args: BTreeMap<String, Value>,
    /// Arguments of type secret<string>, resolved.
    pub secrets: BTreeMap<String, Secret>,
    /// This batch's targets (resource records), for actions that declare `targets`; empty otherwise.
    pub targets: Vec<Value>,
    pub dry_run: bool,
    /// Stable across retries and resumes of the same batch: `RUN:NODE:BATCH`.
    pub idempotency_key: String,
    /// An earlier call with this idempotency key may have acted: the batch was in doubt when its run resumed, or
    /// this is a retry after an answer that does not say whether the call took effect (a timeout, a 5xx). A
    /// provider that creates resources looks for the ones an earlier call made (it marks each with the key) and
    /// reports them as changed instead of creating them again (see `docs/providers.md`).
    pub in_doubt: bool,
}

impl ProviderCall {
    /// A query a provider runs outside any run, for discovery (`escher inventory`): no run, no targets, no
    /// secrets.
    pub fn discovery_query(action: &str, args: BTreeMap<String, Value>) -> ProviderCall {
        ProviderCall {
            run_id: String::new(),
            node: "inventory".into(),
            action: action.into(),
            args,
            secrets: BTreeMap::new(),
            targets: Vec::new(),
            dry_run: false,
            idempotency_key: String::new(),
            in_doubt: false,
        }
    }
}

/// The tag (or label, or client token) under which a provider marks what it creates with the batch's
/// idempotency key, so a call in doubt can find what an earlier call made.
pub const IDEMPOTENCY_TAG: &str = "escher-idempotency-key";

/// What happened to one target.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TargetStatus {
    /// The action changed it (or, in a dry run, would have).
    Changed,
    /// It was already in the desired state.
    Unchanged,
    Failed {
        error: String,
    },
    /// Dry run only: the action cannot be simulated for this target.
    NotSimulated {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TargetResult {
    pub id: String,
    #[serde(flatten)]
    pub status: TargetStatus,
    /// The resource as it is after the call (or would be, in a dry run).
    pub resource: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProviderResponse {
    /// A query's result, a report, or an action without targets.
    Value(Value),
    /// One result per target of the batch.
    Targets(Vec<TargetResult>),
}

/// Why a call failed as a whole. Only throttling, unavailability (5xx) and timeouts are retried.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("throttled: {message}")]
    Throttled { message: String, retry_after: Option<Duration> },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("timed out: {0}")]
    Timeout(String),
    /// A 4xx: the request was refused (permissions, missing resource, conflict).
    #[error("rejected: {0}")]
    Rejected(String),
    /// The request was malformed; retrying cannot help.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// Dry run: this provider cannot simulate the action.
    #[error("not simulated: {0}")]
    NotSimulated(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl ProviderError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ProviderError::Throttled { .. } | ProviderError::Unavailable(_) | ProviderError::Timeout(_))
    }
}

/// A token bucket: `capacity` calls at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub capacity: u32,
    pub per_second: f64,
}

/// The bucket for a rate class that changes things when its provider names no bucket for it: providers declare
/// their own ([`Provider::bucket`]); this is only the conservative floor for a class one forgot.
pub const UNDECLARED_WRITES: Bucket = Bucket { capacity: 20, per_second: 2.0 };
/// The bucket for an undeclared class that only reads.
pub const UNDECLARED_READS: Bucket = Bucket { capacity: 50, per_second: 10.0 };

/// A message for a cloud's notification service (`notify`'s `sns`), which a provider of that cloud publishes.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The topic as the playbook names it (`arn:aws:sns:REGION:ACCOUNT:NAME`).
    pub topic: String,
    /// A short subject line, for subscribers that show one (email).
    pub subject: String,
    /// The body: the message, then the run, playbook and step it came from.
    pub message: String,
    /// Attributes subscribers can filter on: `run_id`, `playbook`, `step`, `channel`.
    pub attributes: BTreeMap<String, String>,
}

/// A simulated cloud's clock, which a `wait` moves ahead at once (see [`Provider::clock`]).
pub trait SimulatedClock: Send + Sync {
    fn advance(&self, by: std::time::Duration);
}

/// A cloud, or the simulator, as the runtime sees it.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// A short name for events, rate-limit keys and the journal: `sim`, `aws`.
    fn name(&self) -> &str;

    /// Whether this provider serves calls for `cloud` (the simulator serves all).
    fn serves(&self, cloud: Cloud) -> bool;

    /// Performs one query or one batch of an action.
    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError>;

    /// The current state of the given resources (by their `id`), to re-check steps that were in flight when a run
    /// stopped. A resource that no longer exists is left out.
    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError>;

    /// Whether `resource` is already as `call` would leave it: `resource` is the target as `describe` finds it
    /// now (`None` when it no longer exists) or as the plan saw it before the call. On resume, a target of a
    /// batch in doubt that is done now but was not before was changed by this run: it is recorded as changed
    /// and not called again. `None` means the provider cannot tell for this action (creations, reboots); such
    /// targets are called again, with [`ProviderCall::in_doubt`] set.
    fn is_done(&self, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
        let _ = (call, resource);
        None
    }

    /// Called once when this process is done with the run (it ended, was suspended or cancelled): a provider
    /// that keeps state of its own settles it here (the simulator folds its estate's change log into the file).
    async fn finish(&self) -> Result<(), ProviderError> {
        Ok(())
    }

    /// The clouds' clock, for a provider that keeps its own (a simulator). When every provider of a run has one,
    /// a `wait` moves them ahead instead of sleeping: the run shows the time waited, and it passes at once.
    /// Real clouds have none: a wait on them is spent.
    fn clock(&self) -> Option<&dyn SimulatedClock> {
        None
    }

    /// Publishes `notification` to a topic of this provider's cloud (`notify`'s `sns`), `Ok` once the service
    /// took it. The runtime tries a retryable error again, within its delivery timeout; a provider that talks to a
    /// cloud's API so leaves its SDK's own retries off for it. A provider without a notification service keeps
    /// this default, which refuses: the runtime links no cloud SDK, so a cloud's provider is its only way there.
    async fn publish(&self, notification: &Notification) -> Result<(), ProviderError> {
        let _ = notification;
        Err(ProviderError::Unsupported(format!("the `{}` provider publishes no notifications", self.name())))
    }

    /// The token bucket of a rate-limit class of this provider's declarations (`ec2.mutating`), per account and
    /// region; `None` for a class it does not know, which gets the runtime's conservative floor
    /// ([`UNDECLARED_WRITES`], [`UNDECLARED_READS`]).
    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        let _ = rate_class;
        None
    }

    /// Whether this cloud's rate limits are per region of an account (AWS's, the default) or per account alone
    /// (Azure Resource Manager's are per subscription, whatever the region): with `false`, every region of an
    /// account draws from one bucket per rate class.
    fn regional_buckets(&self) -> bool {
        true
    }
}

/// An error and its causes, joined with `: ` (a cause that repeats the message before it is left out): the
/// top-level messages of SDK and credential errors ("dispatch failure", "request to fetch the token failed")
/// say too little alone.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The `id` field of a resource record.
pub fn resource_id(resource: &Value) -> Option<&str> {
    match resource {
        Value::Record(fields) => match fields.get("id") {
            Some(Value::String(id)) => Some(id),
            _ => None,
        },
        _ => None,
    }
}

/// A string field of a resource record.
pub fn resource_field<'a>(resource: &'a Value, field: &str) -> Option<&'a str> {
    match resource {
        Value::Record(fields) => match fields.get(field) {
            Some(Value::String(value)) => Some(value),
            _ => None,
        },
        _ => None,
    }
}

/// A bool field of a resource record.
pub fn resource_bool(resource: &Value, field: &str) -> Option<bool> {
    match resource {
        Value::Record(fields) => match fields.get(field) {
            Some(Value::Bool(value)) => Some(*value),
            _ => None,
        },
        _ => None,
    }
}

/// An int field of a resource record.
pub fn resource_int(resource: &Value, field: &str) -> Option<i64> {
    match resource {
        Value::Record(fields) => match fields.get(field) {
            Some(Value::Int(value)) => Some(*value),
            _ => None,
        },
        _ => None,
    }
}

/// A resource record's `tags` (its labels, on GCP); empty when it has none.
pub fn resource_tags(resource: &Value) -> BTreeMap<String, String> {
    match resource {
        Value::Record(fields) => match fields.get("tags") {
            Some(Value::Record(tags)) => tags
                .iter()
                .filter_map(|(key, value)| match value {
                    Value::String(value) => Some((key.clone(), value.clone())),
                    _ => None,
                })
                .collect(),
            _ => BTreeMap::new(),
        },
        _ => BTreeMap::new(),
    }
}

/// Whether a resource record's `tags` hold every `wanted` key with its value.
pub fn resource_has_tags(resource: &Value, wanted: &BTreeMap<String, String>) -> bool {
    let tags = match resource {
        Value::Record(fields) => fields.get("tags"),
        _ => None,
    };
    wanted.iter().all(|(key, value)| match tags {
        Some(Value::Record(tags)) => matches!(tags.get(key), Some(Value::String(v)) if v == value),
        _ => false,
    })
}

/// The resource record with one field set (the resource as an action leaves it).
pub fn with_resource_field(resource: &Value, field: &str, value: Value) -> Value {
    let mut resource = resource.clone();
    if let Value::Record(fields) = &mut resource {
        fields.insert(field.to_string(), value);
    }
    resource
}
