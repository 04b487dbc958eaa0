//! Everything a call needs to reach AWS: the SDK configuration from the standard chain (environment, profiles,
//! SSO, web identity; region; `AWS_ENDPOINT_URL`), the accounts of [`AwsConfig`] reached through STS AssumeRole,
//! the regions to list, and one client constructor per service so every client counts its calls the same way.
//!
//! Service modules get clients with `ctx.ec2(account, region).await?` (likewise `rds`, `lambda`, `s3`, `route53`,
//! `cost_explorer`, `sts`): `account` is a record's `account` field (`None` or the host's own account: the host's
//! credentials; an account of the configuration with a `role_arn`: that role's assumed credentials, cached and
//! refreshed before they expire). Queries list over [`AwsContext::targets`] (account x region).

use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use escher_runtime::provider::ProviderError;
use tokio::sync::OnceCell;

use crate::calls::CallCounter;
use crate::config::AwsConfig;
use crate::errors::classify;

/// Where Cost Explorer, Route 53 and STS's global endpoint live, and where region discovery is asked when the
/// host names no region.
pub const HOME_REGION: &str = "us-east-1";

/// One account Escher reaches: its id and a display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
}

/// Shared by every call of an [`crate::AwsProvider`].
pub struct AwsContext {
    base: SdkConfig,
    config: AwsConfig,
    endpoint: Option<String>,
    caller: OnceCell<String>,
    enabled_regions: OnceCell<Vec<String>>,
    assumed: Mutex<HashMap<String, SharedCredentialsProvider>>,
    counter: CallCounter,
}

/// How to give Escher AWS credentials, said when none load.
const HOW_TO_SET: &str = "Set some with `aws configure`, `aws sso login --profile NAME` and AWS_PROFILE=NAME, or export \
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (docs/aws.md).";

impl AwsContext {
    /// The standard credential chain and region; `config.endpoint_url`, else `AWS_ENDPOINT_URL`, as endpoint.
    pub async fn load(config: AwsConfig) -> AwsContext {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(url) = &config.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let base = loader.load().await;
        AwsContext::from_sdk_config(base, config)
    }

    /// Whether the host's credentials load; if not, which sources were tried and how to set one.
    pub async fn check_credentials(&self) -> Result<(), String> {
        use aws_credential_types::provider::ProvideCredentials;
        use aws_credential_types::provider::error::CredentialsError;
        let Some(provider) = self.base.credentials_provider() else {
            return Err(format!("no AWS credentials found: no credentials provider is configured. {HOW_TO_SET}"));
        };
        let error = match provider.provide_credentials().await {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        let detail = crate::errors::source_chain(&error);
        // The default chain answers with its last source's error when every earlier one found nothing: an
        // instance metadata service that refuses (off EC2, behind a proxy) means no credentials were found.
        let none_found = match &error {
            CredentialsError::CredentialsNotLoaded(_) => true,
            CredentialsError::ProviderError(_) => detail.contains("IMDS"),
            _ => false,
        };
        Err(match error {
            _ if none_found => format!(
                "no AWS credentials found. Tried, in order: environment variables (AWS_ACCESS_KEY_ID, \
                 AWS_SECRET_ACCESS_KEY), the shared config and credentials files (profile `{}`), SSO, web identity \
                 (AWS_WEB_IDENTITY_TOKEN_FILE), the ECS container endpoint and EC2 instance metadata (IMDS). \
                 {HOW_TO_SET} ({detail})",
                std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into())
            ),
            CredentialsError::ProviderTimedOut(_) => {
                format!(
                    "the AWS credentials did not load in time ({detail}); off EC2, IMDS never answers. {HOW_TO_SET}"
                )
            }
            CredentialsError::InvalidConfiguration(_) => {
                format!("the AWS credentials configuration is invalid: {detail}")
            }
            _ => format!("the AWS credentials could not be loaded: {detail}"),
        })
    }

    /// A context over an SDK configuration built by the host (tests give dummy credentials and moto's endpoint).
    pub fn from_sdk_config(base: SdkConfig, config: AwsConfig) -> AwsContext {
        let endpoint = base.endpoint_url().map(str::to_string);
        AwsContext {
            base,
            config,
            endpoint,
            caller: OnceCell::new(),
            enabled_regions: OnceCell::new(),
            assumed: Mutex::new(HashMap::new()),
            counter: CallCounter::default(),
        }
    }

