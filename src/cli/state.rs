//! Where the command line keeps its state, and what it remembers about each run. What state is, how a bucket is
//! pulled, pushed and leased, is the engine's (`escher_engine::state`); this file picks the location from the
//! flags and says which commands attach it.

use std::path::{Path, PathBuf};

use escher_engine::state::{AttachedState, StateLocation};

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
