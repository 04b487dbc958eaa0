//! `escher daemon`: runs due schedules on this machine.
//!
//! Each wake-up, for every schedule: occurrences that passed while no daemon ran are recorded as missed (and
//! reported); the one due now, or under `--missed run-latest` the latest missed one, is claimed with a
//! create-only occurrence object, so it runs once however many daemons share the state. While it runs, the
//! daemon holds the schedule's lease lock; a lock whose holder died is taken over, and the takeover is written
//! to the audit log. A run is a child `escher run` with no terminal. Under a policy it runs with `--detach`: a
//! step that needs signed approvals suspends the run, reported as waiting for approval (`escher resume` goes
//! on once approved). Without a policy a step that needs an approval is refused before anything of it runs,
//! and the occurrence is reported as such.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration as StdDuration;

use escher_state::chrono::{DateTime, Duration, Utc};
use escher_state::lock::{acquire, audit_takeover, release, renew};
use escher_state::schedule::{self, Occurrence, OccurrenceStatus, Schedule, wake};
use escher_state::{Store, StoreUrl};

use super::schedule::{describe, parse_time, stamp};
use super::state::{cache_dir, location, open, tokio, url};
use super::{EXIT_OK, EXIT_USAGE};

/// How long a daemon's lease on a running schedule lasts without renewal.
const LEASE: Duration = Duration::minutes(10);
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

