//! The run loop: the one owner of the scheduler. It hands ready nodes to tasks, takes their results back,
//! stores outputs before releasing dependents, and on cancellation stops handing out work. It never leaves the
//! loop early while tasks run: everything started is waited for, so nothing is left half-recorded.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use escher_compiler::plan::{PlanNode, Value};
use tokio::task::{Id, JoinSet};

use super::context::{RunContext, now};
use super::report::{ReportInput, build};
use crate::events::{EventKind, RunStatus, StepStatus};
use crate::executor::error::RuntimeError;
use crate::executor::recording::record::{record_result, record_rollback, record_skip};
use crate::executor::resume::Restored;
use crate::executor::step::node::run_node;
use crate::executor::step::result::NodeResult;
use crate::executor::step::undo::undo_node;
use crate::journal::JournalRecord;
use crate::report::RunReport;
use crate::scheduler::{Halt, Scheduler, Task};

pub(crate) struct Session {
    pub ctx: Arc<RunContext>,
    pub nodes: Vec<Arc<PlanNode>>,
    pub scheduler: Scheduler,
    pub restored: Restored,
    pub started_at: String,
    /// The run's lease, released when the run loop returns.
    pub lease: crate::lease::RunLease,
}

#[derive(Debug, Clone, Copy)]
enum Work {
    Node(usize),
    Undo(usize),
}

struct Loop {
    ctx: Arc<RunContext>,
    nodes: Vec<Arc<PlanNode>>,
    scheduler: Scheduler,
    restored: Restored,
    results: Vec<Option<NodeResult>>,
    tasks: VecDeque<Task>,
    /// Restored nodes handed out, waiting to be finished in the order the journal saw them finish.
    replay: BTreeSet<(usize, usize)>,
    running: JoinSet<(Work, NodeResult)>,
    work_of: HashMap<Id, Work>,
    undo_failed: bool,
}

pub(crate) async fn drive(session: Session) -> Result<RunReport, RuntimeError> {
    let Session { ctx, nodes, scheduler, restored, started_at, lease: _lease } = session;
    // The run's start reaches the replica before any step does; a failure is the recorder's and ends the run.
    let _ = ctx.recorder.replicate().await;
    let mut run = Loop {
        results: vec![None; nodes.len()],
        ctx,
        nodes,
        scheduler,
        restored,
        tasks: VecDeque::new(),
        replay: BTreeSet::new(),
        running: JoinSet::new(),
        work_of: HashMap::new(),
        undo_failed: false,
    };
    let mut cancel_seen = false;
    let first = run.scheduler.ready();
    run.tasks.extend(first);
    loop {
        if !cancel_seen && run.ctx.cancel.is_cancelled() {
            cancel_seen = true;
            let skipped = run.scheduler.cancel();
            run.tasks.extend(skipped);
        }
        run.hand_out().await;
        if run.scheduler.is_finished() && run.running.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            _ = run.ctx.cancel.cancelled(), if !cancel_seen => {
                cancel_seen = true;
                let skipped = run.scheduler.cancel();
                run.tasks.extend(skipped);
            }
            joined = run.running.join_next_with_id() => match joined {
                Some(Ok((id, (work, result)))) => {
                    run.work_of.remove(&id);
                    run.finished(work, result);
                }
                Some(Err(error)) => {
                    if let Some(work) = run.work_of.remove(&error.id()) {
                        let (Work::Node(i) | Work::Undo(i)) = work;
                        let failed = NodeResult::failed(&run.nodes[i], format!("its task ended abnormally: {error}"));
                        run.finished(work, failed);
                    }
                }
                // Nothing runs, yet the scheduler waits: nothing more can happen.
                None => break,
            },
        }
    }
    run.conclude(started_at).await
}

impl Loop {
    /// Acts on every task the scheduler gave, replaying restored finishes in journal order, until none is left.
    ///
    /// Every `concurrency` nodes started, the loop lets them run before starting more: tokio polls tasks in the
    /// order they were spawned, so when thousands are released at once the first calls would otherwise wait
    /// until every released node had prepared its calls, and the run's slots would stand empty meanwhile.
    async fn hand_out(&mut self) {
        let chunk = self.ctx.shared.limits.concurrency.max(1);
        let mut spawned = 0;
        loop {
            if let Some(task) = self.tasks.pop_front() {
                match task {
                    Task::Run(i) => match self.restored.rank.get(&i) {
                        Some(&rank) if self.restored.results.contains_key(&i) => {
                            self.replay.insert((rank, i));
                        }
                        _ => {
                            self.spawn(Work::Node(i), self.nodes[i].clone());
                            spawned += 1;
                            if spawned % chunk == 0 {
                                tokio::task::yield_now().await;
                            }
                        }
                    },
                    Task::Skip { node, reason } => self.skip(node, reason).await,
                    Task::Undo(i) => self.undo(i),
                }
                continue;
            }
            if let Some((_, i)) = self.replay.pop_first() {
                if let Some(result) = self.restored.results.remove(&i) {
                    self.finished(Work::Node(i), result);
                }
                continue;
            }
            return;
        }
    }

