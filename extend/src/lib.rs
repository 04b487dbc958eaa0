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
