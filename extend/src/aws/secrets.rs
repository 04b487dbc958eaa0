//! Secrets in the Extended Laptop's SSM parameter path: `secret("NAME")` in a scheduled playbook reads the
//! SecureString `/escher/EXT/secrets/NAME`, and the Azure provider signs in with the service principal in
//! `/escher/EXT/azure`. The laptop writes them (`escher extend secrets set|azure`); the container reads them once
//! at start, decrypted, into memory ([`fetch`]). A value is never printed, logged or written anywhere else;
//! listing shows names only, read without decryption.

use std::collections::BTreeMap;

use aws_sdk_ssm::types::{ParameterTier, ParameterType};

use super::resources::failed;
use super::{AwsExtension, ExtendError};

/// Under the parameter path: where `secret("NAME")` values live.
pub const SECRETS_FOLDER: &str = "secrets/";
/// SSM's limit for a standard parameter; larger values need the advanced tier (charged).
const STANDARD_LIMIT: usize = 4096;

/// Whether `name` can be a secret's name here: what `secret("...")` takes and SSM allows in a path.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
}

/// Under the parameter path: the Azure service principal, as JSON.
pub const AZURE: &str = "azure";
/// Under the parameter path: the GCP service account key, its JSON as Google issues it.
pub const GCP: &str = "gcp";
/// Under the parameter path: the container's own identity (a key pair, as Escher's identity file holds it), with
/// which it runs governed: a policy lists its public key as a runner's.
pub const IDENTITY: &str = "identity";
/// Under the parameter path: the other AWS accounts and the roles to assume in them, as a JSON list.
pub const AWS_ACCOUNTS: &str = "aws-accounts";

/// Another AWS account the container reaches by assuming a role in it.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AwsAccount {
    pub id: String,
    pub role_arn: String,
    /// The role's external id, if its trust policy asks for one (a shared secret against the confused deputy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl std::fmt::Debug for AwsAccount {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AwsAccount")
            .field("id", &self.id)
            .field("role_arn", &self.role_arn)
            .field("external_id", &self.external_id.as_ref().map(|_| "***"))
            .field("name", &self.name)
            .finish()
    }
}

/// An Azure service principal's client secret, for the Azure provider to sign in with.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AzureServicePrincipal {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for AzureServicePrincipal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AzureServicePrincipal")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

/// What the container reads at start.
#[derive(Debug, Default)]
pub struct Fetched {
    /// `secret("NAME")` values by name.
    pub secrets: BTreeMap<String, String>,
    pub azure: Option<AzureServicePrincipal>,
    /// The GCP service account key's JSON.
    pub gcp: Option<String>,
    pub aws_accounts: Vec<AwsAccount>,
    /// The container's identity file text.
    pub identity: Option<String>,
}

/// Stores (or replaces) the secret `name` as a SecureString.
pub async fn put(on: &AwsExtension, name: &str, value: &str) -> Result<String, ExtendError> {
    if !valid_name(name) {
        return Err(ExtendError::Usage(format!(
            "`{name}` cannot name a secret: use letters, digits, `-`, `_` and `.` (at most 128)"
        )));
    }
    if value.is_empty() {
        return Err(ExtendError::Usage(format!("the value for secret `{name}` is empty")));
    }
    put_secure(on, &format!("{SECRETS_FOLDER}{name}"), value).await
}

/// Stores (or replaces) the Azure service principal the container's Azure provider signs in with.
pub async fn put_azure(on: &AwsExtension, principal: &AzureServicePrincipal) -> Result<String, ExtendError> {
    if principal.tenant_id.is_empty() || principal.client_id.is_empty() || principal.client_secret.is_empty() {
        return Err(ExtendError::Usage("an Azure service principal needs a tenant, a client id and a secret".into()));
    }
    let json = serde_json::to_string(principal).unwrap_or_default();
    put_secure(on, AZURE, &json).await
}

/// Stores (or replaces) the GCP service account key (its JSON) the container's GCP provider signs in with.
pub async fn put_gcp(on: &AwsExtension, key: &str) -> Result<String, ExtendError> {
    let json: serde_json::Value =
        serde_json::from_str(key).map_err(|error| ExtendError::Usage(format!("the GCP key is not JSON: {error}")))?;
    if json.get("type").and_then(serde_json::Value::as_str) != Some("service_account") {
        return Err(ExtendError::Usage(
            "the GCP key is not a service account key (`type` is not `service_account`)".into(),
        ));
    }
    put_secure(on, GCP, key).await
}

/// Adds (or replaces, by id) an AWS account the container reaches through a role; the stored list.
pub async fn put_aws_account(on: &AwsExtension, account: AwsAccount) -> Result<(String, Vec<AwsAccount>), ExtendError> {
    let valid_arn = account.role_arn.starts_with(&format!("arn:aws:iam::{}:role/", account.id));
    if account.id.len() != 12 || !account.id.bytes().all(|byte| byte.is_ascii_digit()) || !valid_arn {
        return Err(ExtendError::Usage(format!(
            "account `{}` with role `{}`: expected a 12-digit account id and arn:aws:iam::THAT_ID:role/NAME",
            account.id, account.role_arn
        )));
    }
    let parameter = format!("{}{AWS_ACCOUNTS}", on.names.parameter_path());
    let mut accounts: Vec<AwsAccount> =
        match on.clients.ssm.get_parameter().name(&parameter).with_decryption(true).send().await {
            Ok(answer) => answer
                .parameter()
                .and_then(|stored| stored.value())
                .and_then(|value| serde_json::from_str(value).ok())
                .unwrap_or_default(),
            Err(error) if error.as_service_error().is_some_and(|error| error.is_parameter_not_found()) => Vec::new(),
            Err(error) => return Err(ExtendError::cloud("ssm:GetParameter", &error)),
        };
    accounts.retain(|known| known.id != account.id);
    accounts.push(account);
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    let json = serde_json::to_string(&accounts).unwrap_or_default();
    Ok((put_secure(on, AWS_ACCOUNTS, &json).await?, accounts))
}

