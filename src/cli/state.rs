//! Where Escher keeps its state on this machine, and what the command line remembers about each run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// `--state DIR`, else `ESCHER_STATE`, else `$XDG_DATA_HOME/escher`, else `~/.local/share/escher`.
pub fn state_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os("ESCHER_STATE").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("escher");
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".local/share/escher")
}

/// How a run reached the clouds, so `escher resume` can reach them the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSetup {
    /// `sim` for the simulated estate.
    pub cloud: String,
    pub estate: Option<PathBuf>,
    pub estate_out: Option<PathBuf>,
    pub sim_faults: Option<String>,
}

fn setup_path(state: &Path, run_id: &str) -> PathBuf {
    state.join("runs").join(run_id).join("cli.json")
}

pub fn save_setup(state: &Path, run_id: &str, setup: &RunSetup) -> std::io::Result<()> {
    let path = setup_path(state, run_id);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(setup).unwrap_or_default())
}

pub fn load_setup(state: &Path, run_id: &str) -> std::io::Result<RunSetup> {
    let text = std::fs::read_to_string(setup_path(state, run_id))?;
    serde_json::from_str(&text).map_err(std::io::Error::other)
}
