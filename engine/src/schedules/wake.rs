//! Scheduled runs, in-process: a wake-up records the occurrences that passed while no daemon ran, claims the
//! one due (create-only, so it runs once however many daemons share the state), holds the schedule's lease
//! while it runs, and runs it through the engine like any other run. Under a policy, a step waiting for
//! signed approvals suspends the run (`resume` goes on once approved) when the engine's governance waits for
//! none; without a policy such a step is refused before anything of it runs.

use std::collections::BTreeMap;

use escher_compiler::plan::Plan;
use escher_compiler::{ParamInput, SourceLoader};
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::report::RunReport;
use escher_state::chrono::{DateTime, Duration, Utc};
use escher_state::lock::{Lease, acquire, audit_takeover, release, renew};
use escher_state::schedule::{self, Occurrence, OccurrenceStatus, Schedule, wake};
use escher_state::{Store, StoreError};

use crate::choice::ProviderChoice;
use crate::engine::{Engine, Launch, Playbook};
use crate::error::EngineError;
use crate::state::{StateError, TakenOver};

/// How long a daemon's lease on a running schedule lasts without renewal; renewed every third of that.
const LEASE: Duration = Duration::minutes(10);

/// What a wake-up did, as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum WakeReport {
    /// An occurrence recorded: missed, not run, or run (with its run id and outcome).
    Recorded(Occurrence),
    /// Another daemon claimed this occurrence first.
    ClaimedElsewhere { schedule: String, at: DateTime<Utc> },
    /// The schedule's lease was taken from a holder that died (audited).
    TookOver { schedule: String, from: TakenOver },
    /// Occurrences that passed while no daemon ran, recorded (and audited) one by one, reported together.
    Missed { schedule: String, count: usize, first: DateTime<Utc>, last: DateTime<Utc>, latest_runs: bool },
    /// The scheduled file no longer holds the text that was scheduled: the stored text runs.
    PlaybookChanged { schedule: String, file: String },
    /// The schedule cannot run (its cron expression or time zone no longer parses).
    Unrunnable { schedule: String, reason: String },
}

