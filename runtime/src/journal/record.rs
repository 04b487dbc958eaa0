//! What the journal records. A run's journal is the truth about it: resume folds these records, and nothing a
//! step did is acted on before its `StepStarted` is durably written.

use std::collections::BTreeMap;

use escher_compiler::plan::{Plan, Value};
use serde::{Deserialize, Serialize};

use crate::approval::Decision;
use crate::events::{RunStatus, StepStatus};
use crate::provider::TargetResult;

/// One line of a run's journal (JSON lines, each written and synced before the runtime moves on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum JournalRecord {
    /// The first record: the plan (with its hash) this run executes.
    RunStarted {
        run_id: String,
        plan: Plan,
        dry_run: bool,
        at: String,
    },
    /// The run was resumed; written before anything else is done in the resumed session.
    RunResumed {
        at: String,
    },
    ApprovalDecided {
        node: String,
        decision: Decision,
        at: String,
    },
    /// Written and synced before the provider is called for a batch.
    StepStarted {
        node: String,
        batch: usize,
        attempt: u32,
        idempotency_key: String,
        targets: Vec<String>,
        /// For a mutating call, its targets as the plan saw them before the call: on resume, a target found
        /// done that was not done here was changed by this run.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        before: Vec<Value>,
        at: String,
    },
    /// On resume, what the provider reported of an in-doubt batch's targets (resources it no longer has are
    /// absent), and the targets that settles without a call: found done, changed by this run when they were not
    /// done before it. The others are called again. The batch stays in doubt until its `BatchFinished`.
    BatchReconciled {
        node: String,
        batch: usize,
        found: Vec<Value>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        resolved: Vec<TargetResult>,
        at: String,
    },
    /// A batch finished; its per-target results.
    BatchFinished {
        node: String,
        batch: usize,
        results: Vec<TargetResult>,
        at: String,
    },
    /// A step finished; its output is what later steps read.
    StepFinished {
        node: String,
        status: StepStatus,
        output: Value,
        error: Option<String>,
        at: String,
    },
    StepSkipped {
        node: String,
        reason: String,
        at: String,
    },
    /// A rolled-back step's undo action finished.
    RolledBack {
        node: String,
        undo: String,
        output: Value,
        at: String,
    },
    /// The last record of a run that ended (not of one that crashed).
    RunFinished {
        status: RunStatus,
        at: String,
    },
}

/// A run's journal folded: what resume needs to continue without repeating completed work.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalState {
    pub run_id: String,
    pub plan: Option<Plan>,
    pub dry_run: bool,
    /// Outputs of steps that finished (any status), by node.
    pub finished: BTreeMap<String, (StepStatus, Value)>,
    pub skipped: BTreeMap<String, String>,
    /// Per-target results of batches that finished, by node and batch.
    pub batches: BTreeMap<(String, usize), Vec<TargetResult>>,
    /// Batches started but not finished: in doubt, to be re-checked against the provider before any retry.
    pub in_doubt: Vec<(String, usize, Vec<String>)>,
    /// Each mutating batch's targets as the plan saw them before its first call, by node and batch.
    pub before: BTreeMap<(String, usize), Vec<Value>>,
    pub approvals: BTreeMap<String, Decision>,
    pub rolled_back: BTreeMap<String, Value>,
    /// Set when the run ended; a finished run cannot be resumed.
    pub finished_with: Option<RunStatus>,
}
