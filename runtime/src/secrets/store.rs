//! Where a run's `secret("name")` values come from: the hook a host may replace (`EnvAndFileSecrets` by default).

use super::error::SecretError;
use crate::provider::Secret;

pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Secret, SecretError>;
}