    fn spawn(&mut self, work: Work, node: Arc<PlanNode>) {
        let ctx = self.ctx.clone();
        let step = match work {
            Work::Node(i) | Work::Undo(i) => self.nodes[i].clone(),
        };
        let handle = self.running.spawn(async move {
            let mut result = run_node(ctx.clone(), node.clone()).await;
            // Recording failures stop the run through the recorder; the result stands as it is.
            let _ = match work {
                Work::Node(_) => record_result(&ctx, &node, &result).await,
                Work::Undo(_) => record_rollback(&ctx, &step, &node, &result).await,
            };
            if let Work::Node(_) = work {
                result.report_targets(&node.action);
            }
            (work, result)
        });
        self.work_of.insert(handle.id(), work);
    }

    async fn skip(&mut self, i: usize, reason: String) {
        let restored = self.restored.results.remove(&i);
        if restored.is_none() {
            let _ = record_skip(&self.ctx, &self.nodes[i], &reason).await;
        }
        self.ctx.set_output(&self.nodes[i].id, crate::executor::step::result::empty_output(&self.nodes[i]));
        self.results[i] = Some(NodeResult::skipped(&self.nodes[i], reason));
    }

    /// Starts the undo of a completed node, or moves on when there is nothing to undo.
    fn undo(&mut self, i: usize) {
        let Some(result) = self.results[i].as_mut() else {
            self.tasks.extend(self.scheduler.undone(i));
            return;
        };
        if self.restored.rolled_back.contains(&i) {
            result.status = StepStatus::RolledBack;
            self.tasks.extend(self.scheduler.undone(i));
            return;
        }
        match undo_node(&self.nodes[i], &self.ctx.output(&self.nodes[i].id)) {
            Ok(Some(undo)) => {
                self.ctx
                    .events
                    .emit(EventKind::RollbackStarted { node: self.nodes[i].id.clone(), undo: undo.action.clone() });
                self.spawn(Work::Undo(i), Arc::new(undo));
            }
            Ok(None) => self.tasks.extend(self.scheduler.undone(i)),
            Err(error) => {
                self.undo_failed = true;
                result.error = Some(format!("it could not be undone: {error}"));
                self.tasks.extend(self.scheduler.undone(i));
            }
        }
    }

    fn finished(&mut self, work: Work, result: NodeResult) {
        match work {
            Work::Node(i) => {
                // A large output is held once, where later nodes read it; the report takes it back at the end.
                let mut result = result;
                self.ctx.set_output(&self.nodes[i].id, std::mem::replace(&mut result.output, Value::Null));
                let next = self.scheduler.finished(i, result.outcome());
                self.tasks.extend(next);
                self.results[i] = Some(result);
            }
            Work::Undo(i) => {
                if let Some(step) = self.results[i].as_mut() {
                    if result.status == StepStatus::Succeeded {
                        step.status = StepStatus::RolledBack;
                    } else {
                        self.undo_failed = true;
                        let why = result.error.unwrap_or_else(|| format!("{:?}", result.status));
                        step.error = Some(format!("its undo failed: {why}"));
                    }
                }
                let next = self.scheduler.undone(i);
                self.tasks.extend(next);
            }
        }
    }

    fn status(&self) -> RunStatus {
        if self.ctx.suspended.load(std::sync::atomic::Ordering::SeqCst) && self.ctx.recorder.failure().is_none() {
            return RunStatus::WaitingForApproval;
        }
        match self.scheduler.halted() {
            Some((Halt::Cancel, _)) => RunStatus::Cancelled,
            _ if self.ctx.cancel.is_cancelled() => RunStatus::Cancelled,
            Some((Halt::Rollback, _)) if !self.undo_failed => RunStatus::RolledBack,
            Some(_) => RunStatus::Failed,
            None => {
                let failed = self.results.iter().flatten().any(|result| {
                    matches!(result.status, StepStatus::Failed | StepStatus::Refused | StepStatus::Cancelled)
                });
                if failed || self.undo_failed { RunStatus::Failed } else { RunStatus::Succeeded }
            }
        }
    }

    /// Writes the run's last records and builds its report.
    async fn conclude(self, started_at: String) -> Result<RunReport, RuntimeError> {
        let status = self.status();
        let ctx = &self.ctx;
        if ctx.recorder.failure().is_none() {
            let result = serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_string));
            let entry = ctx.audit_entry("run.finished", None, Vec::new(), result.unwrap_or_default());
            let _ = ctx.recorder.journal_and_audit(JournalRecord::RunFinished { status, at: now() }, entry).await;
        }
        if let Some(failure) = ctx.recorder.failure() {
            return Err(RuntimeError::Recording(failure));
        }
        ctx.events.emit(EventKind::RunFinished { status, duration_ms: ctx.events.elapsed_ms() });
        let mut outputs = std::mem::take(&mut *ctx.outputs.write().unwrap_or_else(|poisoned| poisoned.into_inner()));
        let mut results = self.results;
        for (node, result) in self.nodes.iter().zip(results.iter_mut()) {
            if let (Some(result), Some(output)) = (result, outputs.remove(&node.id)) {
                result.output = output;
            }
        }
        let report = build(ReportInput {
            run_id: &ctx.run_id,
            playbook: &ctx.plan.playbook,
            plan_hash: &ctx.plan.hash,
            nodes: &self.nodes,
            dry_run: ctx.dry_run,
            status,
            results,
            started_at,
            finished_at: now(),
        });
        // Freeing a large plan takes milliseconds per thousand nodes: the host need not wait for it.
        let nodes = self.nodes;
        tokio::task::spawn_blocking(move || drop(nodes));
        Ok(report)
    }
}
