//! The Extended Laptop: Escher's engine in the user's own cloud account, running scheduled playbooks while the
//! laptop is off (docs/extended-laptop.md).
//!
//! [`image`] builds the engine's container image without a container daemon or a base image, writes it as an
//! OCI image layout and pushes it to a registry. [`plan`] is what `escher extend <cloud> --plan` prints, and
//! [`Record`] what is kept of an Extended Laptop in its state bucket (`extend.json`). Each cloud is one module
//! behind a feature: [`aws`] (ECS on Fargate, EventBridge Scheduler, S3, SSM Parameter Store).

#[cfg(feature = "aws")]
pub mod aws;
pub mod image;
pub mod plan;
mod record;

pub use record::{RECORD_KEY, Record, RecordedResource};

use plan::Change;

/// What a host hears of each resource once it is handled, with its id; it may refuse to go on (a host that
/// cannot audit a change stops).
pub type Done<'a> = dyn FnMut(&Change, &str) -> Result<(), ExtendError> + Send + 'a;

/// A schedule as the state holds it: name, 5-field cron, IANA time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub name: String,
    pub cron: String,
    pub tz: String,
}

/// A schedule as the cloud's scheduler was given it, and how its expression differs from Escher's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    pub expression: String,
    pub notes: Vec<String>,
}

/// One cloud's Extended Laptop: everything `escher extend`, `schedule add|remove` on its state and `extend
/// status` need, whatever the cloud. AWS implements it ([`aws::AwsExtension`]: S3, ECS on Fargate, EventBridge
/// Scheduler); Azure (Container Instances, Logic Apps, Key Vault) and GCP (Cloud Run jobs, Cloud Scheduler, Secret
/// Manager) are one module each behind it. The secret store's commands stay per cloud: what a credential is
/// differs.
#[async_trait::async_trait]
pub trait Extension: Send + Sync {
    /// The Extended Laptop's name.
    fn name(&self) -> &str;
    /// Where it lives, for people: `AWS account 123456789012 (us-east-1)`.
    fn place(&self) -> String;
    /// Its state: `s3://…` (`az://…`, `gs://…`).
    fn state_url(&self) -> String;
    /// The cloud's scheduler, for people: `EventBridge`.
    fn scheduler(&self) -> &'static str;
    /// Where in it this Extended Laptop's schedules are: `group escher-lab`.
    fn schedule_place(&self) -> String;

    /// What [`Extension::apply`] would do, resource by resource.
    async fn plan(&self) -> Result<Vec<Change>, ExtendError>;
    /// Creates the state's storage, or brings it back; its change and id. The first thing `apply` does, on its
    /// own so that a host can attach the state (for the audit log) before anything else is made.
    async fn ensure_state(&self) -> Result<(Change, String), ExtendError>;
    /// Creates what is missing and brings back what drifted, in dependency order.
    async fn apply(&self, done: &mut Done<'_>) -> Result<Record, ExtendError>;
    /// What [`Extension::destroy`] would remove, in its order.
    async fn destroy_plan(&self, delete_state: bool) -> Result<Vec<Change>, ExtendError>;
    /// Removes everything in reverse dependency order, the state's storage only with `delete_state`.
    async fn destroy(&self, delete_state: bool, done: &mut Done<'_>) -> Result<(), ExtendError>;
    /// `extend.json` as the state holds it.
    async fn record(&self) -> Result<Option<Record>, ExtendError>;

    /// Refuses a cron the cloud's scheduler cannot say, before anything is stored.
    fn check_cron(&self, cron: &str) -> Result<(), ExtendError>;
    /// Creates or updates the cloud's schedule for `schedule`.
    async fn put_schedule(&self, schedule: &Wanted) -> Result<Scheduled, ExtendError>;
    async fn delete_schedule(&self, name: &str) -> Result<(), ExtendError>;
    /// The cloud's schedules against `wanted` (`+` missing, `~` different, `-` only in the cloud), put right
    /// with `apply`.
    async fn sync_schedules(&self, wanted: &[Wanted], apply: bool) -> Result<Vec<Change>, ExtendError>;
}

#[derive(Debug, thiserror::Error)]
pub enum ExtendError {
    /// A name, flag or setting that cannot work.
    #[error("{0}")]
    Usage(String),
    /// A cloud API refused or failed.
    #[error("{operation}: {detail}")]
    Cloud { operation: String, detail: String },
    #[error(transparent)]
    Image(#[from] image::ImageError),
    /// What exists cannot be changed as asked (a non-empty state bucket without --delete-state, say).
    #[error("{0}")]
    Refused(String),
}

impl ExtendError {
    /// A failed call, with its error's whole chain of causes (an SDK error's own message is often only
    /// "service error").
    pub fn cloud(operation: &str, error: &(dyn std::error::Error + 'static)) -> ExtendError {
        let mut detail = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !detail.contains(&text) {
                detail.push_str(": ");
                detail.push_str(&text);
            }
            source = cause.source();
        }
        ExtendError::Cloud { operation: operation.to_string(), detail }
    }
}
