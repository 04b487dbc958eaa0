//! Where Entra ID tokens come from. azure_identity 1.0 has the credentials but no chain, so this is Escher's:
//! the sources of [`CredentialSource::CHAIN`] in order (or only the one the configuration names), the first
//! that gives a token kept for its tenant. When none works, one error names each source and why it failed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, RetryOptions};
use azure_core::time::{Duration, OffsetDateTime};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertionCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

use crate::config::{AzureConfig, CredentialSource};
use crate::http::{Connect, ReqwestClient};

/// The credential each tenant signs in with, found once.
pub(crate) struct Credentials {
    sources: Vec<CredentialSource>,
    chosen: bool,
    default_tenant: Option<String>,
    scope: String,
    service: ReqwestClient,
    probe: ReqwestClient,
    cloud: Option<Arc<CloudConfiguration>>,
    by_tenant: Mutex<HashMap<String, Arc<dyn TokenCredential>>>,
    /// A host's own sign-in, used instead of the chain.
    host: Option<HostCredential>,
}

/// How a host signs in without the chain.
#[derive(Clone)]
pub enum HostCredential {
    /// The host's own credential (a desktop app's interactive login), for every tenant.
    Token(Arc<dyn TokenCredential>),
    /// A service principal's client secret the host read from its secret store; one credential per tenant.
    ClientSecret { client_id: String, secret: Secret },
    /// A service principal's certificate (PKCS#12 DER with an RSA key, and its password if it has one) the host
    /// read from its secret store; one credential per tenant.
    #[cfg(feature = "certificate")]
    ClientCertificate { client_id: String, pkcs12: Vec<u8>, password: Option<Secret> },
}

/// No source gave a token: each source, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no Azure credential worked{}: {}", tenant_words(.tenant), .failures.iter().map(|(source, why)| format!("{source}: {why}")).collect::<Vec<_>>().join("; "))]
pub struct NoCredential {
    pub tenant: Option<String>,
    pub failures: Vec<(String, String)>,
}

fn tenant_words(tenant: &Option<String>) -> String {
    tenant.as_ref().map_or_else(String::new, |tenant| format!(" for tenant {tenant}"))
}

impl Credentials {
    pub(crate) fn new(config: &AzureConfig) -> Result<Credentials, String> {
        let ca_file = config.ca_file.as_deref();
        let cloud = config.authority_host.as_ref().map(|host| {
            let mut custom = CustomConfiguration::default();
            custom.authority_host = host.trim_end_matches('/').to_string();
            Arc::new(CloudConfiguration::from(custom))
        });
        Ok(Credentials {
            sources: config.credential.map_or_else(|| CredentialSource::CHAIN.to_vec(), |source| vec![source]),
            chosen: config.credential.is_some(),
            default_tenant: config.tenant_id.clone(),
            scope: format!("{}/.default", config.resource_manager()),
            service: ReqwestClient::new(ca_file, Connect::Service)?,
            probe: ReqwestClient::new(ca_file, Connect::Probe)?,
            cloud,
            by_tenant: Mutex::new(HashMap::new()),
            host: None,
        })
    }

    pub(crate) fn with_host_credential(mut self, credential: HostCredential) -> Credentials {
        self.host = Some(credential);
        self
    }

    /// The scope tokens are asked for: Resource Manager's.
    pub(crate) fn scope(&self) -> &str {
        &self.scope
    }

