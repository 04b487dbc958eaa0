//! S3 and Azure Blob through the `object_store` crate. Its PUT is atomic; `PutMode::Create` and `Update` map to
//! conditional requests (`If-None-Match: *`, `If-Match: <etag>`), which both stores enforce.

use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, PutOptions, PutPayload, UpdateVersion};

use super::types::{BackendError, Object, PutMode, Version};

pub(crate) struct ObjectBackend {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

fn other(error: object_store::Error) -> BackendError {
    BackendError::Other(error.to_string())
}

impl ObjectBackend {
    pub(crate) fn new(store: Arc<dyn ObjectStore>, prefix: &str) -> ObjectBackend {
        ObjectBackend { store, prefix: prefix.trim_matches('/').to_string() }
    }

    fn path(&self, key: &str) -> Path {
        if self.prefix.is_empty() { Path::from(key) } else { Path::from(format!("{}/{key}", self.prefix)) }
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<Object>, BackendError> {
        match self.store.get(&self.path(key)).await {
            Ok(result) => {
                let version = Version(result.meta.e_tag.clone().unwrap_or_default());
                let bytes = result.bytes().await.map_err(other)?;
                Ok(Some(Object { bytes, version }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(other(error)),
        }
    }

    pub(crate) async fn put(&self, key: &str, bytes: Bytes, mode: PutMode) -> Result<Version, BackendError> {
        let mode = match mode {
            PutMode::Overwrite => object_store::PutMode::Overwrite,
            PutMode::Create => object_store::PutMode::Create,
            PutMode::Update(version) => {
                object_store::PutMode::Update(UpdateVersion { e_tag: Some(version.0), version: None })
            }
        };
        let options = PutOptions { mode, ..PutOptions::default() };
        match self.store.put_opts(&self.path(key), PutPayload::from_bytes(bytes), options).await {
            Ok(result) => Ok(Version(result.e_tag.unwrap_or_default())),
            Err(object_store::Error::AlreadyExists { .. }) => Err(BackendError::Exists),
            Err(object_store::Error::Precondition { .. }) => Err(BackendError::Changed),
            Err(error) => Err(other(error)),
        }
    }

    pub(crate) async fn list(&self, prefix: &str) -> Result<Vec<String>, BackendError> {
        let start = self.path(prefix.trim_end_matches('/'));
        let strip = if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) };
        let metas: Vec<_> = self.store.list(Some(&start)).try_collect().await.map_err(other)?;
        Ok(metas
            .into_iter()
            .filter_map(|meta| meta.location.as_ref().strip_prefix(&strip).map(str::to_string))
            .filter(|key| key.starts_with(prefix))
            .collect())
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<(), BackendError> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(other(error)),
        }
    }
}
