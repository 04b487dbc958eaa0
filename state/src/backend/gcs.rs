//! Google Cloud Storage through its JSON API (reqwest). `object_store`'s GCS backend uploads through the XML API,
//! which no GCS emulator available here implements; the JSON API is what fake-gcs-server serves, so this is the
//! client that can be tested. Conditional writes send `ifGenerationMatch` (0 for create-only) on a multipart
//! upload; fake-gcs-server enforces it there (not on plain media uploads), so the lock tests run against it.
//!
//! Credentials: a bearer token from `GOOGLE_OAUTH_ACCESS_TOKEN` (e.g. `gcloud auth print-access-token`); none
//! for an emulator. The endpoint: `STORAGE_EMULATOR_HOST` or the store option `endpoint`.

use bytes::Bytes;
use reqwest::{Client, RequestBuilder, StatusCode, Url};
use serde::Deserialize;

use super::types::{BackendError, Object, PutMode, Version};

pub(crate) struct GcsBackend {
    client: Client,
    endpoint: Url,
    bucket: String,
    prefix: String,
    token: Option<String>,
}

#[derive(Deserialize)]
struct Meta {
    name: String,
    generation: String,
    /// Set on a generation that is no longer current (listed with `versions=true`).
    #[serde(rename = "timeDeleted", default)]
    time_deleted: Option<String>,
}

#[derive(Deserialize)]
struct Listing {
    #[serde(default)]
    items: Vec<Meta>,
    #[serde(rename = "nextPageToken")]
    next_page_token: Option<String>,
}

fn other(error: impl std::fmt::Display) -> BackendError {
    BackendError::Other(error.to_string())
}

impl GcsBackend {
    pub(crate) fn new(endpoint: &str, bucket: &str, prefix: &str, token: Option<String>) -> Result<GcsBackend, String> {
        let endpoint = Url::parse(endpoint).map_err(|error| format!("endpoint {endpoint}: {error}"))?;
        Ok(GcsBackend {
            client: Client::new(),
            endpoint,
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            token,
        })
    }

    fn name(&self, key: &str) -> String {
        if self.prefix.is_empty() { key.to_string() } else { format!("{}/{key}", self.prefix) }
    }

    /// `{endpoint}/{segments...}`, each segment percent-encoded (an object name's `/` included).
    fn url(&self, segments: &[&str]) -> Result<Url, BackendError> {
        let mut url = self.endpoint.clone();
        url.path_segments_mut().map_err(|()| other("the endpoint cannot take a path"))?.pop_if_empty().extend(segments);
        Ok(url)
    }

