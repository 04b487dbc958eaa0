//! What can stop the engine from starting or resuming a run.

use std::path::{Path, PathBuf};

use escher_governance::run::Refusal;
use escher_runtime::RuntimeError;
use escher_runtime::audit::{AuditEntry, AuditLog};

use crate::registry::RegistryError;
use crate::state::StateError;

/// Why the engine could not start or resume a run. Nothing ran unless the runtime says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the engine needs a state directory for its journals and audit log")]
    NoStateDir,
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Providers(#[from] RegistryError),
    #[error(transparent)]
    Policy(#[from] escher_governance::policy::LoadError),
    #[error(transparent)]
    Identity(#[from] escher_governance::identity::IdentityError),
    #[error("{what} needs a policy: give the engine one, or put one in <state>/policy.toml")]
    NeedsPolicy { what: String },
    /// A governed run's approval requests carry its playbook's text, which approvers compile again: a plan alone
    /// cannot start one.
    #[error(
        "a governed run starts from its playbook (Engine::prepare, or prepare_saved for a saved plan): approvers compile its text again"
    )]
    NeedsPlaybook,
    /// The identity in the state directory is not the governance's runner, so it cannot sign the run's requests.
    #[error("this run's approval requests cannot be signed: {0}")]
    Requester(String),
    /// The policy refuses the run; the refusal is in the audit log.
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error("the playbook has errors: nothing to run")]
    NotCompiled,
    /// A saved plan is not what its playbook compiles to now: it was not reviewed as it would run.
    #[error(
        "the saved plan (hash {saved}) is not what {file} compiles to now (hash {now}): the playbook, an import, the stdlib or a parameter changed; plan it again and review it"
    )]
    PlanChanged { file: String, saved: String, now: String },
    #[error("the saved plan's playbook {file} cannot be read: {reason}")]
    PlanSource { file: String, reason: String },
    #[error("cannot record run {run_id} in {}: {source}", .dir.display())]
    Record { run_id: String, dir: PathBuf, source: std::io::Error },
    #[error("run {run_id} cannot resume: {reason}")]
    Resume { run_id: String, reason: String },
    /// `escher plan`'s dry run on the simulator found no scratch directory to run in.
    #[error("cannot make a scratch state directory for the preview: {0}")]
    Preview(String),
    #[error("the audit log cannot be written: {0}")]
    Audit(String),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Appends one record to a state directory's audit log.
pub(crate) fn append_audit(state_dir: &Path, entry: AuditEntry) -> Result<(), EngineError> {
    let mut log = AuditLog::open(state_dir).map_err(|error| EngineError::Audit(error.to_string()))?;
    log.append(entry).map(drop).map_err(|error| EngineError::Audit(error.to_string()))
}
