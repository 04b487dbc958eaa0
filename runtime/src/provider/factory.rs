//! How a host gets providers without knowing their types: each provider crate exposes a [`ProviderFactory`]
//! under its name (`sim`, `aws`, ...), a registry collects the ones built in, and a run names the ones it uses.
//! A run's names and options are saved with it, so a resume makes the same providers again.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use escher_compiler::stdlib::Cloud;

use super::interface::Provider;

/// What a factory is given to make a provider for one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderSetup {
    /// The state directory (or a bucket's local copy): where a provider keeps its configuration, such as the
    /// AWS accounts to assume roles in.
    pub state_dir: PathBuf,
    /// The run's options for this provider, by name (for the simulator: `estate`, `estate_out`, `faults`).
    /// They are saved with the run; a factory refuses names it does not know.
    pub options: BTreeMap<String, String>,
    /// Whether the run is being resumed: a provider that keeps state of its own goes on from it.
    pub resuming: bool,
}

impl ProviderSetup {
    /// The option `name`, if given.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    /// Refuses options other than `known`, naming the first one found.
    pub fn only(&self, provider: &str, known: &[&str]) -> Result<(), ProviderSetupError> {
        match self.options.keys().find(|name| !known.contains(&name.as_str())) {
            Some(name) => Err(ProviderSetupError::UnknownOption {
                provider: provider.to_string(),
                option: name.clone(),
                known: known.join(", "),
            }),
            None => Ok(()),
        }
    }
}

/// Why a provider could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderSetupError {
    #[error("the {provider} provider takes no option `{option}` (it takes: {known})")]
    UnknownOption { provider: String, option: String, known: String },
    /// Its configuration could not be read or is wrong: the file or setting, and why.
    #[error("the {provider} provider cannot start: {reason}")]
    Config { provider: String, reason: String },
}

/// Makes one kind of provider.
#[async_trait::async_trait]
pub trait ProviderFactory: Send + Sync {
    /// The name runs give (`--cloud NAME`) and saved runs record: `sim`, `aws`.
    fn name(&self) -> &'static str;

    /// The clouds its providers serve: the simulator serves all three.
    fn clouds(&self) -> &'static [Cloud];

    /// A provider for one run.
    async fn make(&self, setup: &ProviderSetup) -> Result<Arc<dyn Provider>, ProviderSetupError>;
}
