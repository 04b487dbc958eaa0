//! `escher daemon`: runs due schedules on this machine, in-process through the engine (see
//! `escher_engine::WakeReport` for what a wake-up does). Each wake-up attaches the state afresh, so a bucket's
//! approvals and schedules are current, and pushes it back when done. Under a policy a run never waits: a step
//! that needs signed approvals suspends it (`escher resume` goes on once approved); without one such a step is
//! refused before anything of it runs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use escher::FsLoader;
use escher_engine::{Engine, ProviderRegistry, WakeReport};
use escher_governance::identity::Identity;
use escher_runtime::provider::Secret;
use escher_runtime::secrets::{EnvAndFileSecrets, SecretError, SecretStore};
use escher_state::chrono::{DateTime, Utc};

use super::EXIT_OK;
use super::error::{CliError, Outcome};
use escher_engine::schedules::stamp;

use super::schedule::parse_time;
use super::state::{holder_name, location, tokio};

/// How often a waiting daemon looks again (schedules may have been added).
const POLL: StdDuration = StdDuration::from_secs(30);

#[derive(Debug, clap::Args)]
pub struct DaemonArgs {
    /// Wake once, run what is due, and exit.
    #[arg(long)]
    pub once: bool,
    /// The time to wake at (RFC 3339), with --once: for tests and for replaying a missed wake-up.
    #[arg(long, value_name = "TIME", value_parser = parse_time, requires = "once")]
    pub now: Option<DateTime<Utc>>,
    /// The state: a directory or s3://, az://, gs:// URL (default: $ESCHER_STATE, else the XDG data directory).
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<PathBuf>,
    /// This daemon's name in occurrence records, locks and the audit log (default: user@host:pid).
    #[arg(long)]
    pub holder: Option<String>,
}

pub fn run(args: &DaemonArgs) -> Outcome {
    run_with(args, Held::default())
}

/// What a host holds in memory for its runs (the container job's, read from its cloud's secret store).
pub struct Held {
    /// Looked up first, then as `escher run` looks.
    pub secrets: Arc<BTreeMap<String, Secret>>,
    /// The providers, some signing in with credentials the host holds.
    pub registry: ProviderRegistry,
    /// The runner's key pair for governed runs, instead of the state directory's identity.
    pub runner: Option<Identity>,
}

impl Default for Held {
    fn default() -> Held {
        Held { secrets: Arc::default(), registry: ProviderRegistry::builtin(), runner: None }
    }
}

/// As [`run`], with what the host holds.
pub fn run_with(args: &DaemonArgs, held: Held) -> Outcome {
    let holder = args.holder.clone().unwrap_or_else(holder_name);
    let tokio = tokio()?;
    loop {
        let now = args.now.unwrap_or_else(Utc::now);
        let next = match tokio.block_on(wake(args, &holder, now, &held)) {
            Ok(next) => next,
            Err(error) if args.once => return Err(error),
            Err(error) => {
                eprintln!("{}", error.render());
                None
            }
        };
        if args.once {
            match next {
                Some(at) => outln!("next occurrence: {}", stamp(at)),
                None => outln!("no schedule has a next occurrence"),
            }
            return Ok(EXIT_OK);
        }
        let wait = next.and_then(|at| (at - Utc::now()).to_std().ok()).map_or(POLL, |until| until.min(POLL));
        std::thread::sleep(wait.max(StdDuration::from_millis(200)));
    }
}

/// One wake-up: the state attached, the engine's wake-up run, the state pushed back.
async fn wake(
    args: &DaemonArgs,
    holder: &str,
    now: DateTime<Utc>,
    held: &Held,
) -> Result<Option<DateTime<Utc>>, CliError> {
    let location = location(args.state.as_deref())?;
    let bucket = location.to_string();
    let warn = move |error: &str| eprintln!("warning: pushing state to {bucket}: {error} (retrying)");
    let state = escher_engine::state::AttachedState::attach(location, warn).await?;
    let mut builder = Engine::builder()
        .secrets(Arc::new(Preloaded { first: held.secrets.clone(), then: EnvAndFileSecrets::new(state.dir()) }))
        .registry(held.registry.clone());
    if let Some(runner) = &held.runner {
        builder = builder.runner_identity(runner.clone());
    }
    let engine = builder
        .state(state)
        .holder(holder)
        .governance_settings(escher_engine::GovernanceSettings::from_env(None, None))
        .build()?;
    let next = engine.wake(now, holder, &FsLoader, &mut print).await?;
    engine.close()?;
    Ok(next)
}

/// Secrets read before the run, then the environment and the state's secrets file.
struct Preloaded {
    first: Arc<BTreeMap<String, Secret>>,
    then: EnvAndFileSecrets,
}

impl SecretStore for Preloaded {
    fn get(&self, name: &str) -> Result<Secret, SecretError> {
        match self.first.get(name) {
            Some(secret) => Ok(secret.clone()),
            None => self.then.get(name),
        }
    }
}

fn print(report: WakeReport) {
    match report {
        WakeReport::Recorded(occurrence) => outln!("{occurrence}"),
        WakeReport::ClaimedElsewhere { schedule, at } => outln!("{schedule} {}: claimed by another daemon", stamp(at)),
        WakeReport::TookOver { schedule, from } => {
            outln!("{schedule}: took over the lease of {} (expired {})", from.holder, stamp(from.expired_at));
        }
        WakeReport::Missed { schedule, count, first, last, latest_runs } => {
            let then = if latest_runs { "ran the latest" } else { "none run (missed: skip)" };
            outln!(
                "{schedule}: missed {count} occurrence(s) from {} to {} while no daemon ran; {then}",
                stamp(first),
                stamp(last)
            );
        }
        WakeReport::PlaybookChanged { schedule, file } => eprintln!(
            "warning: {schedule}: {file} changed since it was scheduled; the scheduled text runs (`escher schedule add` again to run the new one)"
        ),
        WakeReport::Unrunnable { schedule, reason } => eprintln!("{schedule}: not run: {reason}"),
    }
}
