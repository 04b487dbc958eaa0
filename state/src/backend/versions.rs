//! The earlier versions of objects in a versioned S3 bucket (ListObjectVersions, then GetObject by version id),
//! through the official SDK: `object_store` reads only current objects. What a delete or an overwrite hid is still
//! there in such a bucket, and reading it is how approvals stick (see [`crate::Store::past_versions`]).

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use bytes::Bytes;
use escher_runtime::provider::error_chain;
use tokio::sync::OnceCell;

use crate::options::StoreOptions;

pub(crate) struct S3Versions {
    bucket: String,
    prefix: String,
    options: StoreOptions,
    client: OnceCell<aws_sdk_s3::Client>,
}

/// An object's version that is not its current one: overwritten, or hidden by a delete marker.
pub(crate) struct HiddenVersion {
    pub key: String,
    pub version_id: String,
    /// Whether no current version of the key exists (it was deleted).
    pub deleted: bool,
}

impl S3Versions {
    pub(crate) fn new(bucket: &str, prefix: &str, options: &StoreOptions) -> S3Versions {
        S3Versions {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            options: options.clone(),
            client: OnceCell::new(),
        }
    }

    /// The SDK client, made on first use from the same settings as the store's: explicit options over the
    /// standard `AWS_*` environment.
    async fn client(&self) -> &aws_sdk_s3::Client {
        self.client
            .get_or_init(|| async {
                let setting = |key: &str| self.options.config.get(key).cloned();
                let mut loader = aws_config::defaults(BehaviorVersion::latest());
                let endpoint = self.options.endpoint.clone().or_else(|| std::env::var("AWS_ENDPOINT_URL_S3").ok());
                if let Some(endpoint) = &endpoint {
                    loader = loader.endpoint_url(endpoint);
                }
                if let Some(region) = setting("aws_region") {
                    loader = loader.region(Region::new(region));
                }
                if let (Some(id), Some(secret)) = (setting("aws_access_key_id"), setting("aws_secret_access_key")) {
                    loader = loader.credentials_provider(Credentials::new(id, secret, None, None, "escher-options"));
                }
                let shared = loader.load().await;
                let path_style = endpoint.is_some() || shared.endpoint_url().is_some();
                let config = aws_sdk_s3::config::Builder::from(&shared).force_path_style(path_style).build();
                aws_sdk_s3::Client::from_conf(config)
            })
            .await
    }

    fn full(&self, key: &str) -> String {
        if self.prefix.is_empty() { key.to_string() } else { format!("{}/{key}", self.prefix) }
    }

    /// Every version under `prefix` that is not its key's current one. An unversioned bucket has none.
    pub(crate) async fn hidden(&self, prefix: &str) -> Result<Vec<HiddenVersion>, String> {
        let client = self.client().await;
        let full_prefix = self.full(prefix);
        let strip = |key: &str| key.strip_prefix(&self.full("")).unwrap_or(key).to_string();
        let (mut versions, mut current) = (Vec::new(), std::collections::HashSet::new());
        let mut markers: (Option<String>, Option<String>) = (None, None);
        loop {
            let page = client
                .list_object_versions()
                .bucket(&self.bucket)
                .prefix(&full_prefix)
                .set_key_marker(markers.0.take())
                .set_version_id_marker(markers.1.take())
                .send()
                .await
                .map_err(|error| error_chain(&error))?;
            for version in page.versions() {
                let (Some(key), Some(id)) = (version.key(), version.version_id()) else { continue };
                if version.is_latest() == Some(true) {
                    current.insert(key.to_string());
                } else {
                    versions.push((key.to_string(), id.to_string()));
                }
            }
            if page.is_truncated() != Some(true) {
                break;
            }
            markers = (page.next_key_marker().map(str::to_string), page.next_version_id_marker().map(str::to_string));
        }
        Ok(versions
            .into_iter()
            .map(|(key, version_id): (String, String)| HiddenVersion {
                deleted: !current.contains(&key),
                key: strip(&key),
                version_id,
            })
            .collect())
    }

    /// The bytes of one version of `key`.
    pub(crate) async fn get(&self, key: &str, version_id: &str) -> Result<Bytes, String> {
        let client = self.client().await;
        let object = client
            .get_object()
            .bucket(&self.bucket)
            .key(self.full(key))
            .version_id(version_id)
            .send()
            .await
            .map_err(|error| error_chain(&error))?;
        let body = object.body.collect().await.map_err(|error| error.to_string())?;
        Ok(body.into_bytes())
    }
}
