//! What every task of one run shares: the plan, the outputs of finished nodes, the limits and buckets, the
//! records and events, and the run's cancellation.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use escher_compiler::plan::{PlanNode, Value};
use escher_compiler::stdlib::Cloud;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::audit::AuditEntry;
use crate::eval::EvalScope;
use crate::executor::recording::emitter::Emitter;
use crate::executor::recording::recorder::Recorder;
use crate::executor::resume::ResumeState;
use crate::provider::{Bucket, Provider};
use crate::ratelimit::{BucketKey, RateLimits};
use crate::shared::Shared;

pub(crate) struct RunContext {
    pub run_id: String,
    pub plan: PlanInfo,
    pub dry_run: bool,
    pub shared: Arc<Shared>,
    /// Outputs of finished nodes, by id. Written by the run loop only, before it releases a node's dependents.
    pub outputs: RwLock<BTreeMap<String, Value>>,
    pub rates: RateLimits,
    /// The run's global bound on provider calls and scripts in flight.
    pub calls: Arc<Semaphore>,
    /// The calls next in line for a place in `calls` (as many as it has places): each journals its start while
    /// it waits, so the sync overlaps the calls in flight instead of following the one it replaces.
    pub starting: Arc<Semaphore>,
    pub cancel: CancellationToken,
    pub recorder: Recorder,
    pub events: Emitter,
    pub resume: ResumeState,
    /// Set when a step's approval has not come yet: the run's cancellation then means "suspended".
    pub suspended: std::sync::atomic::AtomicBool,
}

/// What tasks need of the plan besides its nodes, which the run loop holds (one copy, shared by the tasks).
pub(crate) struct PlanInfo {
    pub playbook: String,
    pub hash: String,
    pub params: BTreeMap<String, Value>,
}

/// Permits to make one call: the step's and the run's.
pub(crate) struct Admission {
    _step: OwnedSemaphorePermit,
    _run: OwnedSemaphorePermit,
}

