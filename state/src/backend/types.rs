//! What every backend reads and writes: objects at versions, and how a write treats what is there.

use bytes::Bytes;

/// An object's version as its store reports it (an ETag, a GCS generation, a content hash locally): what a
/// conditional update is made against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(pub String);

/// An object and the version it was read at.
#[derive(Debug, Clone)]
pub struct Object {
    pub bytes: Bytes,
    pub version: Version,
}

/// How a write treats an object already there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutMode {
    /// Replace whatever is there (atomically: readers see the old object or the new one).
    Overwrite,
    /// Write only if nothing is there.
    Create,
    /// Write only if the object is still at this version.
    Update(Version),
}

/// A backend's failure, before the store adds its URL and the key.
#[derive(Debug)]
pub(crate) enum BackendError {
    Exists,
    Changed,
    Other(String),
}
