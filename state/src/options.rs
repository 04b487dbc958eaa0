//! How to reach a remote store: credentials and endpoints come from the environment, as each cloud's own tools
//! read them, and can be given explicitly (tests, embedders).
//!
//! - S3: `AWS_*` variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`).
//! - Azure: `AZURE_*` variables (`AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY`, `AZURE_STORAGE_ENDPOINT`,
//!   `AZURE_STORAGE_USE_EMULATOR` with `AZURITE_BLOB_STORAGE_URL`).
//! - GCS: `GOOGLE_OAUTH_ACCESS_TOKEN`, `STORAGE_EMULATOR_HOST`.

use std::collections::BTreeMap;

/// Explicit settings, applied over the environment's. `endpoint` works for all three clouds; other keys are
/// `object_store` configuration keys (`aws_access_key_id`, `azure_storage_account_name`, ...).
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    pub endpoint: Option<String>,
    pub config: BTreeMap<String, String>,
}

impl StoreOptions {
    /// Options for an emulator at `endpoint`: S3 path-style over http with dummy credentials, Azurite's
    /// well-known account, no GCS token.
    pub fn emulator(endpoint: &str) -> StoreOptions {
        let mut config = BTreeMap::new();
        for (key, value) in [
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
            ("aws_region", "us-east-1"),
            ("azure_storage_account_name", AZURITE_ACCOUNT),
            ("azure_storage_account_key", AZURITE_KEY),
        ] {
            config.insert(key.to_string(), value.to_string());
        }
        StoreOptions { endpoint: Some(endpoint.trim_end_matches('/').to_string()), config }
    }
}

/// Azurite's published development account.
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