impl RunContext {
    /// Runs `f` with a scope over the outputs so far and the given `for` variables.
    pub fn with_scope<R>(&self, vars: &BTreeMap<String, Value>, f: impl FnOnce(&EvalScope<'_>) -> R) -> R {
        let outputs = match self.outputs.read() {
            Ok(outputs) => outputs,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&EvalScope { outputs: &outputs, vars, secrets: self.shared.secrets.as_ref() })
    }

    /// A finished node's output (none if it has not finished).
    pub fn output(&self, node: &str) -> Value {
        let outputs = match self.outputs.read() {
            Ok(outputs) => outputs,
            Err(poisoned) => poisoned.into_inner(),
        };
        outputs.get(node).cloned().unwrap_or(Value::Null)
    }

    pub fn set_output(&self, node: &str, output: Value) {
        let mut outputs = match self.outputs.write() {
            Ok(outputs) => outputs,
            Err(poisoned) => poisoned.into_inner(),
        };
        outputs.insert(node.to_string(), output);
    }

    /// The first provider given to the runtime that serves `cloud`.
    pub fn provider_for(&self, cloud: Cloud) -> Option<&Arc<dyn Provider>> {
        self.shared.providers.iter().find(|provider| provider.serves(cloud))
    }

    /// Runs `act` on every provider's simulated clock when each provider of the run has one (and there is at
    /// least one provider); says whether it did.
    pub fn on_simulated_clocks(&self, act: impl Fn(&dyn crate::provider::SimulatedClock)) -> bool {
        let clocks: Option<Vec<_>> = self.shared.providers.iter().map(|provider| provider.clock()).collect();
        match clocks {
            Some(clocks) if !clocks.is_empty() => {
                clocks.into_iter().for_each(act);
                true
            }
            _ => false,
        }
    }

    /// The time limit of each attempt of a node.
    pub fn timeout(&self, node: &PlanNode) -> Duration {
        node.options.timeout_ms.map(Duration::from_millis).unwrap_or(self.shared.limits.step_timeout)
    }

    /// How many calls of one node may be in flight at once.
    pub fn step_concurrency(&self, node: &PlanNode) -> usize {
        node.options.concurrency.unwrap_or(self.shared.limits.step_concurrency).max(1) as usize
    }

    /// Waits for a place in the step and in the run, and for a token of the call's bucket, and has `start`
    /// journal the call's start on the way; `None` if the run is cancelled first, an error if the journal failed.
    ///
    /// The start is journaled while the call waits for its place in the run, once it is among the next in line
    /// (as many as the run has places) and when its bucket is not short of tokens: the sync then overlaps the
    /// calls in flight, and a place freed by one call goes straight to a call ready to go. Otherwise it is journaled once the call
    /// holds its places and token, as the last thing before the call. Either way the start is durable before
    /// the call is made; a call journaled early and then cancelled is in doubt on resume and settled there.
    ///
    /// A call waiting for a token gives its places back, so calls to other buckets go on, and waits in the
    /// bucket's line, so only the first in line wakes when a token comes.
    pub async fn admit<F>(
        &self,
        step: &Arc<Semaphore>,
        key: &BucketKey,
        bucket: Bucket,
        start: impl FnOnce() -> F,
    ) -> Option<Result<Admission, String>>
    where
        F: std::future::Future<Output = Result<(), String>>,
    {
        let mut start = Some(start);
        let mut turn = None;
        loop {
            let step_permit = self.until_cancelled(step.clone().acquire_owned()).await?.ok()?;
            // The next calls in line for the run's places, in the order they came.
            let next_in_line = self.until_cancelled(self.starting.clone().acquire_owned()).await?.ok()?;
            if self.rates.likely_free(key, bucket)
                && let Some(start) = start.take()
                && let Err(error) = self.until_cancelled(start()).await?
            {
                return Some(Err(error));
            }
            let run_permit = self.until_cancelled(self.calls.clone().acquire_owned()).await?.ok()?;
            drop(next_in_line);
            match self.rates.try_acquire(key, bucket) {
                // Taking the token releases the line (if this call stood in it) to the next call.
                Ok(()) => {
                    if let Some(start) = start.take()
                        && let Err(error) = self.until_cancelled(start()).await?
                    {
                        return Some(Err(error));
                    }
                    return Some(Ok(Admission { _step: step_permit, _run: run_permit }));
                }
                Err(wait) => {
                    drop((step_permit, run_permit));
                    match turn {
                        // The time spent getting to the front may have brought a token: try again at once.
                        None => turn = Some(self.until_cancelled(self.rates.turn(key, bucket)).await?),
                        Some(_) => self.until_cancelled(tokio::time::sleep(wait)).await?,
                    }
                }
            }
        }
    }

    /// A place in the run for work that has no bucket (scripts).
    pub async fn admit_unlimited(&self) -> Option<OwnedSemaphorePermit> {
        self.until_cancelled(self.calls.clone().acquire_owned()).await?.ok()
    }

    /// Awaits `future` unless the run is cancelled first.
    pub async fn until_cancelled<F: std::future::Future>(&self, future: F) -> Option<F::Output> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => None,
            output = future => Some(output),
        }
    }

    /// An audit entry of this run, by the runtime's identity.
    /// `role` as audit entries name it: not at all when the policy that grants it is the runner's own.
    pub fn role(&self, role: &str) -> String {
        if self.shared.roles_vouched { role.to_string() } else { crate::audit::UNGOVERNED.to_string() }
    }

    pub fn audit_entry(&self, kind: &str, step: Option<&PlanNode>, targets: Vec<String>, result: String) -> AuditEntry {
        AuditEntry {
            at: now(),
            who: self.shared.identity.who.clone(),
            role: self.role(&self.shared.identity.role),
            run_id: self.run_id.clone(),
            plan_hash: self.plan.hash.clone(),
            kind: kind.to_string(),
            step: step.map(|node| node.id.clone()),
            action: step.map(|node| node.action.clone()),
            targets,
            approval: None,
            journal: None,
            result,
            policy: self.shared.policy.clone(),
        }
    }
}

/// The current time as an RFC 3339 UTC string, as records carry it.
pub(crate) fn now() -> String {
    crate::audit::stamp(chrono::Utc::now())
}