impl Engine {
    /// One wake-up at `now` as `holder` (a daemon's name in occurrence records, locks and the audit log):
    /// reports each thing it does and returns when the next occurrence of any schedule is due. `loader` reads
    /// the playbooks' imports.
    pub async fn wake(
        &self,
        now: DateTime<Utc>,
        holder: &str,
        loader: &dyn SourceLoader,
        report: &mut dyn FnMut(WakeReport),
    ) -> Result<Option<DateTime<Utc>>, EngineError> {
        let store = self.store()?;
        let store_error = |error: StoreError| EngineError::State(StateError::Store(error));
        let mut next: Option<DateTime<Utc>> = None;
        for schedule in schedule::list(&store).await.map_err(store_error)? {
            let spec = match schedule.spec() {
                Ok(spec) => spec,
                Err(reason) => {
                    self.audit_schedule(holder, &schedule, "schedule.unrunnable", None, format!("not run: {reason}"))?;
                    report(WakeReport::Unrunnable { schedule: schedule.name.clone(), reason });
                    continue;
                }
            };
            let known = schedule::list_occurrences(&store, &schedule.name).await.map_err(store_error)?;
            let since = known.last().map_or(schedule.created_at, |last| last.at.max(schedule.created_at));
            let woke = wake(&spec, schedule.missed, since, now);
            next = match (next, woke.next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let reason = if woke.run.is_some() {
                "no daemon was running; a later occurrence runs instead"
            } else {
                "no daemon was running; not run (missed: skip)"
            };
            let mut missed = Vec::new();
            for at in &woke.missed {
                let record = Occurrence {
                    outcome: Some(reason.to_string()),
                    ..occurrence(&schedule, holder, *at, now, OccurrenceStatus::Missed, false)
                };
                if schedule::record(&store, &record).await.map_err(store_error)? {
                    missed.push(*at);
                }
            }
            if let (Some(first), Some(last)) = (missed.first(), missed.last()) {
                let (first, last, count) = (*first, *last, missed.len());
                let result = format!("missed {count} occurrence(s) from {} to {}: {reason}", stamp(first), stamp(last));
                self.audit_schedule(holder, &schedule, "schedule.missed", None, result)?;
                let latest_runs = woke.run.is_some();
                report(WakeReport::Missed { schedule: schedule.name.clone(), count, first, last, latest_runs });
            }
            if let Some(at) = woke.run {
                if std::fs::read_to_string(&schedule.playbook_file).is_ok_and(|text| text != schedule.playbook) {
                    let file = schedule.playbook_file.clone();
                    report(WakeReport::PlaybookChanged { schedule: schedule.name.clone(), file });
                }
                let claim = occurrence(&schedule, holder, at, now, OccurrenceStatus::Running, woke.late);
                self.run_occurrence(&store, &schedule, claim, loader, report).await.map_err(store_error)?;
            }
        }
        Ok(next)
    }

    async fn run_occurrence(
        &self,
        store: &Store,
        schedule: &Schedule,
        claim: Occurrence,
        loader: &dyn SourceLoader,
        report: &mut dyn FnMut(WakeReport),
    ) -> Result<(), StoreError> {
        let (at, now) = (claim.at, claim.recorded_at);
        let Some(version) = schedule::claim(store, &claim).await? else {
            report(WakeReport::ClaimedElsewhere { schedule: schedule.name.clone(), at });
            return Ok(());
        };
        let lock = format!("schedule-{}", schedule.name);
        let lease = match acquire(store, &lock, &claim.holder, LEASE, now).await? {
            Ok(lease) => lease,
            Err(held) => {
                let outcome = format!("not run: {} is still running this schedule", held.holder);
                let record = Occurrence { status: OccurrenceStatus::Missed, outcome: Some(outcome), ..claim };
                schedule::finish(store, &record, version).await?;
                self.audit_occurrence(schedule, &record);
                report(WakeReport::Recorded(record));
                return Ok(());
            }
        };
        if let Some(old) = &lease.took_over {
            let from = TakenOver { holder: old.holder.clone(), expired_at: old.expires_at };
            report(WakeReport::TookOver { schedule: schedule.name.clone(), from });
            // The takeover stays in the lock's record if the audit log cannot be written; the run goes on.
            let _ = audit_takeover(self.state_dir(), &lease, "");
        }
        let (run_id, outcome) = self.run_scheduled(store, schedule, lease.clone(), loader).await;
        let record = Occurrence { status: OccurrenceStatus::Ran, run_id, outcome: Some(outcome), ..claim };
        schedule::finish(store, &record, version).await?;
        release(store, lease, Utc::now().max(now)).await?;
        self.audit_occurrence(schedule, &record);
        report(WakeReport::Recorded(record));
        Ok(())
    }

    /// Runs a schedule's playbook, renewing the schedule's lease while it runs: the run's id and how it ended.
    async fn run_scheduled(
        &self,
        store: &Store,
        schedule: &Schedule,
        mut lease: Lease,
        loader: &dyn SourceLoader,
    ) -> (Option<String>, String) {
        let params: BTreeMap<String, ParamInput> =
            schedule.params.iter().map(|(name, value)| (name.clone(), ParamInput::Text(value.clone()))).collect();
        let source = Playbook::Source { name: &schedule.playbook_file, text: &schedule.playbook };
        let prepared = match self.prepare(source, params, loader) {
            Ok(prepared) => prepared,
            Err(error) => return (None, not_run(&error)),
        };
        let Some(plan) = prepared.plan().cloned() else {
            let first = prepared.compilation.diagnostics.iter().find(|d| d.is_error()).map(|d| d.message().to_string());
            return (None, format!("not run: the playbook has errors: {}", first.unwrap_or_default()));
        };
        let clouds = if schedule.clouds.is_empty() { vec!["sim".to_string()] } else { schedule.clouds.clone() };
        let providers: Vec<ProviderChoice> = clouds.iter().map(|name| ProviderChoice::new(name.as_str())).collect();
        let run_id = escher_runtime::journal::new_run_id();
        let launch = Launch { run_id: Some(run_id.clone()), dry_run: false };
        let started = match self.start(prepared, &providers, launch).await {
            Ok(started) => started,
            Err(error) => return (None, not_run(&error)),
        };
        let finished = started.finish();
        tokio::pin!(finished);
        let every = (LEASE / 3).to_std().unwrap_or(std::time::Duration::from_secs(60));
        let ended = loop {
            tokio::select! {
                ended = &mut finished => break ended,
                () = tokio::time::sleep(every) => {
                    // A renewal that fails is tried again; the lease outlasts two misses.
                    let _ = renew(store, &mut lease, LEASE, Utc::now()).await;
                }
            }
        };
        let outcome = match ended.report {
            Ok(report) => outcome(&report, &plan),
            Err(error) => format!("failed: {error}"),
        };
        (Some(run_id), outcome)
    }

    /// Audits what happened to an occurrence. The record in the store is the truth; an audit log that cannot be
    /// written here is retried by nothing, so it is left to `audit verify` to notice rather than failing the wake-up.
    fn audit_occurrence(&self, schedule: &Schedule, record: &Occurrence) {
        let kind = match record.status {
            OccurrenceStatus::Ran => "schedule.ran",
            OccurrenceStatus::Missed => "schedule.missed",
            OccurrenceStatus::Running => "schedule.running",
        };
        let result = format!("{}: {}", stamp(record.at), record.outcome.clone().unwrap_or_default());
        let _ = self.audit_schedule(&record.holder, schedule, kind, record.run_id.as_deref(), result);
    }

    fn audit_schedule(
        &self,
        holder: &str,
        schedule: &Schedule,
        kind: &str,
        run_id: Option<&str>,
        result: String,
    ) -> Result<(), EngineError> {
        let entry = schedule_audit_entry(holder, "scheduler", &schedule.name, kind, run_id, result);
        crate::error::append_audit(self.state_dir(), entry)
    }

    /// The store the engine's state is in, for schedules and locks.
    fn store(&self) -> Result<Store, EngineError> {
        match self.attached_url() {
            Some(url) => Store::open(url, &escher_state::StoreOptions::default())
                .map_err(|error| EngineError::State(StateError::Store(error))),
            None => Ok(Store::local(self.state_dir())),
        }
    }
}

/// An audit record about a schedule: `targets` names it.
pub(crate) fn schedule_audit_entry(
    who: &str,
    role: &str,
    schedule: &str,
    kind: &str,
    run_id: Option<&str>,
    result: String,
) -> escher_runtime::audit::AuditEntry {
    escher_runtime::audit::AuditEntry {
        at: escher_runtime::audit::stamp(Utc::now()),
        who: who.to_string(),
        role: role.to_string(),
        run_id: run_id.unwrap_or_default().to_string(),
        plan_hash: String::new(),
        kind: kind.to_string(),
        step: None,
        action: None,
        targets: vec![format!("schedule:{schedule}")],
        approval: None,
        journal: None,
        result,
        policy: None,
    }
}

/// A time as schedules show it: RFC 3339, UTC, whole seconds.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn occurrence(
    schedule: &Schedule,
    holder: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    status: OccurrenceStatus,
    late: bool,
) -> Occurrence {
    Occurrence {
        schedule: schedule.name.clone(),
        at,
        status,
        holder: holder.to_string(),
        recorded_at: now,
        late,
        run_id: None,
        outcome: None,
    }
}

