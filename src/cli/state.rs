//! Where Escher keeps its state, and what the command line remembers about each run.
//!
//! State is a local directory or a bucket (`s3://`, `az://`, `gs://`; see docs/state.md). For a bucket, commands
//! work on a local copy under the user's cache directory: [`attach`] checks the bucket's layout and pulls it into
//! the copy first, then pushes the copy back while the command runs and once more at the end. A run's journal
//! commits reach the bucket before the run goes on (each as a new create-only segment); the rest, the audit log
//! among it, within a fraction of a second.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use escher_engine::ProviderChoice;
use escher_runtime::replica::Replica;
use escher_state::layout::ensure_layout;
use escher_state::mirror::pull;
use escher_state::{Replicator, Store, StoreOptions, StoreUrl};
use serde::{Deserialize, Serialize};

use super::{Command, EXIT_USAGE, TemplateCommand};

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
        // Approval requests, decisions and templates live in the state's approvals directory unless
        // `--approvals` puts them elsewhere: for a bucket, they travel through it.
        Command::Approvals { at, .. } | Command::Approve { at, .. } | Command::Reject { at, .. } => {
            Some(at.state.as_deref())
        }
        Command::Template { command: TemplateCommand::Publish { at, .. } | TemplateCommand::List { at, .. } } => {
            Some(at.state.as_deref())
        }
        Command::Inventory { state, .. } => Some(state.as_deref()),
        _ => None,
    }
}

/// What [`attach`] set up for a command, undone by [`detach`].
pub struct Attached {
    replication: Option<Replication>,
    lease: Option<RunLease>,
    /// For `run`: the id of the run about to start, whose lease is already held.
    run_id: Option<String>,
}

impl Attached {
    /// The id `run` must give its run: the one whose lease [`attach`] took.
    pub fn run_id(&self) -> Option<String> {
        self.run_id.clone()
    }

    /// For state in a bucket: what holds the runtime's journal commits until the bucket has them.
    pub fn replica(&self) -> Option<Arc<dyn Replica>> {
        self.replication.as_ref().map(|replication| replication.replicator.replica())
    }
}

