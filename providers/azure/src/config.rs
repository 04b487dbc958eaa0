//! Escher's Azure configuration: which subscriptions to reach, how to sign in, and where Resource Manager is. It
//! lives in `azure.json` in the state directory (or the file the provider's `config` option names); see
//! `docs/azure.md`.
//!
//! ```json
//! { "subscriptions": [ { "id": "00000000-0000-0000-0000-000000000001", "name": "prod",
//!                        "tenant_id": "11111111-1111-1111-1111-111111111111" } ],
//!   "tenant_id": "11111111-1111-1111-1111-111111111111",
//!   "credential": "azure_cli" }
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Azure's public Resource Manager.
pub const PUBLIC_RESOURCE_MANAGER: &str = "https://management.azure.com";

/// One subscription Escher reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionConfig {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The Entra tenant the subscription belongs to; the configuration's `tenant_id` when left out.
    #[serde(default)]
    pub tenant_id: Option<String>,
}

/// Where a token comes from. Without one in the configuration, each is tried in this order and the first that
/// gives a token is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialSource {
    /// A service principal from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` (or
    /// `AZURE_CLIENT_CERTIFICATE_PATH`, a PKCS#12 file, with the `certificate` feature).
    Environment,
    /// A federated token from `AZURE_FEDERATED_TOKEN_FILE` (Kubernetes, GitHub Actions).
    WorkloadIdentity,
    /// The identity of the VM, App Service or container the engine runs in.
    ManagedIdentity,
    /// The account `az login` signed in.
    AzureCli,
}

impl CredentialSource {
    pub const CHAIN: [CredentialSource; 4] = [
        CredentialSource::Environment,
        CredentialSource::WorkloadIdentity,
        CredentialSource::ManagedIdentity,
        CredentialSource::AzureCli,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CredentialSource::Environment => "environment",
            CredentialSource::WorkloadIdentity => "workload identity",
            CredentialSource::ManagedIdentity => "managed identity",
            CredentialSource::AzureCli => "Azure CLI",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureConfig {
    /// The subscriptions queries list. Empty: every enabled subscription the credential sees.
    #[serde(default)]
    pub subscriptions: Vec<SubscriptionConfig>,
    /// The tenant to sign in to when a subscription names none; the credential's own when left out.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The one credential source to use; the chain when left out.
    #[serde(default)]
    pub credential: Option<CredentialSource>,
    /// Resource Manager's base URL; Azure's public cloud when left out.
    #[serde(default)]
    pub resource_manager_endpoint: Option<String>,
    /// Entra ID's base URL (`https://login.microsoftonline.com` when left out).
    #[serde(default)]
    pub authority_host: Option<String>,
    /// A PEM file of certificate authorities to trust besides the system's (a proxy's, a private cloud's).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The page size asked of list calls (`$top`) where an API takes one; each API's own when left out.
    #[serde(default)]
    pub page_size: Option<u32>,
    /// How long a long-running operation is followed before its target fails, in seconds (default 3,600).
    #[serde(default)]
    pub operation_timeout_secs: Option<u64>,
    /// How long to wait between polls of an operation whose answer has no `Retry-After`, in seconds (default 5).
    #[serde(default)]
    pub poll_interval_secs: Option<u64>,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the Azure configuration {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the Azure configuration {path} is not valid: {source}")]
    Parse { path: PathBuf, source: serde_json::Error },
    #[error("the Azure configuration {path} lists subscription `{id}` twice")]
    Duplicate { path: PathBuf, id: String },
    #[error("the Azure configuration {path}: `{field}` must be an https URL, not `{value}`")]
    NotHttps { path: PathBuf, field: &'static str, value: String },
}

impl AzureConfig {
    /// Reads a configuration file.
    pub fn from_file(path: &Path) -> Result<AzureConfig, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
        let config: AzureConfig =
            serde_json::from_str(&text).map_err(|source| ConfigError::Parse { path: path.to_path_buf(), source })?;
        let mut seen = std::collections::BTreeSet::new();
        for subscription in &config.subscriptions {
            if !seen.insert(subscription.id.to_ascii_lowercase()) {
                return Err(ConfigError::Duplicate { path: path.to_path_buf(), id: subscription.id.clone() });
            }
        }
        // The token goes to these hosts: never in clear text.
        for (field, value) in [
            ("resource_manager_endpoint", &config.resource_manager_endpoint),
            ("authority_host", &config.authority_host),
        ] {
            if let Some(value) = value
                && !value.starts_with("https://")
            {
                return Err(ConfigError::NotHttps { path: path.to_path_buf(), field, value: value.clone() });
            }
        }
        Ok(config)
    }

    /// `azure.json` in the state directory if it exists, else the default (the credential chain, every
    /// subscription it sees, Azure's public cloud).
    pub fn from_state_dir(state_dir: &Path) -> Result<AzureConfig, ConfigError> {
        let path = state_dir.join("azure.json");
        if path.exists() { AzureConfig::from_file(&path) } else { Ok(AzureConfig::default()) }
    }

    pub fn resource_manager(&self) -> &str {
        self.resource_manager_endpoint.as_deref().unwrap_or(PUBLIC_RESOURCE_MANAGER).trim_end_matches('/')
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs(self.poll_interval_secs.unwrap_or(5))
    }

    pub fn operation_timeout(&self) -> Duration {
        Duration::from_secs(self.operation_timeout_secs.unwrap_or(3_600))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("azure.json");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    #[test]
    fn a_full_configuration_reads() {
        let (_dir, path) = write(
            r#"{"subscriptions": [{"id": "s1", "name": "prod", "tenant_id": "t1"}, {"id": "s2"}],
                "tenant_id": "t0", "credential": "workload_identity",
                "resource_manager_endpoint": "https://127.0.0.1:8443/", "page_size": 5}"#,
        );
        let config = AzureConfig::from_file(&path).expect("reads");
        assert_eq!(config.subscriptions.len(), 2);
        assert_eq!(config.credential, Some(CredentialSource::WorkloadIdentity));
        assert_eq!(config.resource_manager(), "https://127.0.0.1:8443");
    }

    #[test]
    fn unknown_fields_twice_listed_subscriptions_and_clear_text_endpoints_are_refused() {
        let (_dir, path) = write(r#"{"subscription": []}"#);
        assert!(
            AzureConfig::from_file(&path).expect_err("refused").to_string().contains("unknown field `subscription`")
        );
        let (_dir, path) = write(r#"{"subscriptions": [{"id": "S1"}, {"id": "s1"}]}"#);
        assert!(
            AzureConfig::from_file(&path).expect_err("refused").to_string().contains("lists subscription `s1` twice")
        );
        let (_dir, path) = write(r#"{"authority_host": "http://login.example"}"#);
        assert!(
            AzureConfig::from_file(&path)
                .expect_err("refused")
                .to_string()
                .contains("`authority_host` must be an https URL")
        );
    }

    #[test]
    fn without_a_file_the_defaults_apply() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = AzureConfig::from_state_dir(dir.path()).expect("default");
        assert_eq!(config, AzureConfig::default());
        assert_eq!(config.resource_manager(), PUBLIC_RESOURCE_MANAGER);
    }
}
