//! The run report: how each step ended and what it did to each resource.

use escher_compiler::plan::Value;
use serde::{Deserialize, Serialize};

use crate::events::{RunStatus, StepStatus};

pub mod change;
pub mod text;
pub mod verb;

pub use change::{ChangeKind, ResourceChange};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub run_id: String,
    pub playbook: String,
    pub plan_hash: String,
    pub dry_run: bool,
    pub status: RunStatus,
    pub steps: Vec<StepReport>,
    pub started_at: String,
    pub finished_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub node: String,
    pub action: String,
    pub status: StepStatus,
    /// Ids of the resources the step changed, found already in the desired state, or failed on (with why).
    pub changed: Vec<String>,
    /// Of `changed`, the targets of a batch in doubt when the run resumed that were found changed by this run
    /// (not called again).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved_on_resume: Vec<String>,
    pub unchanged: Vec<String>,
    pub failed: Vec<FailedTarget>,
    /// What the step did (would do, in a dry run) to each resource in `changed`: the fields it changed, before
    /// and after. Reports of older runs have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ResourceChange>,
    pub attempts: u32,
    pub duration_ms: u64,
    pub error: Option<String>,
    /// The step's output, as later steps read it.
    pub output: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedTarget {
    pub id: String,
    pub error: String,
}

/// How a step that suspended its run waiting for approval begins its error: the run is resumable there.
pub const WAITING_FOR_APPROVAL: &str = "waiting for approval";

/// Whether a step that ended with `status` and `error` is where its run waits for approval (it did not run;
/// `resume` asks again): for reports and for a host reading `StepFinished` events.
pub fn waits_for_approval(status: StepStatus, error: Option<&str>) -> bool {
    status == StepStatus::Cancelled && error.is_some_and(|e| e.starts_with(WAITING_FOR_APPROVAL))
}

impl StepReport {
    /// See [`waits_for_approval`].
    pub fn is_waiting_for_approval(&self) -> bool {
        waits_for_approval(self.status, self.error.as_deref())
    }
}
