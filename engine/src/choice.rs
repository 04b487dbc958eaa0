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

    /// A choice for each of `names`; the simulator's (`sim`) get `sim_options`, named as its factory reads
    /// them, which no other provider takes. Options without a value are left out.
    pub fn with_sim_options(names: &[String], sim_options: &[(&str, Option<String>)]) -> Vec<ProviderChoice> {
        let choice = |name: &String| {
            let mut choice = ProviderChoice::new(name.as_str());
            if name == "sim" {
                let given = sim_options.iter().filter_map(|(option, value)| Some((option.to_string(), value.clone()?)));
                choice.options.extend(given);
            }
            choice
        };
        names.iter().map(choice).collect()
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

/// The providers a run recorded, or why they cannot be read. A run recorded before the engine kept them has
/// only the command line's `runs/<id>/cli.json`, which is read in their place.
pub(crate) fn load_choices(state_dir: &Path, run_id: &str) -> Result<Vec<ProviderChoice>, String> {
    let path = choices_path(state_dir, run_id);
    let older = state_dir.join("runs").join(run_id).join("cli.json");
    if !path.exists() && older.exists() {
        return read_json::<CommandLineRecord>(&older).map(CommandLineRecord::choices);
    }
    read_json(&path)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// How the command line recorded a run's providers before the engine did: `clouds` (or one `cloud`), and the
/// simulator's options as flags.
#[derive(Deserialize)]
struct CommandLineRecord {
    #[serde(default)]
    clouds: Vec<String>,
    cloud: Option<String>,
    estate: Option<String>,
    estate_out: Option<String>,
    sim_faults: Option<String>,
}

impl CommandLineRecord {
    fn choices(self) -> Vec<ProviderChoice> {
        let names = match self.cloud {
            Some(cloud) if self.clouds.is_empty() => vec![cloud],
            _ => self.clouds,
        };
        // The simulator's option names, as its factory reads them.
        let sim_options = [("estate", self.estate), ("estate_out", self.estate_out), ("faults", self.sim_faults)];
        ProviderChoice::with_sim_options(&names, &sim_options)
    }
}