    fn authorized(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<Object>, BackendError> {
        let name = self.name(key);
        let url = self.url(&["storage", "v1", "b", &self.bucket, "o", &name])?;
        // The content is read at exactly the generation the metadata named, so bytes and version agree; if that
        // generation was replaced in between, read the new one.
        for _ in 0..8 {
            let meta = self.authorized(self.client.get(url.clone())).send().await.map_err(other)?;
            if meta.status() == StatusCode::NOT_FOUND {
                return Ok(None);
            }
            let meta: Meta = meta.error_for_status().map_err(other)?.json().await.map_err(other)?;
            let query = [("alt", "media"), ("generation", meta.generation.as_str())];
            let media = self.authorized(self.client.get(url.clone()).query(&query)).send().await.map_err(other)?;
            if media.status() == StatusCode::NOT_FOUND {
                continue;
            }
            let bytes = media.error_for_status().map_err(other)?.bytes().await.map_err(other)?;
            return Ok(Some(Object { bytes, version: Version(meta.generation) }));
        }
        Err(other(format!("{name} kept changing while it was read")))
    }

    /// A multipart upload (metadata and content in one request): fake-gcs-server enforces `ifGenerationMatch`
    /// on these, as Cloud Storage does on every upload, while it ignores it on plain media uploads.
    pub(crate) async fn put(&self, key: &str, bytes: Bytes, mode: PutMode) -> Result<Version, BackendError> {
        let url = self.url(&["upload", "storage", "v1", "b", &self.bucket, "o"])?;
        let mut query = vec![("uploadType", "multipart".to_string())];
        match &mode {
            PutMode::Overwrite => {}
            PutMode::Create => query.push(("ifGenerationMatch", "0".to_string())),
            PutMode::Update(version) => query.push(("ifGenerationMatch", version.0.clone())),
        }
        let boundary = format!("escher-{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
        let metadata = serde_json::json!({ "name": self.name(key) }).to_string();
        let mut body = Vec::with_capacity(bytes.len() + 256);
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{metadata}\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .client
            .post(url)
            .query(&query)
            .header("content-type", format!("multipart/related; boundary={boundary}"))
            .body(body);
        let response = self.authorized(request).send().await.map_err(other)?;
        if response.status() == StatusCode::PRECONDITION_FAILED {
            return Err(if mode == PutMode::Create { BackendError::Exists } else { BackendError::Changed });
        }
        let meta: Meta = response.error_for_status().map_err(other)?.json().await.map_err(other)?;
        Ok(Version(meta.generation))
    }

    pub(crate) async fn list(&self, prefix: &str) -> Result<Vec<String>, BackendError> {
        let listed = self.listing(prefix, false).await?;
        Ok(listed.into_iter().map(|(key, _)| key).collect())
    }

    /// Every object under `prefix` (with `versions`, every generation), each by key, with its metadata.
    async fn listing(&self, prefix: &str, versions: bool) -> Result<Vec<(String, Meta)>, BackendError> {
        let url = self.url(&["storage", "v1", "b", &self.bucket, "o"])?;
        let full = self.name(prefix);
        let strip = if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) };
        let mut listed = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut query = vec![("prefix", full.clone())];
            if versions {
                query.push(("versions", "true".to_string()));
            }
            if let Some(token) = &page {
                query.push(("pageToken", token.clone()));
            }
            let response = self.authorized(self.client.get(url.clone()).query(&query)).send().await.map_err(other)?;
            let listing: Listing = response.error_for_status().map_err(other)?.json().await.map_err(other)?;
            listed.extend(listing.items.into_iter().filter_map(|meta| {
                let key = meta.name.strip_prefix(&strip)?.to_string();
                Some((key, meta))
            }));
            match listing.next_page_token.filter(|token| !token.is_empty()) {
                Some(token) => page = Some(token),
                None => return Ok(listed),
            }
        }
    }

    /// The generations under `prefix` that are no longer current (a bucket with versioning keeps them), with
    /// their bytes and whether their key has no current generation (it was deleted).
    pub(crate) async fn hidden(&self, prefix: &str) -> Result<Vec<(String, Bytes, bool)>, BackendError> {
        let listed = self.listing(prefix, true).await?;
        let current: std::collections::HashSet<&str> =
            listed.iter().filter(|(_, meta)| meta.time_deleted.is_none()).map(|(key, _)| key.as_str()).collect();
        let mut hidden = Vec::new();
        for (key, meta) in listed.iter().filter(|(_, meta)| meta.time_deleted.is_some()) {
            let url = self.url(&["storage", "v1", "b", &self.bucket, "o", &meta.name])?;
            let query = [("alt", "media"), ("generation", meta.generation.as_str())];
            let media = self.authorized(self.client.get(url).query(&query)).send().await.map_err(other)?;
            let bytes = media.error_for_status().map_err(other)?.bytes().await.map_err(other)?;
            hidden.push((key.clone(), bytes, !current.contains(key.as_str())));
        }
        Ok(hidden)
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<(), BackendError> {
        let name = self.name(key);
        let url = self.url(&["storage", "v1", "b", &self.bucket, "o", &name])?;
        let response = self.authorized(self.client.delete(url)).send().await.map_err(other)?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(());
        }
        response.error_for_status().map_err(other)?;
        Ok(())
    }
}
