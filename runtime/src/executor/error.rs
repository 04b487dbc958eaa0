//! Why a run could not start, resume or be recorded. How its steps went is in the report, not here.

use crate::events::RunStatus;
use crate::journal::JournalError;
use crate::scheduler::GraphError;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("the runtime needs a state directory for its journals and audit log: call `.state_dir(path)`")]
    NoStateDir,
    #[error("invalid limits: {0}")]
    BadLimits(String),
    #[error("runs need a tokio runtime: call `run` and `resume` from within one")]
    NoTokio,
    /// Another live process drives the run (or its lease could not be taken).
    #[error(transparent)]
    Lease(#[from] crate::lease::LeaseError),
    #[error("the plan cannot be scheduled: {0}")]
    Graph(#[from] GraphError),
    #[error("the plan's hash is {found}, but it says {recorded}: it was changed after it was compiled")]
    PlanHash { recorded: String, found: String },
    #[error("step `{node}` needs a provider for {cloud}, and none was given to the runtime")]
    NoProvider { node: String, cloud: String },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("the audit log cannot be written: {0}")]
    Audit(String),
    /// A journal or audit record could not be written mid-run; the run was stopped.
    #[error("the run stopped because its records could not be written: {0}")]
    Recording(String),
    #[error("run {run_id} has already finished ({status:?}); it cannot be resumed")]
    AlreadyFinished { run_id: String, status: RunStatus },
    #[error("run {0} never recorded its plan, so there is nothing to resume")]
    NothingToResume(String),
    #[error("the run's task ended abnormally: {0}")]
    Aborted(String),
    /// A secret the plan uses cannot be read; nothing ran.
    #[error("{0}; nothing was run")]
    Secret(#[from] crate::secrets::SecretError),
    /// The journal records an approval its approver cannot prove again: the journal was changed after it was
    /// written, or its proof does not verify.
    #[error(
        "run {run_id}: the journal records an approval of step `{node}` that does not hold ({reason}); the journal \
         was altered, so the run is not resumed and nothing was run"
    )]
    UnprovenApproval { run_id: String, node: String, reason: String },
}
