//! The Azure provider under the name `azure` in a provider registry: the subscriptions and sign-in of the
//! provider's `config` option (a file), else of `azure.json` in the state directory, else the credential chain
//! and every subscription it sees.

use std::path::Path;
use std::sync::Arc;

use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Provider, ProviderFactory, ProviderSetup, ProviderSetupError};

use crate::config::AzureConfig;
use crate::context::AzureContext;
use crate::credential::HostCredential;
use crate::provider::AzureProvider;

/// The configuration file to use instead of `azure.json` in the state directory.
pub const CONFIG: &str = "config";

pub struct AzureFactory;

impl AzureFactory {
    /// The configuration and sign-in a run or a discovery uses; a credential that does not work is said here,
    /// before anything runs.
    pub async fn context(setup: &ProviderSetup) -> Result<AzureContext, ProviderSetupError> {
        context_signed_in(setup, None).await
    }
}

/// The Azure provider signing in as the host says (a service principal it read from its secret store) instead
/// of through the credential chain: what a host that holds credentials in memory registers over
/// [`AzureFactory`] (the Extended Laptop's container does, from its cloud's secret store).
pub struct SignedInAzureFactory {
    credential: HostCredential,
    /// The tenant to sign in to when the configuration names none.
    tenant_id: Option<String>,
}

impl SignedInAzureFactory {
    pub fn new(credential: HostCredential, tenant_id: Option<String>) -> SignedInAzureFactory {
        SignedInAzureFactory { credential, tenant_id }
    }
}

async fn context_signed_in(
    setup: &ProviderSetup,
    host: Option<&SignedInAzureFactory>,
) -> Result<AzureContext, ProviderSetupError> {
    setup.only("azure", &[CONFIG])?;
    let refuse = |reason: String| ProviderSetupError::Config { provider: "azure".into(), reason };
    let mut config = match setup.option(CONFIG) {
        Some(file) => AzureConfig::from_file(Path::new(file)),
        None => AzureConfig::from_state_dir(&setup.state_dir),
    }
    .map_err(|error| refuse(error.to_string()))?;
    let context = match host {
        Some(host) => {
            if config.tenant_id.is_none() {
                config.tenant_id = host.tenant_id.clone();
            }
            AzureContext::with_credential(config, host.credential.clone())
        }
        None => AzureContext::new(config),
    }
    .map_err(refuse)?;
    context.check_credentials().await.map_err(refuse)?;
    Ok(context)
}

#[async_trait::async_trait]
impl ProviderFactory for SignedInAzureFactory {
    fn name(&self) -> &'static str {
        "azure"
    }

    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Azure]
    }

    async fn make(&self, setup: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError> {
        Ok(Arc::new(AzureProvider::new(context_signed_in(setup, Some(self)).await?)))
    }
}

#[async_trait::async_trait]
impl ProviderFactory for AzureFactory {
    fn name(&self) -> &'static str {
        "azure"
    }

    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Azure]
    }

    async fn make(&self, setup: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError> {
        Ok(Arc::new(AzureProvider::new(AzureFactory::context(setup).await?)))
    }
}
