//! The stores behind a [`crate::Store`]: the same five operations (get, conditional put, list, delete) over a
//! local directory, an object store reached through the `object_store` crate (S3, Azure Blob), and Google Cloud
//! Storage's JSON API.

mod gcs;
pub(crate) mod local;
mod object;
mod types;
#[cfg(feature = "s3-versions")]
mod versions;

use bytes::Bytes;

pub(crate) use gcs::GcsBackend;
pub(crate) use local::LocalBackend;
pub(crate) use object::ObjectBackend;
pub(crate) use types::BackendError;
pub use types::{Object, PutMode, Version};
#[cfg(feature = "s3-versions")]
pub(crate) use versions::S3Versions;

pub(crate) enum Backend {
    Local(LocalBackend),
    Object(ObjectBackend),
    Gcs(GcsBackend),
}

impl Backend {
    pub(crate) async fn get(&self, key: &str) -> Result<Option<Object>, BackendError> {
        match self {
            Backend::Local(b) => b.get(key),
            Backend::Object(b) => b.get(key).await,
            Backend::Gcs(b) => b.get(key).await,
        }
    }

    pub(crate) async fn put(&self, key: &str, bytes: Bytes, mode: PutMode) -> Result<Version, BackendError> {
        match self {
            Backend::Local(b) => b.put(key, &bytes, mode),
            Backend::Object(b) => b.put(key, bytes, mode).await,
            Backend::Gcs(b) => b.put(key, bytes, mode).await,
        }
    }

    /// Every key under `prefix` (a folder, `runs/`), at any depth, sorted.
    pub(crate) async fn list(&self, prefix: &str) -> Result<Vec<String>, BackendError> {
        let mut keys = match self {
            Backend::Local(b) => b.list(prefix),
            Backend::Object(b) => b.list(prefix).await,
            Backend::Gcs(b) => b.list(prefix).await,
        }?;
        keys.sort();
        Ok(keys)
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<(), BackendError> {
        match self {
            Backend::Local(b) => b.delete(key),
            Backend::Object(b) => b.delete(key).await,
            Backend::Gcs(b) => b.delete(key).await,
        }
    }
}