pub fn run(args: &DaemonArgs) -> u8 {
    let (store, tokio) = match url(args.state.as_deref()).and_then(|url| Ok((open(&url)?, tokio()?))) {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let holder = args.holder.clone().unwrap_or_else(super::state::holder_name);
    let daemon = Daemon { store, holder, location: location(args.state.as_deref()) };
    if let Err(error) = tokio.block_on(escher_state::layout::ensure_layout(&daemon.store)) {
        eprintln!("error: {error}");
        return EXIT_USAGE;
    }
    loop {
        let now = args.now.unwrap_or_else(Utc::now);
        let next = match tokio.block_on(daemon.wake(now)) {
            Ok(next) => next,
            Err(error) => {
                eprintln!("error: {error}");
                if args.once {
                    return EXIT_USAGE;
                }
                None
            }
        };
        if args.once {
            match next {
                Some(at) => outln!("next occurrence: {}", stamp(at)),
                None => outln!("no schedule has a next occurrence"),
            }
            return EXIT_OK;
        }
        let wait = next.and_then(|at| (at - Utc::now()).to_std().ok()).map_or(POLL, |until| until.min(POLL));
        std::thread::sleep(wait.max(StdDuration::from_millis(200)));
    }
}

struct Daemon {
    store: Store,
    holder: String,
    location: String,
}

impl Daemon {
    /// One wake-up at `now`: returns when the next schedule fires.
    async fn wake(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, escher_state::StoreError> {
        let mut next: Option<DateTime<Utc>> = None;
        for schedule in schedule::list(&self.store).await? {
            let spec = match schedule.spec() {
                Ok(spec) => spec,
                Err(message) => {
                    eprintln!("{}: not run: {message}", schedule.name);
                    continue;
                }
            };
            let known = schedule::list_occurrences(&self.store, &schedule.name).await?;
            let since = known.last().map_or(schedule.created_at, |last| last.at.max(schedule.created_at));
            let woke = wake(&spec, schedule.missed, since, now);
            next = match (next, woke.next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            for at in &woke.missed {
                let record = self.occurrence(&schedule, *at, now, OccurrenceStatus::Missed, false);
                let reason = if woke.run.is_some() {
                    "no daemon was running; a later occurrence runs instead"
                } else {
                    "no daemon was running; not run (missed: skip)"
                };
                let record = Occurrence { outcome: Some(reason.to_string()), ..record };
                if schedule::record(&self.store, &record).await? {
                    outln!("{}", describe(&record));
                }
            }
            if let Some(at) = woke.run {
                self.run_occurrence(&schedule, at, woke.late, now).await?;
            }
        }
        Ok(next)
    }

    fn occurrence(
        &self,
        schedule: &Schedule,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
        status: OccurrenceStatus,
        late: bool,
    ) -> Occurrence {
        Occurrence {
            schedule: schedule.name.clone(),
            at,
            status,
            holder: self.holder.clone(),
            recorded_at: now,
            late,
            run_id: None,
            outcome: None,
        }
    }

    async fn run_occurrence(
        &self,
        schedule: &Schedule,
        at: DateTime<Utc>,
        late: bool,
        now: DateTime<Utc>,
    ) -> Result<(), escher_state::StoreError> {
        let claim = self.occurrence(schedule, at, now, OccurrenceStatus::Running, late);
        let Some(version) = schedule::claim(&self.store, &claim).await? else {
            outln!("{} {}: claimed by another daemon", schedule.name, stamp(at));
            return Ok(());
        };
        let lock = format!("schedule-{}", schedule.name);
        let lease = match acquire(&self.store, &lock, &self.holder, LEASE, now).await? {
            Ok(lease) => lease,
            Err(holder) => {
                let record = Occurrence {
                    status: OccurrenceStatus::Missed,
                    outcome: Some(format!("not run: {} is still running this schedule", holder.holder)),
                    ..claim
                };
                schedule::finish(&self.store, &record, version).await?;
                outln!("{}", describe(&record));
                return Ok(());
            }
        };
        if let Some(old) = &lease.took_over {
            outln!("{}: took over the lease of {} (expired {})", schedule.name, old.holder, stamp(old.expires_at));
            if let Err(error) = audit_takeover(&self.audit_dir(), &lease, "") {
                eprintln!("warning: the takeover could not be audited: {error}");
            }
        }
        let (run_id, outcome) = self.spawn_run(schedule, &lease).await;
        let record = Occurrence { status: OccurrenceStatus::Ran, run_id, outcome: Some(outcome), ..claim };
        schedule::finish(&self.store, &record, version).await?;
        release(&self.store, lease, Utc::now().max(now)).await?;
        outln!("{}", describe(&record));
        Ok(())
    }

    /// The local state directory whose audit log records what this daemon did.
    fn audit_dir(&self) -> PathBuf {
        match self.store.url() {
            StoreUrl::Local(dir) => dir.clone(),
            remote => cache_dir(remote),
        }
    }

    /// Runs the occurrence as a child `escher run`, renewing the lease while it runs.
    async fn spawn_run(&self, schedule: &Schedule, lease: &escher_state::lock::Lease) -> (Option<String>, String) {
        let (file, copy) = match write_playbook(schedule) {
            Ok(found) => found,
            Err(error) => return (None, format!("not run: cannot write the playbook: {error}")),
        };
        let mut command = Command::new(std::env::current_exe().unwrap_or_else(|_| PathBuf::from("escher")));
        command.arg("run").arg(&file).args(["--format", "json", "--state", &self.location]);
        // Under a policy, a step waiting for signed approvals suspends the run (exit 75) for `escher resume`;
        // without one, the run has no approver and refuses such a step.
        if super::policy::policy_path(&self.audit_dir(), None).is_some() {
            command.arg("--detach");
        }
        for (name, value) in &schedule.params {
            command.arg("--param").arg(format!("{name}={value}"));
        }
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = match command.spawn() {
            Ok(child) => child,
            Err(error) => return (None, format!("not run: cannot start escher run: {error}")),
        };
        let mut lease = lease.clone();
        let waited = tokio::task::spawn_blocking(move || child.wait_with_output());
        tokio::pin!(waited);
        let output = loop {
            tokio::select! {
                output = &mut waited => break output,
                () = tokio::time::sleep((LEASE / 3).to_std().unwrap_or(POLL)) => {
                    if let Err(error) = renew(&self.store, &mut lease, LEASE, Utc::now()).await {
                        eprintln!("warning: {}: renewing the lease: {error}", schedule.name);
                    }
                }
            }
        };
        if copy {
            let _ = std::fs::remove_file(&file);
        }
        let output = match output {
            Ok(Ok(output)) => output,
            Ok(Err(error)) => return (None, format!("escher run failed to report: {error}")),
            Err(error) => return (None, format!("escher run failed to report: {error}")),
        };
        let events: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        let run_id = events.iter().find_map(|event| event.get("run_id")?.as_str().map(str::to_string));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let outcome = match output.status.code() {
            Some(0) => "succeeded".to_string(),
            Some(75) => match &run_id {
                Some(run) => format!("waiting for approval: escher approvals, then escher resume {run}"),
                None => "waiting for approval: escher approvals".to_string(),
            },
            Some(130) => "cancelled".to_string(),
            Some(code) => match refused_steps(&events) {
                refused if !refused.is_empty() => format!("failed: {}", refused.join("; ")),
                _ => {
                    let last = stderr.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("").trim();
                    format!("failed (exit {code}): {last}")
                }
            },
            None => "killed by a signal".to_string(),
        };
        (run_id, outcome)
    }
}

/// The steps a run's events show refused for want of an approval, each as "step `X` needs approval (risk R, by
/// ROLE) and none was given: it did not run".
fn refused_steps(events: &[serde_json::Value]) -> Vec<String> {
    let text = |event: &serde_json::Value, key: &str| event.get(key).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let kind = |event: &serde_json::Value| text(event, "event");
    events
        .iter()
        .filter(|event| kind(event) == "step_finished" && text(event, "status") == "refused")
        .map(|finished| {
            let node = text(finished, "node");
            let asked = events.iter().find(|e| kind(e) == "approval_requested" && text(e, "node") == node);
            match asked {
                Some(asked) => format!(
                    "step `{node}` needs approval (risk {}, by {}) and none was given: it did not run",
                    text(asked, "risk"),
                    text(asked, "role")
                ),
                None => format!("step `{node}` was refused: it did not run"),
            }
        })
        .collect()
}

/// The playbook to run: the file it was scheduled from while it still holds the scheduled text (its imports
/// resolve next to it), else the stored copy, written to a temporary file.
fn write_playbook(schedule: &Schedule) -> std::io::Result<(PathBuf, bool)> {
    let original = PathBuf::from(&schedule.playbook_file);
    if std::fs::read_to_string(&original).is_ok_and(|text| text == schedule.playbook) {
        return Ok((original, false));
    }
    let dir = std::env::temp_dir().join(format!("escher-daemon-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let extension = Path::new(&schedule.playbook_file).extension().and_then(|e| e.to_str()).unwrap_or("esc");
    let file = dir.join(format!("{}.{extension}", schedule.name));
    std::fs::write(&file, &schedule.playbook)?;
    Ok((file, true))
}
