//! Escher's GCP configuration: which projects to reach, where the billing export is, how to sign in and where
//! Google's APIs are. It lives in `gcp.json` in the state directory (or the file the provider's `config` option
//! names); see `docs/gcp.md`.
//!
//! ```json
//! { "projects": [ { "id": "acme-dev" }, { "id": "acme-prod" } ],
//!   "billing": { "table": "acme-billing.billing_export.gcp_billing_export_v1_0123AB_4567CD_89EF01" },
//!   "credential": "gcloud" }
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One project Escher reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// The project id (`acme-dev`), not its number.
    pub id: String,
}

/// The Cloud Billing export to BigQuery that `gcp.billing.by_service` and `cost.*` read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingExport {
    /// `PROJECT.DATASET.TABLE` of the standard usage cost export.
    pub table: String,
    /// The project the query job runs in (and is billed to); the table's project when left out.
    #[serde(default)]
    pub job_project: Option<String>,
    /// The dataset's location (`US`, `EU`, ...), when it is not BigQuery's default.
    #[serde(default)]
    pub location: Option<String>,
    /// The most bytes one query may scan; 10 GiB when left out. BigQuery refuses a larger query, unbilled.
    #[serde(default)]
    pub maximum_bytes_billed: Option<u64>,
}

impl BillingExport {
    /// The table's project, dataset and table, checked to be BigQuery names (they go into the SQL text, where
    /// a query parameter cannot stand for a table).
    pub fn parts(&self) -> Result<(&str, &str, &str), String> {
        let parts: Vec<&str> = self.table.split('.').collect();
        let [project, dataset, table] = parts[..] else {
            return Err(format!("billing table `{}` is not PROJECT.DATASET.TABLE", self.table));
        };
        let project_ok = !project.is_empty() && project.chars().all(|c| c.is_ascii_alphanumeric() || "-:.".contains(c));
        let name_ok = |name: &str| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if project_ok && name_ok(dataset) && name_ok(table) {
            Ok((project, dataset, table))
        } else {
            Err(format!("billing table `{}` has characters BigQuery names do not", self.table))
        }
    }
}

/// Where a token comes from. Without one in the configuration, each is tried in this order (Application Default
/// Credentials) and the first that gives a token is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialSource {
    /// The file `GOOGLE_APPLICATION_CREDENTIALS` names: a service account key or an authorized user.
    ApplicationCredentials,
    /// gcloud's `application_default_credentials.json` (`gcloud auth application-default login`).
    Gcloud,
    /// The metadata server of the VM, Cloud Run service or GKE pod the engine runs in.
    MetadataServer,
    /// A service account key the host holds in memory (the Extended Laptop's container, from its cloud's secret
    /// store): never named in `gcp.json`.
    #[serde(skip)]
    Host,
}

impl CredentialSource {
    pub const CHAIN: [CredentialSource; 3] =
        [CredentialSource::ApplicationCredentials, CredentialSource::Gcloud, CredentialSource::MetadataServer];

    pub fn name(self) -> &'static str {
        match self {
            CredentialSource::ApplicationCredentials => "GOOGLE_APPLICATION_CREDENTIALS",
            CredentialSource::Gcloud => "gcloud application default credentials",
            CredentialSource::MetadataServer => "metadata server",
            CredentialSource::Host => "the host's service account key",
        }
    }
}

/// The APIs' base URLs (each API's `rootUrl`); Google's public endpoints when left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    #[serde(default)]
    pub compute: Option<String>,
    #[serde(default)]
    pub sqladmin: Option<String>,
    #[serde(default)]
    pub cloudfunctions: Option<String>,
    #[serde(default)]
    pub storage: Option<String>,
    #[serde(default)]
    pub bigquery: Option<String>,
    /// OAuth 2.0's token endpoint, for an authorized user's refresh token (the file's `token_uri` otherwise).
    #[serde(default)]
    pub oauth_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcpConfig {
    /// The projects queries list. Empty: the credentials' own project.
    #[serde(default)]
    pub projects: Vec<ProjectConfig>,
    #[serde(default)]
    pub billing: Option<BillingExport>,
    /// The one credential source to use; the chain when left out.
    #[serde(default)]
    pub credential: Option<CredentialSource>,
    #[serde(default)]
    pub endpoints: Endpoints,
    /// The page size asked of list calls (`maxResults`, `pageSize`); 500 when left out.
    #[serde(default)]
    pub page_size: Option<u32>,
    /// How long a long-running operation is followed before its target fails, in seconds (default 3,600).
    #[serde(default)]
    pub operation_timeout_secs: Option<u64>,
    /// How long to wait between polls of an operation that has no wait method, in milliseconds (default 2,000).
    #[serde(default)]
    pub poll_interval_ms: Option<u64>,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the GCP configuration {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the GCP configuration {path} is not valid: {source}")]
    Parse { path: PathBuf, source: serde_json::Error },
    #[error("the GCP configuration {path} lists project `{id}` twice")]
    Duplicate { path: PathBuf, id: String },
    #[error(
        "the GCP configuration {path}: `endpoints.{field}` must be an https URL (or http on this machine), not `{value}`"
    )]
    NotHttps { path: PathBuf, field: &'static str, value: String },
    #[error("the GCP configuration {path}: {reason}")]
    Billing { path: PathBuf, reason: String },
}

