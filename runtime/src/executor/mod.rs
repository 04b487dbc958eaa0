//! The executor: runs a plan's nodes on tokio, in parallel within the run's bounds and the providers' buckets,
//! as the [scheduler](crate::scheduler) releases them, recording each step durably before and after it acts.
//!
//! `start` and `resume` do the checks and the first records synchronously, so a run that cannot start says so
//! at once; then the run loop (`run/run_loop.rs`) takes over on its own task. By folder:
//!
//! - this one: launching a run (`start`, `resume`, and what a resumed run takes from its journal), and what the
//!   host gets back (`RunHandle`, `RuntimeError`);
//! - `run/`: the run loop, the one owner of the scheduler; the context its tasks share; the report it ends with;
//! - `step/`: one node's work, from its `when` to its result: inputs, approval, core actions, scripts, undo;
//! - `provider_calls/`: a step's calls to providers: batches, each call with its retries, batches in doubt on
//!   resume, and the answers merged into the step's result;
//! - `recording/`: the journal and audit writers, what is recorded when a node ends, and the event stream.
//!
//! Files import the files that define what they use, never through this `mod.rs` or a sub-folder's, so no two
//! files import each other.

mod error;
mod handle;
mod provider_calls;
mod recording;
mod resume;
mod run;
mod step;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use escher_compiler::plan::{NodeKind, Plan, plan_hash};
use escher_compiler::stdlib::Cloud;
use tokio::sync::Semaphore;

pub use error::RuntimeError;
pub use handle::RunHandle;

use crate::audit::AuditEntry;
use crate::events::EventKind;
use crate::journal::{Journal, JournalMark, JournalRecord};
use crate::lease::{RunLease, holder_name};
use crate::ratelimit::RateLimits;
use crate::run_options::RunOptions;
use crate::scheduler::{DependencyGraph, Scheduler};
use crate::shared::Shared;
use recording::emitter::Emitter;
use recording::recorder::Recorder;
use resume::{Restored, ResumeState};
use run::context::{PlanInfo, RunContext, now};
use run::run_loop::{Session, drive};
use step::core_actions;

pub(crate) fn start(
    shared: Arc<Shared>,
    plan: Plan,
    options: RunOptions,
    run_id: String,
) -> Result<RunHandle, RuntimeError> {
    let tokio = tokio::runtime::Handle::try_current().map_err(|_| RuntimeError::NoTokio)?;
    let found = plan_hash(&plan);
    if found != plan.hash {
        return Err(RuntimeError::PlanHash { recorded: plan.hash.clone(), found });
    }
    let scheduler = Scheduler::new(DependencyGraph::from_plan(&plan)?);
    check_providers(&shared, &plan)?;
    check_secrets(&shared, &plan)?;
    let lease = RunLease::acquire(&shared.state_dir, &run_id, &holder_name(&shared.identity.who))?;
    let mut journal = Journal::create(&shared.state_dir, &run_id)?;
    let started_at = now();
    let plan = journal_start(&mut journal, &run_id, plan, options.dry_run, &started_at)?;
    let mark = journal.mark().clone();
    audit_now(&shared, &run_id, &plan, mark, "run.started", if options.dry_run { "dry run" } else { "started" })?;
    let launch = Launch {
        run_id,
        plan,
        dry_run: options.dry_run,
        resume: ResumeState::default(),
        restored: Restored::default(),
        lease,
    };
    Ok(launch.spawn(&tokio, shared, journal, scheduler, started_at, false))
}

pub(crate) fn resume(shared: Arc<Shared>, run_id: &str) -> Result<RunHandle, RuntimeError> {
    let tokio = tokio::runtime::Handle::try_current().map_err(|_| RuntimeError::NoTokio)?;
    // The lease comes first: nothing is read or repaired while another live process drives the run.
    let lease = RunLease::acquire(&shared.state_dir, run_id, &holder_name(&shared.identity.who))?;
    let resumed = resume::load(&shared.state_dir, run_id)?;
    resume::check_recorded_approvals(shared.approver.as_ref(), run_id, &resumed)?;
    let scheduler = Scheduler::new(DependencyGraph::from_plan(&resumed.plan)?);
    check_providers(&shared, &resumed.plan)?;
    check_secrets(&shared, &resumed.plan)?;
    let mut journal = Journal::open(&shared.state_dir, run_id)?;
    let started_at = now();
    journal.append(&JournalRecord::RunResumed { at: started_at.clone() })?;
    if let Some(dead) = &lease.took_over_from {
        let taken = format!("took over from {dead}, whose process ended without releasing the run");
        audit_now(&shared, run_id, &resumed.plan, journal.mark().clone(), "run.lease_taken_over", &taken)?;
    }
    audit_now(&shared, run_id, &resumed.plan, journal.mark().clone(), "run.resumed", "resumed")?;
    let launch = Launch {
        run_id: run_id.to_string(),
        plan: resumed.plan,
        dry_run: resumed.dry_run,
        resume: resumed.state,
        restored: resumed.restored,
        lease,
    };
    Ok(launch.spawn(&tokio, shared, journal, scheduler, started_at, true))
}

