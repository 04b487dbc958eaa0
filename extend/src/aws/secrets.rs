//! Secrets in the Extended Laptop's SSM parameter path: `secret("NAME")` in a scheduled playbook reads the
//! SecureString `/escher/EXT/secrets/NAME`. The laptop writes them (`escher extend secrets set`); the container
//! reads them once at start, decrypted, into memory ([`fetch`]). A value is never printed, logged or written
//! anywhere else; listing shows names only, read without decryption.

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
    let parameter = format!("{}{SECRETS_FOLDER}{name}", on.names.parameter_path());
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

/// The secrets' names, without reading a value.
pub async fn list(on: &AwsExtension) -> Result<Vec<String>, ExtendError> {
    let folder = format!("{}{SECRETS_FOLDER}", on.names.parameter_path());
    let mut names = Vec::new();
    let mut pages =
        on.clients.ssm.get_parameters_by_path().path(&folder).with_decryption(false).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("ssm:GetParametersByPath"))?;
        names.extend(
            page.parameters()
                .iter()
                .filter_map(|parameter| parameter.name()?.strip_prefix(&folder).map(str::to_string)),
        );
    }
    names.sort();
    Ok(names)
}

/// Every secret under `path` (`/escher/EXT/`), decrypted: what the container holds in memory for its runs.
pub async fn fetch(ssm: &aws_sdk_ssm::Client, path: &str) -> Result<BTreeMap<String, String>, ExtendError> {
    let folder = format!("{}/{SECRETS_FOLDER}", path.trim_end_matches('/'));
    let mut values = BTreeMap::new();
    let mut pages = ssm.get_parameters_by_path().path(&folder).with_decryption(true).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("ssm:GetParametersByPath"))?;
        for parameter in page.parameters() {
            if let (Some(name), Some(value)) =
                (parameter.name().and_then(|name| name.strip_prefix(&folder)), parameter.value())
            {
                values.insert(name.to_string(), value.to_string());
            }
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_what_a_parameter_path_allows() {
        assert!(valid_name("ops-webhook"));
        assert!(valid_name("db.password_2"));
        assert!(!valid_name(""));
        assert!(!valid_name("a/b"));
        assert!(!valid_name("with space"));
    }
}
