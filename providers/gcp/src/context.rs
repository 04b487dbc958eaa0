//! What a run or a discovery uses of GCP: the configuration, the signed-in [`Api`], and the projects it may
//! touch: those `gcp.json` lists, else the credentials' own.

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::api::{Api, Request};
use crate::auth::{Environment, SignedIn, sign_in, sign_in_with_key};
use crate::config::{CredentialSource, GcpConfig};
use crate::errors::ApiError;
use crate::operations::Patience;
use crate::record::field;

pub struct GcpContext {
    pub(crate) config: GcpConfig,
    pub(crate) api: Api,
    pub(crate) patience: Patience,
    projects: Vec<String>,
    source: CredentialSource,
}

impl GcpContext {
    /// Signs in through the credential chain, reading `env`, and settles the projects: a missing credential or
    /// project is said here, before anything runs.
    pub async fn connect(config: GcpConfig, env: &Environment) -> Result<GcpContext, String> {
        let signed_in = sign_in(&config, env).await.map_err(|error| error.to_string())?;
        GcpContext::signed_in(config, signed_in)
    }

    /// Signs in with a service account key the host holds in memory (its JSON text) instead of the chain.
    pub async fn connect_with_key(config: GcpConfig, key: &str) -> Result<GcpContext, String> {
        let signed_in = sign_in_with_key(&config, key).await.map_err(|error| error.to_string())?;
        GcpContext::signed_in(config, signed_in)
    }

    fn signed_in(config: GcpConfig, signed_in: SignedIn) -> Result<GcpContext, String> {
        let projects: Vec<String> = if config.projects.is_empty() {
            let own = signed_in.project.clone().ok_or_else(|| {
                format!(
                    "no GCP project: gcp.json lists none and the credentials ({}) name none; list them under `projects`",
                    signed_in.source.name()
                )
            })?;
            vec![own]
        } else {
            config.projects.iter().map(|p| p.id.clone()).collect()
        };
        let api = Api::new(&config, signed_in.credentials)?;
        let patience = Patience { timeout: config.operation_timeout(), poll_interval: config.poll_interval() };
        Ok(GcpContext { config, api, patience, projects, source: signed_in.source })
    }

    pub fn config(&self) -> &GcpConfig {
        &self.config
    }

    /// The projects queries list when they name none.
    pub fn projects(&self) -> &[String] {
        &self.projects
    }

    /// Where the credentials came from.
    pub fn credential_source(&self) -> CredentialSource {
        self.source
    }

    fn known(&self, project: &str) -> Result<String, ProviderError> {
        if self.projects.iter().any(|p| p == project) {
            Ok(project.to_string())
        } else {
            Err(ProviderError::Rejected(format!(
                "project `{project}` is not one Escher may reach (gcp.json or the credentials: {})",
                self.projects.join(", ")
            )))
        }
    }

    /// The projects a query lists: its `project` argument, else all.
    pub(crate) fn listed(&self, only: Option<&str>) -> Result<Vec<String>, ProviderError> {
        match only {
            Some(project) => Ok(vec![self.known(project)?]),
            None => Ok(self.projects.clone()),
        }
    }

    /// The project a target lives in, refused before any call when Escher may not reach it.
    pub(crate) fn home(&self, target: &Value) -> Result<String, ProviderError> {
        match field(target, "project") {
            "" => Err(ProviderError::Invalid(format!("`{}` names no project", field(target, "id")))),
            project => self.known(project),
        }
    }

    pub(crate) async fn send(&self, request: &Request) -> Result<Json, ApiError> {
        self.api.send(request).await
    }

    /// A GET of one resource; `None` when it no longer exists.
    pub(crate) async fn find(&self, request: &Request) -> Result<Option<Json>, ProviderError> {
        match self.api.send(request).await {
            Ok(found) => Ok(Some(found)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}

/// A value for one target that stays the same across retries and resumes of its batch: the batch's idempotency
/// key and the target, hashed. As a UUID (`requestId` must be one), or as the hex Google's labels allow.
pub(crate) fn stable_id(idempotency_key: &str, target: &str) -> [u8; 16] {
    let digest = Sha256::digest(format!("{idempotency_key}\n{target}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes
}

/// Compute's `requestId`: a repeat of it within a day answers the first request's operation and does nothing
/// again. Name-based (version 5 layout) from [`stable_id`].
pub(crate) fn request_id(idempotency_key: &str, target: &str) -> String {
    let mut bytes = stable_id(idempotency_key, target);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// The label value that marks what a batch created: its idempotency key hashed to lowercase hex, which labels
/// allow (the key itself holds `:` and upper case).
pub(crate) fn idempotency_label(idempotency_key: &str) -> String {
    hex::encode(stable_id(idempotency_key, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuids_stable_per_batch_and_target() {
        let id = request_id("run-1:stop:0", "projects/p/zones/z/instances/a");
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_eq!(&id[14..15], "5");
        assert_eq!(id, request_id("run-1:stop:0", "projects/p/zones/z/instances/a"));
        assert_ne!(id, request_id("run-1:stop:0", "projects/p/zones/z/instances/b"));
        assert_ne!(id, request_id("run-1:stop:1", "projects/p/zones/z/instances/a"));
    }

    #[test]
    fn the_idempotency_label_is_a_valid_label_value() {
        let value = idempotency_label("Run-1:Snap:0");
        assert_eq!(value.len(), 32);
        assert!(value.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}