struct Launch {
    run_id: String,
    plan: Plan,
    dry_run: bool,
    resume: ResumeState,
    restored: Restored,
    /// Held by the run's task until the run ends.
    lease: RunLease,
}

impl Launch {
    fn spawn(
        self,
        tokio: &tokio::runtime::Handle,
        shared: Arc<Shared>,
        journal: Journal,
        scheduler: Scheduler,
        started_at: String,
        resumed: bool,
    ) -> RunHandle {
        let cancel = shared.cancel.child_token();
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let events = Emitter::new(self.run_id.clone(), shared.events.clone(), sender, cancel.clone());
        let outputs: BTreeMap<_, _> = self
            .restored
            .results
            .iter()
            .map(|(&i, result)| (self.plan.nodes[i].id.clone(), result.output.clone()))
            .collect();
        events.emit(EventKind::RunStarted {
            playbook: self.plan.playbook.clone(),
            plan_hash: self.plan.hash.clone(),
            nodes: self.plan.nodes.len(),
            dry_run: self.dry_run,
            resumed,
        });
        // The nodes move to the run loop rather than being copied: a large plan is held once.
        let Plan { playbook, hash, params, nodes, .. } = self.plan;
        let nodes = nodes.into_iter().map(Arc::new).collect();
        let ctx = Arc::new(RunContext {
            run_id: self.run_id.clone(),
            plan: PlanInfo { playbook, hash, params },
            dry_run: self.dry_run,
            calls: Arc::new(Semaphore::new(shared.limits.concurrency)),
            starting: Arc::new(Semaphore::new(shared.limits.concurrency)),
            outputs: RwLock::new(outputs),
            rates: RateLimits::new(),
            recorder: Recorder::new(journal, shared.audit.clone(), shared.replica.clone(), cancel.clone()),
            cancel: cancel.clone(),
            events,
            resume: self.resume,
            suspended: std::sync::atomic::AtomicBool::new(false),
            shared,
        });
        let session = Session { ctx, nodes, scheduler, restored: self.restored, started_at, lease: self.lease };
        let task = tokio.spawn(drive(session));
        RunHandle::new(self.run_id, receiver, task, cancel)
    }
}

/// Journals the run's start with its plan, and gives the plan back: a large plan is not copied to be recorded.
fn journal_start(
    journal: &mut Journal,
    run_id: &str,
    plan: Plan,
    dry_run: bool,
    at: &str,
) -> Result<Plan, RuntimeError> {
    let record = JournalRecord::RunStarted { run_id: run_id.to_string(), plan, dry_run, at: at.to_string() };
    journal.append(&record)?;
    match record {
        JournalRecord::RunStarted { plan, .. } => Ok(plan),
        _ => unreachable!("the record was made as a RunStarted just above"),
    }
}

/// Every cloud the plan calls has a provider, so a run does not fail half-way for want of one.
fn check_providers(shared: &Shared, plan: &Plan) -> Result<(), RuntimeError> {
    for node in &plan.nodes {
        if node.kind == NodeKind::Script || core_actions::is_core(&node.action) {
            continue;
        }
        let clouds: &[Cloud] = match node.cloud {
            Cloud::Aws | Cloud::Azure | Cloud::Gcp => std::slice::from_ref(&node.cloud),
            _ => &Cloud::ALL,
        };
        let served = clouds.iter().any(|&cloud| shared.providers.iter().any(|provider| provider.serves(cloud)));
        if !served {
            let cloud = if clouds.len() == 1 { clouds[0].to_string() } else { "any cloud".into() };
            return Err(RuntimeError::NoProvider { node: node.id.clone(), cloud });
        }
    }
    Ok(())
}

/// Every secret the plan uses must be readable before anything runs: a missing or exposed secret found by the
/// step that needs it would leave the steps before it done and the run half finished.
fn check_secrets(shared: &Shared, plan: &Plan) -> Result<(), RuntimeError> {
    let mut names = std::collections::BTreeSet::new();
    for node in &plan.nodes {
        for arg in node.args.values() {
            if let escher_compiler::plan::PlanExpr::Secret { name } = arg {
                names.insert(name.as_str());
            }
        }
    }
    for name in names {
        shared.secrets.get(name)?;
    }
    Ok(())
}

/// An audit entry written before the run's task starts.
fn audit_now(
    shared: &Shared,
    run_id: &str,
    plan: &Plan,
    journal: JournalMark,
    kind: &str,
    result: &str,
) -> Result<(), RuntimeError> {
    let entry = AuditEntry {
        at: now(),
        who: shared.identity.who.clone(),
        role: shared.identity.role.clone(),
        run_id: run_id.to_string(),
        plan_hash: plan.hash.clone(),
        kind: kind.to_string(),
        step: None,
        action: None,
        targets: Vec::new(),
        approval: None,
        journal: Some(journal),
        result: result.to_string(),
        policy: shared.policy.clone(),
    };
    let mut audit = match shared.audit.lock() {
        Ok(audit) => audit,
        Err(poisoned) => poisoned.into_inner(),
    };
    audit.append(entry).map(drop).map_err(|error| RuntimeError::Audit(error.to_string()))
}