/// The container's identity file text, if one is stored.
pub async fn identity(on: &AwsExtension) -> Result<Option<String>, ExtendError> {
    let parameter = format!("{}{IDENTITY}", on.names.parameter_path());
    match on.clients.ssm.get_parameter().name(&parameter).with_decryption(true).send().await {
        Ok(answer) => Ok(answer.parameter().and_then(|stored| stored.value()).map(str::to_string)),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_parameter_not_found()) => Ok(None),
        Err(error) => Err(ExtendError::cloud("ssm:GetParameter", &error)),
    }
}

/// Stores the container's identity file text.
pub async fn put_identity(on: &AwsExtension, text: &str) -> Result<String, ExtendError> {
    put_secure(on, IDENTITY, text).await
}

/// `value` as the SecureString `PATH/relative`; its parameter's name.
async fn put_secure(on: &AwsExtension, relative: &str, value: &str) -> Result<String, ExtendError> {
    let parameter = format!("{}{relative}", on.names.parameter_path());
    let tier = if value.len() > STANDARD_LIMIT { ParameterTier::Advanced } else { ParameterTier::Standard };
    on.clients
        .ssm
        .put_parameter()
        .name(&parameter)
        .value(value)
        .r#type(ParameterType::SecureString)
        .tier(tier)
        .overwrite(true)
        .send()
        .await
        .map_err(failed("ssm:PutParameter"))?;
    Ok(parameter)
}

/// What the parameter path holds besides the state marker, without reading a value: `secret NAME` for each
/// secret, `azure service principal` when there is one.
pub async fn list(on: &AwsExtension) -> Result<Vec<String>, ExtendError> {
    let path = on.names.parameter_path();
    let mut found = Vec::new();
    let mut pages = on
        .clients
        .ssm
        .get_parameters_by_path()
        .path(&path)
        .recursive(true)
        .with_decryption(false)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("ssm:GetParametersByPath"))?;
        for relative in page.parameters().iter().filter_map(|parameter| parameter.name()?.strip_prefix(&path)) {
            if let Some(name) = relative.strip_prefix(SECRETS_FOLDER) {
                found.push(format!("secret {name}"));
            } else if relative == AZURE {
                found.push("azure service principal".to_string());
            } else if relative == GCP {
                found.push("gcp service account key".to_string());
            } else if relative == AWS_ACCOUNTS {
                found.push("aws accounts and roles".to_string());
            } else if relative == IDENTITY {
                found.push("runner identity".to_string());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Every secret and credential under `path` (`/escher/EXT/`), decrypted: what the container holds in memory.
pub async fn fetch(ssm: &aws_sdk_ssm::Client, path: &str) -> Result<Fetched, ExtendError> {
    let path = format!("{}/", path.trim_end_matches('/'));
    let mut fetched = Fetched::default();
    let mut pages =
        ssm.get_parameters_by_path().path(&path).recursive(true).with_decryption(true).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("ssm:GetParametersByPath"))?;
        for parameter in page.parameters() {
            let (Some(relative), Some(value)) =
                (parameter.name().and_then(|name| name.strip_prefix(&path)), parameter.value())
            else {
                continue;
            };
            if let Some(name) = relative.strip_prefix(SECRETS_FOLDER) {
                fetched.secrets.insert(name.to_string(), value.to_string());
            } else if relative == AZURE {
                let principal = serde_json::from_str(value).map_err(|_| {
                    ExtendError::Refused(format!(
                        "{path}{AZURE} is not an Azure service principal (`escher extend secrets azure` writes one)"
                    ))
                })?;
                fetched.azure = Some(principal);
            } else if relative == GCP {
                fetched.gcp = Some(value.to_string());
            } else if relative == IDENTITY {
                fetched.identity = Some(value.to_string());
            } else if relative == AWS_ACCOUNTS {
                fetched.aws_accounts = serde_json::from_str(value).map_err(|_| {
                    ExtendError::Refused(format!("{path}{AWS_ACCOUNTS} is not a list of AWS accounts and roles"))
                })?;
            }
        }
    }
    Ok(fetched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_principal_never_shows_its_secret() {
        let principal = AzureServicePrincipal {
            tenant_id: "t".into(),
            client_id: "c".into(),
            client_secret: "s3cr3t-value".into(),
        };
        assert!(!format!("{principal:?}").contains("s3cr3t-value"));
    }

    #[test]
    fn secret_names_are_what_a_parameter_path_allows() {
        assert!(valid_name("ops-webhook"));
        assert!(valid_name("db.password_2"));
        assert!(!valid_name(""));
        assert!(!valid_name("a/b"));
        assert!(!valid_name("with space"));
    }
}
