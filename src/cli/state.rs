//! Where Escher keeps its state, and what the command line remembers about each run.
//!
//! State is a local directory or a bucket (`s3://`, `az://`, `gs://`; see docs/state.md). For a bucket, commands
//! work on a local copy under the user's cache directory: [`attach`] checks the bucket's layout and pulls it into
//! the copy first, then pushes the copy back while the command runs (each journal and audit commit reaches the
//! bucket as a new create-only segment within a fraction of a second) and once more at the end.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use escher_state::layout::ensure_layout;
use escher_state::mirror::{Mirror, pull};
use escher_state::{Store, StoreOptions, StoreUrl};
use serde::{Deserialize, Serialize};

use super::{Command, EXIT_USAGE};

/// How often a command working on a bucket's local copy pushes what changed.
const PUSH_EVERY: Duration = Duration::from_millis(250);

/// `--state DIR|URL`, else `ESCHER_STATE`, else `$XDG_DATA_HOME/escher`, else `~/.local/share/escher`.
pub fn location(flag: Option<&Path>) -> String {
    if let Some(dir) = flag {
        return dir.to_string_lossy().into_owned();
    }
    if let Some(dir) = std::env::var_os("ESCHER_STATE").filter(|v| !v.is_empty()) {
        return dir.to_string_lossy().into_owned();
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("escher").to_string_lossy().into_owned();
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".local/share/escher").to_string_lossy().into_owned()
}

/// The state location as a URL, or a usage error already printed.
pub fn url(flag: Option<&Path>) -> Result<StoreUrl, u8> {
    StoreUrl::parse(&location(flag)).map_err(|error| {
        eprintln!("error: {error}");
        EXIT_USAGE
    })
}

/// The directory commands read and write: the state directory itself, or a bucket's local copy.
pub fn state_dir(flag: Option<&Path>) -> PathBuf {
    match StoreUrl::parse(&location(flag)) {
        Ok(StoreUrl::Local(dir)) => dir,
        Ok(remote) => cache_dir(&remote),
        Err(_) => PathBuf::from(location(flag)),
    }
}

/// `$XDG_CACHE_HOME/escher/state/<url as a file name>`, else under `~/.cache`.
pub fn cache_dir(url: &StoreUrl) -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()).map_or_else(
        || std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from).join(".cache"),
        PathBuf::from,
    );
    let name: String = url
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
        .collect();
    base.join("escher").join("state").join(name)
}

/// Opens the store a URL names, or prints why not.
pub fn open(url: &StoreUrl) -> Result<Store, u8> {
    Store::open(url, &StoreOptions::default()).map_err(|error| {
        eprintln!("error: {error}");
        EXIT_USAGE
    })
}

/// A tokio runtime for the store's async calls, or a usage error already printed.
pub fn tokio() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|error| {
        eprintln!("error: cannot start the async runtime: {error}");
        EXIT_USAGE
    })
}

/// The `--state` of the commands whose state [`attach`] prepares; `None` for commands that handle their own.
fn attached_state(command: &Command) -> Option<Option<&Path>> {
    match command {
        Command::Run { session, .. } | Command::Resume { session, .. } => Some(session.state.as_deref()),
        Command::Runs { state } | Command::Show { state, .. } | Command::Audit { state, .. } => Some(state.as_deref()),
        _ => None,
    }
}

/// A bucket's local copy being pushed back while a command runs.
pub struct Replication {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Result<(), String>>,
    url: StoreUrl,
}

/// Prepares a command's state: the layout is checked (an older one migrated, a newer one refused with nothing
/// changed) and, for a bucket, the local copy is brought up to date and pushed back as it changes.
pub fn attach(command: &Command) -> Result<Option<Replication>, u8> {
    let Some(flag) = attached_state(command) else { return Ok(None) };
    let url = url(flag)?;
    let store = open(&url)?;
    let tokio = tokio()?;
    let failed = |error: escher_state::StoreError| {
        eprintln!("error: {error}");
        EXIT_USAGE
    };
    if let Some(outcome) = migration_note(tokio.block_on(ensure_layout(&store)).map_err(failed)?, &url) {
        eprintln!("{outcome}");
    }
    if url.is_local() {
        return Ok(None);
    }
    let local_dir = cache_dir(&url);
    tokio.block_on(pull(&store, &local_dir)).map_err(failed)?;
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = stop.clone();
        std::thread::spawn(move || replicate(store, local_dir, stop))
    };
    Ok(Some(Replication { stop, thread, url }))
}

fn migration_note(outcome: escher_state::layout::LayoutOutcome, url: &StoreUrl) -> Option<String> {
    match outcome {
        escher_state::layout::LayoutOutcome::Migrated { from, runs } => Some(format!(
            "note: state at {url} migrated from layout version {from} to {} ({runs} runs summarized)",
            escher_state::layout::CURRENT_VERSION
        )),
        _ => None,
    }
}

fn replicate(store: Store, local_dir: PathBuf, stop: Arc<AtomicBool>) -> Result<(), String> {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let mut mirror = Mirror::new(&local_dir);
    let mut warned = None;
    loop {
        let last = stop.load(Ordering::SeqCst);
        match tokio.block_on(mirror.push(&store)) {
            Ok(_) => warned = None,
            Err(error) if last => return Err(error.to_string()),
            Err(error) => {
                // Said once per distinct failure; the next push tries again.
                let text = error.to_string();
                if warned.as_ref() != Some(&text) {
                    eprintln!("warning: pushing state to {}: {text} (retrying)", store.url());
                    warned = Some(text);
                }
            }
        }
        if last {
            return Ok(());
        }
        std::thread::sleep(PUSH_EVERY);
    }
}

/// Ends a command's replication with a last push. A state that could not be pushed turns success into an
/// error: the local copy keeps everything, and the next command pushes it.
pub fn detach(replication: Option<Replication>, code: u8) -> u8 {
    let Some(replication) = replication else { return code };
    replication.stop.store(true, Ordering::SeqCst);
    match replication.thread.join() {
        Ok(Ok(())) => code,
        Ok(Err(error)) => {
            eprintln!(
                "error: state not yet pushed to {}: {error}; it is kept in {} and pushed by the next command",
                replication.url,
                cache_dir(&replication.url).display()
            );
            if code == 0 { EXIT_USAGE } else { code }
        }
        Err(_) => {
            eprintln!("error: pushing state to {} stopped unexpectedly", replication.url);
            if code == 0 { EXIT_USAGE } else { code }
        }
    }
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