    /// The credential for `tenant` (the configuration's, or the credential's home tenant, when `None`): the
    /// first source that gives a token.
    pub(crate) async fn for_tenant(&self, tenant: Option<&str>) -> Result<Arc<dyn TokenCredential>, NoCredential> {
        let tenant = tenant.or(self.default_tenant.as_deref());
        let key = tenant.unwrap_or("").to_ascii_lowercase();
        if let Some(found) = self.cached(&key) {
            return Ok(found);
        }
        if let Some(host) = &self.host {
            let made = match host {
                HostCredential::Token(credential) => Ok(credential.clone()),
                HostCredential::ClientSecret { client_id, secret } => self.client_secret(tenant, client_id, secret),
                #[cfg(feature = "certificate")]
                HostCredential::ClientCertificate { client_id, pkcs12, password } => match tenant {
                    Some(tenant) => self.client_certificate(tenant, client_id, pkcs12.clone(), password.clone()),
                    None => Err("a certificate signs in to one tenant: set `tenant_id` in azure.json".into()),
                },
            };
            return match made {
                Ok(credential) => {
                    self.by_tenant.lock().unwrap_or_else(|e| e.into_inner()).insert(key, credential.clone());
                    Ok(credential)
                }
                Err(why) => {
                    Err(NoCredential { tenant: tenant.map(str::to_string), failures: vec![("host".into(), why)] })
                }
            };
        }
        let mut failures = Vec::new();
        for source in &self.sources {
            let tried = match self.make(*source, tenant) {
                Ok(credential) => match credential.get_token(&[self.scope.as_str()], None).await {
                    Ok(token) => Ok(Primed::holding(credential, &self.scope, token)),
                    Err(error) => Err(one_line(&error)),
                },
                Err(why) => Err(why),
            };
            match tried {
                Ok(credential) => {
                    self.by_tenant.lock().unwrap_or_else(|e| e.into_inner()).insert(key, credential.clone());
                    return Ok(credential);
                }
                Err(why) => failures.push((source.name().to_string(), why)),
            }
        }
        Err(NoCredential { tenant: tenant.map(str::to_string), failures })
    }

    fn cached(&self, key: &str) -> Option<Arc<dyn TokenCredential>> {
        self.by_tenant.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    fn client_options(&self, connect: Connect, retry: bool) -> ClientOptions {
        let client = match connect {
            Connect::Service => &self.service,
            Connect::Probe => &self.probe,
        };
        ClientOptions {
            transport: Some(client.transport()),
            cloud: self.cloud.clone(),
            retry: if retry { RetryOptions::default() } else { RetryOptions::none() },
            ..ClientOptions::default()
        }
    }

    fn make(&self, source: CredentialSource, tenant: Option<&str>) -> Result<Arc<dyn TokenCredential>, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        match source {
            CredentialSource::Environment => {
                let tenant = tenant.map(str::to_string).or_else(|| env("AZURE_TENANT_ID"));
                let (Some(tenant), Some(client_id)) = (tenant, env("AZURE_CLIENT_ID")) else {
                    return Err("AZURE_TENANT_ID and AZURE_CLIENT_ID are not both set".into());
                };
                if let Some(secret) = env("AZURE_CLIENT_SECRET") {
                    return self.client_secret(Some(&tenant), &client_id, &Secret::new(secret));
                }
                match env("AZURE_CLIENT_CERTIFICATE_PATH") {
                    Some(path) => self.certificate(&tenant, client_id, &path),
                    None => Err("neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH is set".into()),
                }
            }
            CredentialSource::WorkloadIdentity => {
                if env("AZURE_FEDERATED_TOKEN_FILE").is_none() {
                    return Err("AZURE_FEDERATED_TOKEN_FILE is not set".into());
                }
                let options = WorkloadIdentityCredentialOptions {
                    credential_options: ClientAssertionCredentialOptions {
                        client_options: self.client_options(Connect::Service, true),
                    },
                    tenant_id: tenant.map(str::to_string),
                    ..WorkloadIdentityCredentialOptions::default()
                };
                WorkloadIdentityCredential::new(Some(options))
                    .map(|credential| credential as Arc<dyn TokenCredential>)
                    .map_err(|error| one_line(&error))
            }
            CredentialSource::ManagedIdentity => {
                // Off Azure the metadata endpoint does not answer: when the chain only probes it, it fails
                // within a second instead of retrying for a minute.
                let (connect, retry) = if self.chosen { (Connect::Service, true) } else { (Connect::Probe, false) };
                let options = ManagedIdentityCredentialOptions {
                    client_options: self.client_options(connect, retry),
                    ..ManagedIdentityCredentialOptions::default()
                };
                ManagedIdentityCredential::new(Some(options))
                    .map(|credential| credential as Arc<dyn TokenCredential>)
                    .map_err(|error| one_line(&error))
            }
            CredentialSource::AzureCli => {
                let options = AzureCliCredentialOptions {
                    tenant_id: tenant.map(str::to_string),
                    ..AzureCliCredentialOptions::default()
                };
                AzureCliCredential::new(Some(options))
                    .map(|credential| credential as Arc<dyn TokenCredential>)
                    .map_err(|error| one_line(&error))
            }
        }
    }

