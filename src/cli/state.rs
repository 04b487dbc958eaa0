//! Where the command line keeps its state, and what it remembers about each run. What state is, how a bucket is
//! pulled, pushed and leased, is the engine's (`escher_engine::state`); this file picks the location from the
//! flags and says which commands attach it.

use std::path::{Path, PathBuf};

use escher_engine::ProviderChoice;
use escher_engine::state::{AttachedState, StateLocation};
use escher_state::{Store, StoreOptions};
use serde::{Deserialize, Serialize};

use super::Command;
use super::error::CliError;

/// `--state DIR|URL`, else `ESCHER_STATE`, else the XDG data directory.
pub fn location(flag: Option<&Path>) -> Result<StateLocation, CliError> {
    Ok(StateLocation::resolve(flag)?)
}

/// The directory commands read and write: the state directory itself, or a bucket's local copy.
pub fn state_dir(flag: Option<&Path>) -> PathBuf {
    match StateLocation::resolve(flag) {
        Ok(location) => location.dir().to_path_buf(),
        Err(_) => PathBuf::from(StateLocation::resolved_text(flag)),
    }
}

/// The store a location names.
pub fn open(location: &StateLocation) -> Result<Store, CliError> {
    Ok(Store::open(location.url(), &StoreOptions::default())?)
}

/// A tokio runtime for the store's async calls.
pub fn tokio() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(CliError::Async)
}

/// Prepares a command's state (see [`AttachedState::attach`]); a migration is noted on stderr.
pub fn attach(command: &Command) -> Result<Option<AttachedState>, CliError> {
    let Some(flag) = command.state_to_attach() else { return Ok(None) };
    let location = location(flag)?;
    let bucket = location.to_string();
    let warn = move |error: &str| eprintln!("warning: pushing state to {bucket}: {error} (retrying)");
    let attached = tokio()?.block_on(AttachedState::attach(location, warn))?;
    if let Some((from, runs)) = attached.migrated() {
        eprintln!(
            "note: state at {} migrated from layout version {from} to {} ({runs} runs summarized)",
            attached.location(),
            escher_state::layout::CURRENT_VERSION
        );
    }
    Ok(Some(attached))
}

/// Who holds the leases this command takes: `user@host:pid`.
pub fn holder_name() -> String {
    escher_runtime::lease::holder_name(&escher_engine::user_name())
}

/// How a run reaches the clouds, as the command line gives it. Runs record their providers through the engine
/// (`runs/<id>/providers.json`); runs recorded before that kept this in `runs/<id>/cli.json`, which `resume`
/// still reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSetup {
    /// The providers, by their names in the registry (`sim`, `aws`).
    #[serde(default)]
    pub clouds: Vec<String>,
    /// The one provider of a run recorded before runs could have several.
    #[serde(default, skip_serializing)]
    cloud: Option<String>,
    pub estate: Option<PathBuf>,
    pub estate_out: Option<PathBuf>,
    pub sim_faults: Option<String>,
}

impl RunSetup {
    pub fn new(
        clouds: Vec<String>,
        estate: Option<PathBuf>,
        estate_out: Option<PathBuf>,
        sim_faults: Option<String>,
    ) -> Self {
        RunSetup { clouds, cloud: None, estate, estate_out, sim_faults }
    }

    /// The providers the run uses.
    pub fn providers(&self) -> Vec<String> {
        match &self.cloud {
            Some(cloud) if self.clouds.is_empty() => vec![cloud.clone()],
            _ => self.clouds.clone(),
        }
    }

    /// The simulator's options (`--estate`, `--estate-out`, `--sim-faults`) given to a run without it.
    pub fn misplaced_sim_options(&self) -> Option<&'static str> {
        let given = self.estate.is_some() || self.estate_out.is_some() || self.sim_faults.is_some();
        (given && !self.providers().iter().any(|name| name == "sim"))
            .then_some("--estate, --estate-out and --sim-faults are the simulator's: they need --cloud sim")
    }

    /// The providers the run names, the simulator with its estate, out file and faults.
    pub fn choices(&self) -> Vec<ProviderChoice> {
        use escher_sim::factory::{ESTATE, ESTATE_OUT, FAULTS};
        let path = |path: &PathBuf| path.to_string_lossy().into_owned();
        let choice = |name: String| {
            let mut choice = ProviderChoice::new(name.as_str());
            if name == "sim" {
                choice.options.extend(self.estate.as_ref().map(|estate| (ESTATE.to_string(), path(estate))));
                choice.options.extend(self.estate_out.as_ref().map(|out| (ESTATE_OUT.to_string(), path(out))));
                choice.options.extend(self.sim_faults.clone().map(|faults| (FAULTS.to_string(), faults)));
            }
            choice
        };
        self.providers().into_iter().map(choice).collect()
    }
}

fn setup_path(state: &Path, run_id: &str) -> PathBuf {
    state.join("runs").join(run_id).join("cli.json")
}

pub fn load_setup(state: &Path, run_id: &str) -> std::io::Result<RunSetup> {
    let text = std::fs::read_to_string(setup_path(state, run_id))?;
    serde_json::from_str(&text).map_err(std::io::Error::other)
}
