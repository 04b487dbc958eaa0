//! The default secret store: `ESCHER_SECRET_<NAME>` in the environment, then `secrets.json` in the state
//! directory, which only its owner may read or write.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::error::SecretError;
use super::store::SecretStore;
use crate::provider::Secret;

pub(crate) const SECRETS_FILE: &str = "secrets.json";

/// Looks a secret up in the environment, then in `secrets.json` (a JSON object of names to values). The file is
/// read at every lookup, so edits take effect without a restart; a missing file holds no secrets.
#[derive(Debug, Clone)]
pub struct EnvAndFileSecrets {
    file: PathBuf,
}

impl EnvAndFileSecrets {
    pub fn new(state_dir: &Path) -> Self {
        EnvAndFileSecrets { file: state_dir.join(SECRETS_FILE) }
    }

    /// The environment variable that holds the secret `name`: `db-password` is `ESCHER_SECRET_DB_PASSWORD`.
    pub fn env_var(name: &str) -> String {
        let suffix: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        format!("ESCHER_SECRET_{suffix}")
    }

    fn look_up_in_file(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        let shown = self.file.display().to_string();
        let unreadable = |reason: String| SecretError::Unreadable { file: shown.clone(), reason };
        let mut file = match File::open(&self.file) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(unreadable(error.to_string())),
        };
        // The mode of the file opened, not of the path, so a swap between the check and the read cannot slip by.
        let metadata = file.metadata().map_err(|error| unreadable(error.to_string()))?;
        if let Some(mode) = exposed_mode(&metadata) {
            return Err(SecretError::Exposed { file: shown, mode });
        }
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(|error| unreadable(error.to_string()))?;
        // serde_json's messages give a line and column, never the text, so no secret leaks into them.
        let secrets: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text)
            .map_err(|error| unreadable(format!("expected a JSON object of names to strings: {error}")))?;
        match secrets.get(name) {
            None => Ok(None),
            Some(serde_json::Value::String(value)) => Ok(Some(Secret::new(value.clone()))),
            Some(_) => Err(unreadable(format!("the value of \"{name}\" is not a string"))),
        }
    }
}

impl SecretStore for EnvAndFileSecrets {
    fn get(&self, name: &str) -> Result<Secret, SecretError> {
        let env_var = Self::env_var(name);
        match std::env::var(&env_var) {
            Ok(value) => return Ok(Secret::new(value)),
            Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(SecretError::InvalidEnv { env_var });
            }
        }
        match self.look_up_in_file(name)? {
            Some(secret) => Ok(secret),
            None => {
                Err(SecretError::Missing { name: name.to_string(), env_var, file: self.file.display().to_string() })
            }
        }
    }
}

/// The permission bits when group or others may read or write the file.
#[cfg(unix)]
fn exposed_mode(metadata: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

/// Windows has no mode bits; its ACLs are not checked yet.
#[cfg(not(unix))]
fn exposed_mode(_metadata: &std::fs::Metadata) -> Option<u32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_becomes_an_uppercase_variable_with_underscores() {
        assert_eq!(EnvAndFileSecrets::env_var("db-password"), "ESCHER_SECRET_DB_PASSWORD");
        assert_eq!(EnvAndFileSecrets::env_var("slack.webhook/url"), "ESCHER_SECRET_SLACK_WEBHOOK_URL");
        assert_eq!(EnvAndFileSecrets::env_var("Token2"), "ESCHER_SECRET_TOKEN2");
        assert_eq!(EnvAndFileSecrets::env_var("clé"), "ESCHER_SECRET_CL_");
    }
}