fn not_run(error: &EngineError) -> String {
    match error {
        EngineError::Refused(refusal) => format!("refused: {refusal}; nothing was run"),
        other => format!("not run: {other}"),
    }
}

/// How a scheduled run ended, in one phrase for its occurrence record.
fn outcome(report: &RunReport, plan: &Plan) -> String {
    match report.status {
        RunStatus::Succeeded => "succeeded".to_string(),
        RunStatus::WaitingForApproval => {
            format!("waiting for approval: escher approvals, then escher resume {}", report.run_id)
        }
        RunStatus::Cancelled => "cancelled".to_string(),
        RunStatus::Failed | RunStatus::RolledBack => {
            let refused: Vec<String> = report
                .steps
                .iter()
                .filter(|step| step.status == StepStatus::Refused)
                .map(|step| match plan.nodes.iter().find(|node| node.id == step.node) {
                    Some(node) if let Some(approval) = &node.approval => format!(
                        "step `{}` needs approval (risk {}, by {}) and none was given: it did not run",
                        step.node,
                        node.risk.level.as_str(),
                        approval.role
                    ),
                    _ => format!("step `{}` was refused: it did not run", step.node),
                })
                .collect();
            if !refused.is_empty() {
                return format!("failed: {}", refused.join("; "));
            }
            let failed = report
                .steps
                .iter()
                .find_map(|step| step.error.as_ref().map(|error| format!("step `{}`: {error}", step.node)));
            let verb = if report.status == RunStatus::RolledBack { "rolled back" } else { "failed" };
            match failed {
                Some(reason) => format!("{verb}: {reason}"),
                None => verb.to_string(),
            }
        }
    }
}
