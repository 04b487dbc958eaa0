//! A second home for the journal that a commit must reach before the run acts on it.
//!
//! When state lives in the user's bucket, the runtime writes to a local copy and the host replicates it. A record
//! that is synced locally but not yet in the bucket dies with a container that dies, and a resume elsewhere would
//! then repeat a call the lost record said had started. With a replica, each group commit returns only once the
//! replica holds the journal up to it: no provider call is made on a record that only the local disk knows.

use std::path::Path;

pub trait Replica: Send + Sync {
    /// Called on a blocking thread after records were synced to `journal` (a file under the state directory),
    /// before any caller learns they are durable. Returns once the replica holds every complete line of the
    /// file. `Err(reason)` counts as a failed journal write: the run stops.
    fn journal_synced(&self, journal: &Path) -> Result<(), ReplicaError>;
}

/// Why a replica does not hold the journal: the host's own error, kept whole.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReplicaError(#[from] pub Box<dyn std::error::Error + Send + Sync>);

impl From<String> for ReplicaError {
    fn from(reason: String) -> Self {
        ReplicaError(reason.into())
    }
}
