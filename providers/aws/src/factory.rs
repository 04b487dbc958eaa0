//! The AWS provider under the name `aws` in a provider registry: the accounts of `--aws-config FILE` (option
//! `config`), else of `aws.json` in the state directory, else the host's credentials and enabled regions.

use std::path::Path;
use std::sync::Arc;

use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Provider, ProviderFactory, ProviderSetup, ProviderSetupError};

use crate::config::AwsConfig;
use crate::context::AwsContext;
use crate::provider::AwsProvider;

/// The accounts file to use instead of `aws.json` in the state directory.
pub const CONFIG: &str = "config";

/// Makes the AWS provider for a run.
pub struct AwsFactory;

impl AwsFactory {
    /// The SDK configuration and accounts a run or a discovery uses.
    pub async fn context(setup: &ProviderSetup) -> Result<AwsContext, ProviderSetupError> {
        setup.only("aws", &[CONFIG])?;
        let config = match setup.option(CONFIG) {
            Some(file) => AwsConfig::from_file(Path::new(file)),
            None => AwsConfig::from_state_dir(&setup.state_dir),
        }
        .map_err(|error| ProviderSetupError::Config { provider: "aws".into(), reason: error.to_string() })?;
        let context = AwsContext::load(config).await;
        // Said before anything runs, in words that say what to do, rather than as the first call's failure.
        context
            .check_credentials()
            .await
            .map_err(|reason| ProviderSetupError::Config { provider: "aws".into(), reason })?;
        Ok(context)
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