/// The lease on a run that `escher run` and `escher resume` hold while they run, renewed in the background: two runners never
/// run the same run at once.
struct RunLease {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

/// Who holds a lease: `user@host:pid`, so a runner on the same machine can tell a holder that died.
pub fn holder_name() -> String {
    escher_runtime::lease::holder_name(&super::approver::user_name())
}

/// Whether a holder named by [`holder_name`] was a process on this machine that no longer runs (Linux: no
/// `/proc/<pid>`). Anywhere else, and for holders elsewhere, a lease ends only when it expires.
fn is_dead_here(holder: &str) -> bool {
    let Some((who, pid)) = holder.rsplit_once(':') else { return false };
    let Some((_, host)) = who.rsplit_once('@') else { return false };
    let Ok(pid) = pid.parse::<u32>() else { return false };
    cfg!(target_os = "linux")
        && host == escher_runtime::lease::host_name()
        && pid != std::process::id()
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// How long a run's lease lasts without renewal; it is renewed every third of that.
const RUN_LEASE: escher_state::chrono::Duration = escher_state::chrono::Duration::minutes(10);

/// A bucket's local copy being pushed back while a command runs.
pub struct Replication {
    replicator: Replicator,
    url: StoreUrl,
}

/// Prepares a command's state: the layout is checked (an older one migrated, a newer one refused with nothing
/// changed); for `resume`, the run's lease is taken; for a bucket, the local copy is brought up to date and
/// pushed back as it changes.
pub fn attach(command: &Command) -> Result<Option<Attached>, u8> {
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
    let local_dir = if url.is_local() { None } else { Some(cache_dir(&url)) };
    if let Some(dir) = &local_dir {
        tokio.block_on(pull(&store, dir)).map_err(failed)?;
    }
    // The process that runs or resumes a run holds its lease from start to end, so no other machine sharing
    // the state can drive it meanwhile; a new run's id is chosen here so its lease is taken before it starts.
    let new_run_id = matches!(command, Command::Run { .. }).then(escher_runtime::journal::new_run_id);
    let lease = match (command, &new_run_id) {
        (Command::Resume { run_id, .. }, _) => Some(take_run_lease(&url, run_id, &tokio)?),
        (_, Some(run_id)) => Some(take_run_lease(&url, run_id, &tokio)?),
        _ => None,
    };
    let replication = match local_dir {
        Some(local_dir) => {
            let bucket = url.clone();
            let warn = move |error: &str| eprintln!("warning: pushing state to {bucket}: {error} (retrying)");
            let replicator = Replicator::start(store, &local_dir, PUSH_EVERY, warn).map_err(|error| {
                eprintln!("error: {error}");
                EXIT_USAGE
            })?;
            Some(Replication { replicator, url })
        }
        None => None,
    };
    Ok(Some(Attached { replication, lease, run_id: new_run_id }))
}

/// Takes `locks/run-<id>.json`, or says who holds it. A lease whose holder died is taken over, audited.
fn take_run_lease(url: &StoreUrl, run_id: &str, tokio: &tokio::runtime::Runtime) -> Result<RunLease, u8> {
    use escher_state::chrono::Utc;
    use escher_state::lock::{acquire, audit_takeover, release, renew, take_from_dead};
    let store = open(url)?;
    let holder = holder_name();
    let lock = format!("run-{run_id}");
    let taken = tokio.block_on(acquire(&store, &lock, &holder, RUN_LEASE, Utc::now())).map_err(|error| {
        eprintln!("error: {error}");
        EXIT_USAGE
    })?;
    let from_dead = |held: &escher_state::lock::LockRecord| {
        if !is_dead_here(&held.holder) {
            return Ok(None);
        }
        tokio.block_on(take_from_dead(&store, &lock, held, &holder, RUN_LEASE, Utc::now())).map_err(|error| {
            eprintln!("error: {error}");
            EXIT_USAGE
        })
    };
    let mut lease = match taken {
        Ok(lease) => lease,
        Err(held) if let Some(lease) = from_dead(&held)? => lease,
        Err(held) => {
            eprintln!(
                "error: run {run_id} is being run by {} (its lease lasts until {}); try again once it ends",
                held.holder,
                held.expires_at.format("%Y-%m-%dT%H:%M:%SZ")
            );
            return Err(EXIT_USAGE);
        }
    };
    if let Some(old) = &lease.took_over {
        eprintln!(
            "note: took over run {run_id} from {}, whose lease ended at {}",
            old.holder,
            old.expires_at.format("%Y-%m-%dT%H:%M:%SZ")
        );
        let dir = match url {
            StoreUrl::Local(dir) => dir.clone(),
            remote => cache_dir(remote),
        };
        if let Err(error) = audit_takeover(&dir, &lease, run_id) {
            eprintln!("error: the takeover could not be audited: {error}");
            return Err(EXIT_USAGE);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let Ok(tokio) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            let renew_every = (RUN_LEASE / 3).to_std().unwrap_or(Duration::from_secs(60));
            let mut since = std::time::Instant::now();
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
                if since.elapsed() >= renew_every {
                    if let Err(error) = tokio.block_on(renew(&store, &mut lease, RUN_LEASE, Utc::now())) {
                        eprintln!("warning: renewing the lease on the run: {error}");
                    }
                    since = std::time::Instant::now();
                }
            }
            let _ = tokio.block_on(release(&store, lease, Utc::now()));
        })
    };
    Ok(RunLease { stop, thread })
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

/// Ends a command's replication with a last push. A state that could not be pushed turns success into an
/// error: the local copy keeps everything, and the next command pushes it.
pub fn detach(attached: Option<Attached>, code: u8) -> u8 {
    let Some(attached) = attached else { return code };
    if let Some(lease) = attached.lease {
        lease.stop.store(true, Ordering::SeqCst);
        let _ = lease.thread.join();
    }
    let Some(replication) = attached.replication else { return code };
    match replication.replicator.finish() {
        Ok(()) => code,
        Err(error) => {
            eprintln!(
                "error: state not yet pushed to {}: {error}; it is kept in {} and pushed by the next command",
                replication.url,
                cache_dir(&replication.url).display()
            );
            if code == 0 { EXIT_USAGE } else { code }
        }
    }
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
