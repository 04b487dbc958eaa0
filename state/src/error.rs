//! What can go wrong with a state store, each naming the store and the key involved.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{url}: \"{text}\" is not a state location: {reason}")]
    BadUrl { url: String, text: String, reason: String },
    #[error("{url}: {key} already exists")]
    AlreadyExists { url: String, key: String },
    #[error("{url}: {key} changed since it was read (another writer got there first)")]
    Changed { url: String, key: String },
    #[error("{url}: {key} does not exist")]
    NotFound { url: String, key: String },
    #[error("{url}: {key}: {message}")]
    Backend { url: String, key: String, message: String },
    #[error("{url}: {key} is not valid: {message}")]
    Corrupt { url: String, key: String, message: String },
    #[error(
        "{url} holds state in layout version {found}; this Escher ({escher}) understands versions up to {supported}. \
         Upgrade Escher to use this state; nothing was changed."
    )]
    NewerLayout { url: String, found: u32, supported: u32, escher: String },
}

impl StoreError {
    /// True when a conditional write lost: the object existed, or changed since it was read.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::AlreadyExists { .. } | StoreError::Changed { .. })
    }
}
