//! The AWS provider under the name `aws` in a provider registry: the accounts of `--aws-config FILE` (option
//! `config`), else of `aws.json` in the state directory, else the host's credentials and enabled regions.

use std::path::Path;
use std::sync::Arc;

use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Provider, ProviderFactory, ProviderSetup, ProviderSetupError};

use crate::config::{AccountConfig, AwsConfig};
use crate::context::AwsContext;
use crate::provider::AwsProvider;

/// The accounts file to use instead of `aws.json` in the state directory.
pub const CONFIG: &str = "config";

/// Makes the AWS provider for a run.
pub struct AwsFactory;

impl AwsFactory {
    /// The SDK configuration and accounts a run or a discovery uses.
    pub async fn context(setup: &ProviderSetup) -> Result<AwsContext, ProviderSetupError> {
        context_with_accounts(setup, &[]).await
    }
}

/// The AWS provider reaching, besides the configuration's accounts, accounts a host holds in memory (the roles
/// to assume in them, read from its secret store: the Extended Laptop's container does). An account of the same
/// id replaces the configuration's; with no account configured, the host's own stays reachable as before.
pub struct WithAccountsAwsFactory {
    accounts: Vec<AccountConfig>,
}

impl WithAccountsAwsFactory {
    pub fn new(accounts: Vec<AccountConfig>) -> WithAccountsAwsFactory {
        WithAccountsAwsFactory { accounts }
    }
}

async fn context_with_accounts(
    setup: &ProviderSetup,
    extra: &[AccountConfig],
) -> Result<AwsContext, ProviderSetupError> {
    setup.only("aws", &[CONFIG])?;
    let refuse = |reason: String| ProviderSetupError::Config { provider: "aws".into(), reason };
    let mut config = match setup.option(CONFIG) {
        Some(file) => AwsConfig::from_file(Path::new(file)),
        None => AwsConfig::from_state_dir(&setup.state_dir),
    }
    .map_err(|error| refuse(error.to_string()))?;
    if !extra.is_empty() {
        if config.accounts.is_empty() {
            let own = AwsContext::load(config.clone()).await;
            own.check_credentials().await.map_err(refuse)?;
            let id = own.caller_account().await.map_err(|error| refuse(error.to_string()))?;
            config.accounts.push(AccountConfig { id, role_arn: None, external_id: None, name: None });
        }
        for account in extra {
            config.accounts.retain(|known| known.id != account.id);
            config.accounts.push(account.clone());
        }
    }
    let context = AwsContext::load(config).await;
    // Said before anything runs, in words that say what to do, rather than as the first call's failure.
    context.check_credentials().await.map_err(refuse)?;
    Ok(context)
}

#[async_trait::async_trait]
impl ProviderFactory for WithAccountsAwsFactory {
    fn name(&self) -> &'static str {
        "aws"
    }

    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Aws]
    }

    async fn make(&self, setup: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError> {
        Ok(Arc::new(AwsProvider::new(context_with_accounts(setup, &self.accounts).await?)))
    }
}

#[async_trait::async_trait]
impl ProviderFactory for AwsFactory {
    fn name(&self) -> &'static str {
        "aws"
    }

    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Aws]
    }

    async fn make(&self, setup: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError> {
        Ok(Arc::new(AwsProvider::new(AwsFactory::context(setup).await?)))
    }
}
