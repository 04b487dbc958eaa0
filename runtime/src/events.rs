//! The typed events of a run: what hosts display (progress, prompts) and what `--format json` prints.

use escher_compiler::plan::RiskLevel;
use serde::{Deserialize, Serialize};

pub mod lines;

/// One event, stamped with the run, a sequence number and the time since the run started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEvent {
    pub run_id: String,
    pub seq: u64,
    pub elapsed_ms: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    RunStarted {
        playbook: String,
        plan_hash: String,
        nodes: usize,
        dry_run: bool,
        resumed: bool,
    },
    /// A step needs an approval and the approver has been asked.
    ApprovalRequested {
        node: String,
        risk: RiskLevel,
        role: String,
        targets: usize,
    },
    ApprovalDecided {
        node: String,
        approved: bool,
        by: String,
        role: String,
        reason: Option<String>,
    },
    StepStarted {
        node: String,
        attempt: u32,
        targets: usize,
    },
    StepRetrying {
        node: String,
        attempt: u32,
        delay_ms: u64,
        error: String,
    },
    /// Progress within a step: batches or fan-out items done out of total.
    StepProgress {
        node: String,
        done: usize,
        total: usize,
    },
    StepFinished {
        node: String,
        status: StepStatus,
        changed: usize,
        unchanged: usize,
        failed: usize,
        duration_ms: u64,
        error: Option<String>,
    },
    StepSkipped {
        node: String,
        reason: String,
    },
    /// `on_failure = rollback`: the undo action of a completed step is running.
    RollbackStarted {
        node: String,
        undo: String,
    },
    RunFinished {
        status: RunStatus,
        duration_ms: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Succeeded,
    /// Some targets failed, within the step's `max_errors`.
    PartiallySucceeded,
    Failed,
    Skipped,
    Cancelled,
    /// Its undo action ran during a rollback.
    RolledBack,
    /// Dry run: the action could not be simulated.
    NotSimulated,
    /// An approval was refused.
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Succeeded,
    Failed,
    Cancelled,
    RolledBack,
    /// Suspended until a step's approvals are in; `resume` continues it.
    WaitingForApproval,
}

impl RunStatus {
    /// The process exit code a command line reports: 0 succeeded, 1 failed or rolled back, 130 cancelled, 75
    /// waiting for approval (EX_TEMPFAIL: try again later, with `resume`).
    pub fn exit_code(self) -> u8 {
        match self {
            RunStatus::Succeeded => 0,
            RunStatus::Failed | RunStatus::RolledBack => 1,
            RunStatus::Cancelled => 130,
            RunStatus::WaitingForApproval => 75,
        }
    }

    /// Whether a run that ended so may be resumed: it stopped on purpose with work left.
    pub fn is_resumable(self) -> bool {
        matches!(self, RunStatus::Cancelled | RunStatus::WaitingForApproval)
    }
}

/// Receives every event of a run, in order. An error from the sink cancels the run (a host that can no longer
/// show progress should not let it go on unseen).
pub trait EventSink: Send + Sync {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError>;
}

/// Why a host's event sink could not take an event: the host's own error, kept whole.
#[derive(Debug, thiserror::Error)]
#[error("the event sink failed: {0}")]
pub struct SinkError(#[from] pub Box<dyn std::error::Error + Send + Sync>);

impl From<std::io::Error> for SinkError {
    fn from(error: std::io::Error) -> Self {
        SinkError(Box::new(error))
    }
}

/// A sink that drops events (hosts that only read the handle's stream).
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _event: &RunEvent) -> Result<(), SinkError> {
        Ok(())
    }
}
