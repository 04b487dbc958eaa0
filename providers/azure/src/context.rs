//! What a run or a discovery uses of Azure: the configuration, Resource Manager ([`Arm`]) and the subscriptions
//! it may touch: those configured, or else every enabled one the credential sees (listed once).

use azure_core::http::{Method, Url};
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;
use serde_json::Value as Json;
use tokio::sync::OnceCell;

use crate::arm::{Arm, ArmError, Reply};
use crate::config::AzureConfig;
use crate::credential::HostCredential;
use crate::record::{ResourceId, field};
use crate::versions;

/// A subscription Escher may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub name: String,
    pub tenant_id: Option<String>,
}

pub struct AzureContext {
    pub(crate) config: AzureConfig,
    pub(crate) arm: Arm,
    subscriptions: OnceCell<Vec<Subscription>>,
}

impl AzureContext {
    pub fn new(config: AzureConfig) -> Result<AzureContext, String> {
        let arm = Arm::new(&config)?;
        Ok(AzureContext { config, arm, subscriptions: OnceCell::new() })
    }

    /// A context that signs in as the host says instead of through the chain: its own credential, or a
    /// service principal's secret it keeps in its secret store.
    pub fn with_credential(config: AzureConfig, credential: HostCredential) -> Result<AzureContext, String> {
        let arm = Arm::new(&config)?.with_host_credential(credential);
        Ok(AzureContext { config, arm, subscriptions: OnceCell::new() })
    }

    pub fn config(&self) -> &AzureConfig {
        &self.config
    }

    /// Signs in (each configured tenant, or the default one) and finds the subscriptions, so a missing
    /// credential or an empty estate is said before anything runs.
    pub async fn check_credentials(&self) -> Result<(), String> {
        let mut tenants: Vec<Option<&str>> = self.config.subscriptions.iter().map(|s| self.tenant(s)).collect();
        if tenants.is_empty() {
            tenants.push(self.config.tenant_id.as_deref());
        }
        // Each tenant once, wherever its subscriptions stand in the list.
        tenants.sort_unstable();
        tenants.dedup();
        for tenant in tenants {
            self.arm.sign_in(tenant).await.map_err(|error| error.to_string())?;
        }
        self.subscriptions().await.map(|_| ()).map_err(|error| format!("cannot list Azure subscriptions: {error}"))
    }

    fn tenant<'a>(&'a self, subscription: &'a crate::config::SubscriptionConfig) -> Option<&'a str> {
        subscription.tenant_id.as_deref().or(self.config.tenant_id.as_deref())
    }

    /// The subscriptions Escher may reach: those configured, else every enabled one the credential sees.
    pub async fn subscriptions(&self) -> Result<&[Subscription], ProviderError> {
        self.known().await.map_err(ProviderError::from)
    }

    async fn known(&self) -> Result<&[Subscription], ArmError> {
        let found = self
            .subscriptions
            .get_or_try_init(|| async {
                if !self.config.subscriptions.is_empty() {
                    return Ok(self
                        .config
                        .subscriptions
                        .iter()
                        .map(|s| Subscription {
                            id: s.id.clone(),
                            name: s.name.clone().unwrap_or_else(|| s.id.clone()),
                            tenant_id: self.tenant(s).map(str::to_string),
                        })
                        .collect());
                }
                let url = self.arm.url("/subscriptions", versions::SUBSCRIPTIONS, &[]);
                let listed = self.arm.list(self.config.tenant_id.as_deref(), url).await?;
                Ok(listed
                    .iter()
                    .filter(|s| s.get("state").and_then(Json::as_str) == Some("Enabled"))
                    .map(|s| {
                        let text = |name| s.get(name).and_then(Json::as_str).map(str::to_string);
                        Subscription {
                            id: text("subscriptionId").unwrap_or_default(),
                            name: text("displayName").unwrap_or_default(),
                            tenant_id: text("tenantId").or_else(|| self.config.tenant_id.clone()),
                        }
                    })
                    .collect())
            })
            .await?;
        Ok(found)
    }

    /// The subscription `id`, if Escher may reach it.
    pub(crate) async fn subscription(&self, id: &str) -> Result<Subscription, ProviderError> {
        let known = self.subscriptions().await?;
        known.iter().find(|s| s.id.eq_ignore_ascii_case(id)).cloned().ok_or_else(|| {
            ProviderError::Rejected(format!(
                "subscription `{id}` is neither in azure.json nor visible to the credential ({} known: {})",
                known.len(),
                known.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// The subscriptions a query lists: its `subscription` argument, else all.
    pub(crate) async fn listed(&self, only: Option<&str>) -> Result<Vec<Subscription>, ProviderError> {
        match only {
            Some(id) => Ok(vec![self.subscription(id).await?]),
            None => Ok(self.subscriptions().await?.to_vec()),
        }
    }

    /// The subscription a target lives in, refused before any call when Escher may not reach it.
    pub(crate) async fn home(&self, target: &Value) -> Result<Subscription, ProviderError> {
        let id = field(target, "id");
        let subscription = match field(target, "subscription") {
            "" => ResourceId::parse(id).map(|p| p.subscription.to_string()).unwrap_or_default(),
            named => named.to_string(),
        };
        if subscription.is_empty() {
            return Err(ProviderError::Invalid(format!("`{id}` names no subscription")));
        }
        self.subscription(&subscription).await
    }

    /// The URL of `path` on Resource Manager.
    pub(crate) fn url(&self, path: &str, api_version: &str, query: &[(&str, &str)]) -> Url {
        self.arm.url(path, api_version, query)
    }

    pub(crate) async fn get(&self, home: &Subscription, url: Url) -> Result<Json, ArmError> {
        self.arm.get(home.tenant_id.as_deref(), url).await
    }

    /// GET of one resource; `None` when it no longer exists.
    pub(crate) async fn find(&self, home: &Subscription, url: Url) -> Result<Option<Json>, ProviderError> {
        match self.get(home, url).await {
            Ok(found) => Ok(Some(found)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    pub(crate) async fn list(&self, home: &Subscription, url: Url) -> Result<Vec<Json>, ProviderError> {
        self.arm.list(home.tenant_id.as_deref(), url).await.map_err(ProviderError::from)
    }

    /// A change, followed to its end when it is long-running.
    pub(crate) async fn act(
        &self,
        home: &Subscription,
        method: Method,
        url: Url,
        body: Option<&Json>,
    ) -> Result<Reply, ArmError> {
        self.arm.act(home.tenant_id.as_deref(), method, url, body).await
    }

    /// A DELETE followed to its end; `false` when the resource was already gone (404).
    pub(crate) async fn delete(&self, home: &Subscription, url: Url) -> Result<bool, ProviderError> {
        match self.act(home, Method::Delete, url, None).await {
            Ok(reply) => Ok(reply.status != 204),
            Err(error) if error.is_not_found() => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}
