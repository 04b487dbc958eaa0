//! Escher's AWS configuration: which accounts to reach and how, and which regions to list by default. It lives in
//! `aws.json` in the state directory (or the file `--aws-config` names); see `docs/aws.md`.
//!
//! ```json
//! { "accounts": [ { "id": "222222222222", "role_arn": "arn:aws:iam::222222222222:role/escher",
//!                   "external_id": "...", "name": "prod" } ],
//!   "regions": ["eu-west-1", "us-east-1"] }
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One account Escher reaches. Without `role_arn` it is reached with the host's own credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub id: String,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    /// The accounts queries list. Empty: only the account of the host's own credentials.
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    /// The regions a query with no `regions` argument lists. Empty: every region enabled for the account
    /// (EC2 DescribeRegions).
    #[serde(default)]
    pub regions: Vec<String>,
    /// The page size asked of list calls (`MaxResults`); `None` lets each API choose. For tests and tuning.
    #[serde(default)]
    pub page_size: Option<i32>,
    /// An endpoint for every service instead of AWS's (moto, LocalStack). `AWS_ENDPOINT_URL` works too.
    #[serde(default)]
    pub endpoint_url: Option<String>,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the AWS configuration {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the AWS configuration {path} is not valid: {source}")]
    Parse { path: PathBuf, source: serde_json::Error },
    #[error("the AWS configuration {path} lists account `{id}` twice")]
    Duplicate { path: PathBuf, id: String },
}

impl AwsConfig {
    /// Reads a configuration file.
    pub fn from_file(path: &Path) -> Result<AwsConfig, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
        let config: AwsConfig =
            serde_json::from_str(&text).map_err(|source| ConfigError::Parse { path: path.to_path_buf(), source })?;
        let mut seen = std::collections::BTreeSet::new();
        for account in &config.accounts {
            if !seen.insert(account.id.as_str()) {
                return Err(ConfigError::Duplicate { path: path.to_path_buf(), id: account.id.clone() });
            }
        }
        Ok(config)
    }

    /// `aws.json` in the state directory if it exists, else the default (host credentials, enabled regions).
    pub fn from_state_dir(state_dir: &Path) -> Result<AwsConfig, ConfigError> {
        let path = state_dir.join("aws.json");
        if path.exists() { AwsConfig::from_file(&path) } else { Ok(AwsConfig::default()) }
    }

    pub fn account(&self, id: &str) -> Option<&AccountConfig> {
        self.accounts.iter().find(|account| account.id == id)
    }
}