    pub fn config(&self) -> &AwsConfig {
        &self.config
    }

    /// The requests sent so far, by operation.
    pub fn calls(&self) -> &CallCounter {
        &self.counter
    }

    /// Whether an endpoint other than AWS's is set (S3 then needs path-style addressing).
    pub fn endpoint_overridden(&self) -> bool {
        self.endpoint.is_some()
    }

    /// The page size list calls ask for, if configured.
    pub fn page_size(&self) -> Option<i32> {
        self.config.page_size
    }

    /// The host's own account id (STS GetCallerIdentity, asked once).
    pub async fn caller_account(&self) -> Result<String, ProviderError> {
        self.caller
            .get_or_try_init(|| async {
                let sts = self.sts_with(&self.base);
                let identity =
                    sts.get_caller_identity().send().await.map_err(|e| classify("sts GetCallerIdentity", &e))?;
                identity
                    .account()
                    .map(str::to_string)
                    .ok_or_else(|| ProviderError::Rejected("sts GetCallerIdentity named no account".into()))
            })
            .await
            .cloned()
    }

    /// The accounts queries list: the configured ones, or the host's own when none is configured.
    pub async fn accounts(&self) -> Result<Vec<Account>, ProviderError> {
        if self.config.accounts.is_empty() {
            let id = self.caller_account().await?;
            return Ok(vec![Account { name: id.clone(), id }]);
        }
        Ok(self
            .config
            .accounts
            .iter()
            .map(|a| Account { id: a.id.clone(), name: a.name.clone().unwrap_or_else(|| a.id.clone()) })
            .collect())
    }

    /// The regions to list: those requested; else the configured ones; else every region enabled for the host's
    /// account (EC2 DescribeRegions, asked once).
    pub async fn regions(&self, requested: &[String]) -> Result<Vec<String>, ProviderError> {
        if !requested.is_empty() {
            return Ok(requested.to_vec());
        }
        if !self.config.regions.is_empty() {
            return Ok(self.config.regions.clone());
        }
        self.enabled_regions
            .get_or_try_init(|| async {
                let ec2 = self.ec2(None, &self.home_region()).await?;
                let answer = ec2.describe_regions().send().await.map_err(|e| classify("ec2 DescribeRegions", &e))?;
                let mut regions: Vec<String> =
                    answer.regions().iter().filter_map(|r| r.region_name().map(str::to_string)).collect();
                regions.sort();
                Ok(regions)
            })
            .await
            .cloned()
    }

    /// Every (account, region) pair a query over `requested` regions lists.
    pub async fn targets(&self, requested: &[String]) -> Result<Vec<(Account, String)>, ProviderError> {
        let regions = self.regions(requested).await?;
        let accounts = self.accounts().await?;
        Ok(accounts.into_iter().flat_map(|a| regions.iter().map(move |r| (a.clone(), r.clone()))).collect())
    }

    /// The host's region, else [`HOME_REGION`].
    pub fn home_region(&self) -> String {
        self.base.region().map_or_else(|| HOME_REGION.to_string(), |r| r.to_string())
    }

    /// The SDK configuration for `account` in `region`. `None`, an empty id, the host's own account or a
    /// configured account without a role use the host's credentials; a configured account with a role uses the
    /// role's (STS AssumeRole, cached until near expiry); any other account is refused.
    pub async fn sdk_config(&self, account: Option<&str>, region: &str) -> Result<SdkConfig, ProviderError> {
        let region = Region::new(region.to_string());
        let account = account.filter(|a| !a.is_empty());
        let Some(id) = account else {
            return Ok(self.base.to_builder().region(region).build());
        };
        match self.config.account(id) {
            Some(configured) => match &configured.role_arn {
                Some(role) => {
                    let provider = self.assumed_credentials(id, role, configured.external_id.as_deref()).await;
                    Ok(self.base.to_builder().region(region).credentials_provider(provider).build())
                }
                None => Ok(self.base.to_builder().region(region).build()),
            },
            None if self.caller_account().await? == id => Ok(self.base.to_builder().region(region).build()),
            None => Err(ProviderError::Rejected(format!(
                "account {id} is not in the AWS configuration (aws.json), so Escher has no role to reach it"
            ))),
        }
    }

