//! A state store: a [`StoreUrl`] opened on its backend, with the operations everything else is built from.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
use object_store::azure::MicrosoftAzureBuilder;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::{Backend, BackendError, GcsBackend, LocalBackend, Object, ObjectBackend, PutMode, Version};
use crate::error::StoreError;
use crate::options::StoreOptions;
use crate::url::StoreUrl;

pub struct Store {
    url: StoreUrl,
    backend: Backend,
    /// A versioned S3 bucket's earlier versions, when this build reads them.
    #[cfg(feature = "s3-versions")]
    versions: Option<crate::backend::S3Versions>,
}

/// An object's earlier version, hidden by a delete or an overwrite.
#[derive(Debug, Clone)]
pub struct HiddenObject {
    pub key: String,
    pub bytes: Bytes,
    /// Whether the key has no current version (it was deleted), rather than a newer one.
    pub deleted: bool,
}

impl Store {
    /// Opens the store a URL names. Nothing is read or written yet; a bucket that does not exist fails on first
    /// use, with the store's own message.
    pub fn open(url: &StoreUrl, options: &StoreOptions) -> Result<Store, StoreError> {
        let failed = |message: String| StoreError::Backend { url: url.to_string(), key: String::new(), message };
        let endpoint = options.endpoint.clone();
        let backend = match url {
            StoreUrl::Local(path) => Backend::Local(LocalBackend::new(path.clone())),
            StoreUrl::S3 { bucket, prefix } => {
                let mut builder = AmazonS3Builder::from_env();
                if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL_S3") {
                    builder = builder.with_endpoint(endpoint);
                }
                for (key, value) in &options.config {
                    if key.starts_with("aws_")
                        && let Ok(key) = key.parse()
                    {
                        builder = builder.with_config(key, value);
                    }
                }
                if let Some(endpoint) = &endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                let plain_http = endpoint.as_deref().is_some_and(|e| e.starts_with("http://"))
                    || std::env::var("AWS_ENDPOINT_URL").is_ok_and(|e| e.starts_with("http://"));
                let store = builder
                    .with_bucket_name(bucket)
                    .with_allow_http(plain_http)
                    .with_virtual_hosted_style_request(false)
                    .with_conditional_put(S3ConditionalPut::ETagMatch)
                    .build()
                    .map_err(|e| failed(e.to_string()))?;
                Backend::Object(ObjectBackend::new(Arc::new(store), prefix))
            }
            StoreUrl::Azure { container, prefix } => {
                let mut builder = MicrosoftAzureBuilder::from_env();
                for (key, value) in &options.config {
                    if key.starts_with("azure_")
                        && let Ok(key) = key.parse()
                    {
                        builder = builder.with_config(key, value);
                    }
                }
                if let Some(endpoint) = &endpoint {
                    // An emulator's endpoint is path-style: the account is the first segment.
                    let account = options.config.get("azure_storage_account_name").cloned().unwrap_or_default();
                    let url = if endpoint.contains("127.0.0.1") || endpoint.contains("localhost") {
                        format!("{endpoint}/{account}")
                    } else {
                        endpoint.clone()
                    };
                    builder = builder.with_endpoint(url).with_allow_http(endpoint.starts_with("http://"));
                }
                let store = builder.with_container_name(container).build().map_err(|e| failed(e.to_string()))?;
                Backend::Object(ObjectBackend::new(Arc::new(store), prefix))
            }
            StoreUrl::Gcs { bucket, prefix } => {
                let endpoint = endpoint
                    .or_else(|| std::env::var("STORAGE_EMULATOR_HOST").ok())
                    .unwrap_or_else(|| "https://storage.googleapis.com".to_string());
                let token = std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").ok().filter(|t| !t.is_empty());
                Backend::Gcs(GcsBackend::new(&endpoint, bucket, prefix, token).map_err(failed)?)
            }
        };
        Ok(Store {
            #[cfg(feature = "s3-versions")]
            versions: match url {
                StoreUrl::S3 { bucket, prefix } => Some(crate::backend::S3Versions::new(bucket, prefix, options)),
                _ => None,
            },
            url: url.clone(),
            backend,
        })
    }

    /// Opens a local directory.
    pub fn local(dir: impl Into<PathBuf>) -> Store {
        let dir = dir.into();
        Store {
            url: StoreUrl::Local(dir.clone()),
            backend: Backend::Local(LocalBackend::new(dir)),
            #[cfg(feature = "s3-versions")]
            versions: None,
        }
    }

    /// The earlier versions of the objects under `prefix` that a delete or an overwrite hid, from a store that
    /// keeps them (an S3 bucket, read with the `s3-versions` feature, or a GCS bucket; one without versioning has
    /// none to give).
    /// `None` from a store this build cannot read versions of, so the caller can say so.
    pub async fn hidden_versions(&self, prefix: &str) -> Result<Option<Vec<HiddenObject>>, StoreError> {
        #[cfg(feature = "s3-versions")]
        if let Some(versions) = &self.versions {
            let failed =
                |message: String| StoreError::Backend { url: self.url.to_string(), key: prefix.into(), message };
            let mut hidden = Vec::new();
            for version in versions.hidden(prefix).await.map_err(failed)? {
                let bytes = versions.get(&version.key, &version.version_id).await.map_err(failed)?;
                hidden.push(HiddenObject { key: version.key, bytes, deleted: version.deleted });
            }
            return Ok(Some(hidden));
        }
        if let Backend::Gcs(gcs) = &self.backend {
            let hidden = gcs.hidden(prefix).await.map_err(|error| self.error(prefix, error))?;
            let hidden = hidden.into_iter().map(|(key, bytes, deleted)| HiddenObject { key, bytes, deleted });
            return Ok(Some(hidden.collect()));
        }
        Ok(None)
    }

    pub fn url(&self) -> &StoreUrl {
        &self.url
    }

    fn error(&self, key: &str, error: BackendError) -> StoreError {
        let (url, key) = (self.url.to_string(), key.to_string());
        match error {
            BackendError::Exists => StoreError::AlreadyExists { url, key },
            BackendError::Changed => StoreError::Changed { url, key },
            BackendError::Other(message) => StoreError::Backend { url, key, message },
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        self.backend.get(key).await.map_err(|e| self.error(key, e))
    }

    pub async fn put(&self, key: &str, bytes: impl Into<Bytes>, mode: PutMode) -> Result<Version, StoreError> {
        self.backend.put(key, bytes.into(), mode).await.map_err(|e| self.error(key, e))
    }

    /// Every key under a folder (`runs/`), at any depth, sorted.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.backend.list(prefix).await.map_err(|e| self.error(prefix, e))
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.backend.delete(key).await.map_err(|e| self.error(key, e))
    }

    /// A JSON object and its version, if it exists.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<(T, Version)>, StoreError> {
        let Some(object) = self.get(key).await? else { return Ok(None) };
        let value = serde_json::from_slice(&object.bytes).map_err(|error| StoreError::Corrupt {
            url: self.url.to_string(),
            key: key.to_string(),
            message: error.to_string(),
        })?;
        Ok(Some((value, object.version)))
    }

    pub async fn put_json<T: Serialize>(&self, key: &str, value: &T, mode: PutMode) -> Result<Version, StoreError> {
        let mut bytes = serde_json::to_vec_pretty(value).map_err(|error| StoreError::Corrupt {
            url: self.url.to_string(),
            key: key.to_string(),
            message: error.to_string(),
        })?;
        bytes.push(b'\n');
        self.put(key, bytes, mode).await
    }
}