    fn client_secret(
        &self,
        tenant: Option<&str>,
        client_id: &str,
        secret: &Secret,
    ) -> Result<Arc<dyn TokenCredential>, String> {
        let tenant = tenant.ok_or("a client secret signs in to one tenant: set `tenant_id` in azure.json")?;
        let options = ClientSecretCredentialOptions { client_options: self.client_options(Connect::Service, true) };
        ClientSecretCredential::new(tenant, client_id.to_string(), secret.clone(), Some(options))
            .map(|credential| credential as Arc<dyn TokenCredential>)
            .map_err(|error| one_line(&error))
    }

    #[cfg(feature = "certificate")]
    fn certificate(&self, tenant: &str, client_id: String, path: &str) -> Result<Arc<dyn TokenCredential>, String> {
        let pkcs12 = std::fs::read(path)
            .map_err(|error| format!("cannot read AZURE_CLIENT_CERTIFICATE_PATH {path}: {error}"))?;
        let password = std::env::var("AZURE_CLIENT_CERTIFICATE_PASSWORD").ok().map(Secret::new);
        self.client_certificate(tenant, &client_id, pkcs12, password)
    }

    #[cfg(feature = "certificate")]
    fn client_certificate(
        &self,
        tenant: &str,
        client_id: &str,
        pkcs12: Vec<u8>,
        password: Option<Secret>,
    ) -> Result<Arc<dyn TokenCredential>, String> {
        use azure_identity::{ClientCertificateCredential, ClientCertificateCredentialOptions};
        let options = ClientCertificateCredentialOptions {
            client_options: self.client_options(Connect::Service, true),
            password,
        };
        ClientCertificateCredential::new(
            tenant.to_string(),
            client_id.to_string(),
            azure_core::credentials::SecretBytes::new(pkcs12),
            Some(options),
        )
        .map(|credential| credential as Arc<dyn TokenCredential>)
        .map_err(|error| one_line(&error))
    }

    #[cfg(not(feature = "certificate"))]
    fn certificate(&self, _tenant: &str, _client_id: String, path: &str) -> Result<Arc<dyn TokenCredential>, String> {
        Err(format!(
            "AZURE_CLIENT_CERTIFICATE_PATH is set ({path}), but this build has no certificate sign-in (cargo feature \
             `certificate` of escher-azure, which needs OpenSSL)"
        ))
    }
}

/// A credential the chain has just tried, holding the token it gave: the pipeline's first request takes that one
/// instead of asking again (the Azure CLI credential keeps no cache, so each ask runs `az`).
#[derive(Debug)]
struct Primed {
    inner: Arc<dyn TokenCredential>,
    scope: String,
    first: Mutex<Option<AccessToken>>,
}

impl Primed {
    fn holding(inner: Arc<dyn TokenCredential>, scope: &str, token: AccessToken) -> Arc<dyn TokenCredential> {
        Arc::new(Primed { inner, scope: scope.to_string(), first: Mutex::new(Some(token)) })
    }
}

#[async_trait::async_trait]
impl TokenCredential for Primed {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let first = self.first.lock().unwrap_or_else(|e| e.into_inner()).take();
        // Only for the scope it was got for, and not when it is about to expire (the pipeline's own margin).
        if let Some(token) = first.filter(|_| scopes == [self.scope.as_str()])
            && token.expires_on > OffsetDateTime::now_utc() + Duration::minutes(5)
        {
            return Ok(token);
        }
        self.inner.get_token(scopes, options).await
    }
}

/// An azure_core error as one line: its message and the messages of what caused it.
pub(crate) fn one_line(error: &azure_core::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = cause_of(source);
    }
    text.replace('\n', " ")
}

fn cause_of<'a>(error: Option<&'a (dyn std::error::Error + 'static)>) -> Option<&'a (dyn std::error::Error + 'static)> {
    error.and_then(std::error::Error::source)
}