    async fn assumed_credentials(&self, id: &str, role: &str, external_id: Option<&str>) -> SharedCredentialsProvider {
        if let Some(found) = self.lock_assumed().get(id) {
            return found.clone();
        }
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role)
            .session_name("escher")
            .configure(&self.base)
            .region(Region::new(self.home_region()));
        if let Some(external) = external_id {
            builder = builder.external_id(external);
        }
        let provider = SharedCredentialsProvider::new(builder.build().await);
        self.lock_assumed().entry(id.to_string()).or_insert(provider).clone()
    }

    fn lock_assumed(&self) -> std::sync::MutexGuard<'_, HashMap<String, SharedCredentialsProvider>> {
        self.assumed.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn sts_with(&self, config: &SdkConfig) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::config::Builder::from(config).interceptor(self.counter.clone()).build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    pub async fn ec2(&self, account: Option<&str>, region: &str) -> Result<aws_sdk_ec2::Client, ProviderError> {
        let config = self.sdk_config(account, region).await?;
        let conf = aws_sdk_ec2::config::Builder::from(&config).interceptor(self.counter.clone()).build();
        Ok(aws_sdk_ec2::Client::from_conf(conf))
    }

    pub async fn sts(&self, account: Option<&str>, region: &str) -> Result<aws_sdk_sts::Client, ProviderError> {
        Ok(self.sts_with(&self.sdk_config(account, region).await?))
    }

    pub async fn rds(&self, account: Option<&str>, region: &str) -> Result<aws_sdk_rds::Client, ProviderError> {
        let config = self.sdk_config(account, region).await?;
        let conf = aws_sdk_rds::config::Builder::from(&config).interceptor(self.counter.clone()).build();
        Ok(aws_sdk_rds::Client::from_conf(conf))
    }

    pub async fn lambda(&self, account: Option<&str>, region: &str) -> Result<aws_sdk_lambda::Client, ProviderError> {
        let config = self.sdk_config(account, region).await?;
        let conf = aws_sdk_lambda::config::Builder::from(&config).interceptor(self.counter.clone()).build();
        Ok(aws_sdk_lambda::Client::from_conf(conf))
    }

    /// S3, path-style when the endpoint is not AWS's (emulators serve buckets by path).
    pub async fn s3(&self, account: Option<&str>, region: &str) -> Result<aws_sdk_s3::Client, ProviderError> {
        let config = self.sdk_config(account, region).await?;
        let conf = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(self.endpoint_overridden())
            .interceptor(self.counter.clone())
            .build();
        Ok(aws_sdk_s3::Client::from_conf(conf))
    }

    /// SNS, without the SDK's own retries: the runtime tries a `notify` delivery again itself, within its timeout.
    pub async fn sns(&self, account: Option<&str>, region: &str) -> Result<aws_sdk_sns::Client, ProviderError> {
        let config = self.sdk_config(account, region).await?;
        let conf = aws_sdk_sns::config::Builder::from(&config)
            .retry_config(aws_sdk_sns::config::retry::RetryConfig::disabled())
            .interceptor(self.counter.clone())
            .build();
        Ok(aws_sdk_sns::Client::from_conf(conf))
    }

    /// Route 53 is global: its calls go to [`HOME_REGION`].
    pub async fn route53(&self, account: Option<&str>) -> Result<aws_sdk_route53::Client, ProviderError> {
        let config = self.sdk_config(account, HOME_REGION).await?;
        let conf = aws_sdk_route53::config::Builder::from(&config).interceptor(self.counter.clone()).build();
        Ok(aws_sdk_route53::Client::from_conf(conf))
    }

    /// Cost Explorer is global: its calls go to [`HOME_REGION`].
    pub async fn cost_explorer(&self, account: Option<&str>) -> Result<aws_sdk_costexplorer::Client, ProviderError> {
        let config = self.sdk_config(account, HOME_REGION).await?;
        let conf = aws_sdk_costexplorer::config::Builder::from(&config).interceptor(self.counter.clone()).build();
        Ok(aws_sdk_costexplorer::Client::from_conf(conf))
    }
}