impl GcpConfig {
    /// Reads a configuration file.
    pub fn from_file(path: &Path) -> Result<GcpConfig, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
        let config: GcpConfig =
            serde_json::from_str(&text).map_err(|source| ConfigError::Parse { path: path.to_path_buf(), source })?;
        config.check(path)?;
        Ok(config)
    }

    /// `gcp.json` in the state directory; no file is the default configuration.
    pub fn from_state_dir(state_dir: &Path) -> Result<GcpConfig, ConfigError> {
        let path = state_dir.join("gcp.json");
        if path.exists() { GcpConfig::from_file(&path) } else { Ok(GcpConfig::default()) }
    }

    fn check(&self, path: &Path) -> Result<(), ConfigError> {
        let path = path.to_path_buf();
        let mut seen = std::collections::BTreeSet::new();
        for project in &self.projects {
            if !seen.insert(project.id.as_str()) {
                return Err(ConfigError::Duplicate { path, id: project.id.clone() });
            }
        }
        let endpoints = &self.endpoints;
        for (field, value) in [
            ("compute", &endpoints.compute),
            ("sqladmin", &endpoints.sqladmin),
            ("cloudfunctions", &endpoints.cloudfunctions),
            ("storage", &endpoints.storage),
            ("bigquery", &endpoints.bigquery),
            ("oauth_token", &endpoints.oauth_token),
        ] {
            if let Some(value) = value.as_deref().filter(|url| !secure_or_local(url)) {
                return Err(ConfigError::NotHttps { path, field, value: value.to_string() });
            }
        }
        if let Some(billing) = &self.billing {
            billing.parts().map_err(|reason| ConfigError::Billing { path, reason })?;
        }
        Ok(())
    }

    pub fn operation_timeout(&self) -> Duration {
        Duration::from_secs(self.operation_timeout_secs.unwrap_or(3_600))
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.unwrap_or(2_000))
    }

    pub fn page_size(&self) -> u32 {
        self.page_size.unwrap_or(500)
    }
}

/// Bearer tokens go only over TLS, or to this machine (a test server, a local proxy).
fn secure_or_local(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(url) if url.scheme() == "https" => true,
        Ok(url) if url.scheme() == "http" => {
            matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(url.host(), Some(url::Host::Domain("localhost")))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("gcp.json");
        std::fs::write(&path, text).expect("written");
        (dir, path)
    }

    #[test]
    fn a_full_configuration_reads() {
        let (_dir, path) = written(
            r#"{"projects": [{"id": "acme-dev"}], "credential": "gcloud",
                "billing": {"table": "acme-billing.export.gcp_billing_export_v1_01"},
                "endpoints": {"compute": "http://127.0.0.1:9000/"}}"#,
        );
        let config = GcpConfig::from_file(&path).expect("read");
        assert_eq!(config.projects, vec![ProjectConfig { id: "acme-dev".into() }]);
        assert_eq!(config.credential, Some(CredentialSource::Gcloud));
    }

    #[test]
    fn mistakes_name_the_file_and_what_is_wrong() {
        let (_dir, path) = written(r#"{"projects": [{"id": "a"}, {"id": "a"}]}"#);
        let error = GcpConfig::from_file(&path).expect_err("refused").to_string();
        assert!(error.contains("gcp.json") && error.contains("`a` twice"), "{error}");

        let (_dir, path) = written(r#"{"endpoints": {"compute": "http://compute.example.com/"}}"#);
        let error = GcpConfig::from_file(&path).expect_err("refused").to_string();
        assert!(error.contains("endpoints.compute") && error.contains("gcp.json"), "{error}");

        let (_dir, path) = written(r#"{"billing": {"table": "p.d.t; DROP TABLE x"}}"#);
        let error = GcpConfig::from_file(&path).expect_err("refused").to_string();
        assert!(error.contains("billing table"), "{error}");

        let (_dir, path) = written(r#"{"project": "a"}"#);
        let error = GcpConfig::from_file(&path).expect_err("refused").to_string();
        assert!(error.contains("unknown field `project`"), "{error}");
    }

    #[test]
    fn no_file_is_the_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(GcpConfig::from_state_dir(dir.path()).expect("default"), GcpConfig::default());
    }
}
