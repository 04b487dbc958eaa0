//! The providers a run names, with their options, recorded with the run (`runs/<id>/providers.json`) before
//! its first journal record so a resume makes the same ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One provider a run uses: its registry name and its options (for the simulator: `estate`, `estate_out`,
/// `faults`; see each provider's factory).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderChoice {
    pub name: String,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

impl ProviderChoice {
    pub fn new(name: impl Into<String>) -> Self {
        ProviderChoice { name: name.into(), options: BTreeMap::new() }
    }

    /// Sets an option.
    pub fn option(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(name.into(), value.into());
        self
    }
}

fn choices_path(state_dir: &Path, run_id: &str) -> PathBuf {
    state_dir.join("runs").join(run_id).join("providers.json")
}

pub(crate) fn save_choices(state_dir: &Path, run_id: &str, choices: &[ProviderChoice]) -> std::io::Result<()> {
    let path = choices_path(state_dir, run_id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(choices).map_err(std::io::Error::other)?)
}

/// The providers a run recorded, or why they cannot be read.
pub(crate) fn load_choices(state_dir: &Path, run_id: &str) -> Result<Vec<ProviderChoice>, String> {
    let path = choices_path(state_dir, run_id);
    let text = std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
}
