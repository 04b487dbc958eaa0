//! The GCP provider under the name `gcp` in a provider registry: the projects and sign-in of the provider's
//! `config` option (a file), else of `gcp.json` in the state directory, with the credential chain reading this
//! process's environment.

use std::path::Path;
use std::sync::Arc;

use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Provider, ProviderFactory, ProviderSetup, ProviderSetupError};

use crate::auth::Environment;
use crate::config::GcpConfig;
use crate::context::GcpContext;
use crate::provider::GcpProvider;

/// The configuration file to use instead of `gcp.json` in the state directory.
pub const CONFIG: &str = "config";

pub struct GcpFactory;

impl GcpFactory {
    /// The configuration and sign-in a run or a discovery uses; credentials or projects that do not work are
    /// said here, before anything runs.
    pub async fn context(setup: &ProviderSetup) -> Result<GcpContext, ProviderSetupError> {
        context_signed_in(setup, None).await
    }
}

/// The GCP provider signing in with a service account key the host holds in memory (its JSON text) instead of
/// the credential chain: what a host that keeps credentials in a secret store registers over [`GcpFactory`]
/// (the Extended Laptop's container does). The key never touches a file.
pub struct SignedInGcpFactory {
    key: String,
}

impl SignedInGcpFactory {
    pub fn new(key: String) -> SignedInGcpFactory {
        SignedInGcpFactory { key }
    }
}

async fn context_signed_in(setup: &ProviderSetup, key: Option<&str>) -> Result<GcpContext, ProviderSetupError> {
    setup.only("gcp", &[CONFIG])?;
    let refuse = |reason: String| ProviderSetupError::Config { provider: "gcp".into(), reason };
    let config = match setup.option(CONFIG) {
        Some(file) => GcpConfig::from_file(Path::new(file)),
        None => GcpConfig::from_state_dir(&setup.state_dir),
    }
    .map_err(|error| refuse(error.to_string()))?;
    match key {
        Some(key) => GcpContext::connect_with_key(config, key).await,
        None => GcpContext::connect(config, &Environment::of_process()).await,
    }
    .map_err(refuse)
}

#[async_trait::async_trait]
impl ProviderFactory for SignedInGcpFactory {
    fn name(&self) -> &'static str {
        "gcp"
    }

    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Gcp]
    }

    async fn make(&self, setup: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError> {
        Ok(Arc::new(GcpProvider::new(context_signed_in(setup, Some(&self.key)).await?)))
    }
}

#[async_trait::async_trait]
impl ProviderFactory for GcpFactory {
    fn name(&self) -> &'static str {
        "gcp"
    }

    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Gcp]
    }

    async fn make(&self, setup: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError> {
        Ok(Arc::new(GcpProvider::new(GcpFactory::context(setup).await?)))
    }
}
