//! What a command can fail with, printed once by `main`, and the exit code each failure gives.

use std::path::PathBuf;

use escher_engine::EngineError;
use escher_engine::state::StateError;
use escher_state::StoreError;

/// Exit codes: 0 success, 1 diagnostics with errors (or `fmt --check` found changes), 2 usage or IO errors.
pub const EXIT_OK: u8 = 0;
pub const EXIT_DIAGNOSTICS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Policy(#[from] escher_governance::policy::LoadError),
    #[error(transparent)]
    Identity(#[from] escher_governance::identity::IdentityError),
    /// Arguments that cannot work together, a value that does not parse, or a file that cannot be written.
    #[error("{0}")]
    Usage(String),
    /// The request was understood and cannot be met as it stands (an expired request, a name already taken).
    #[error("{0}")]
    Refused(String),
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot start the async runtime: {0}")]
    Async(std::io::Error),
}

impl CliError {
    /// 1 for a refusal, a policy with errors or a playbook that does not compile; 2 for usage and IO errors.
    pub fn exit_code(&self) -> u8 {
        use escher_governance::policy::LoadError;
        match self {
            CliError::Engine(
                EngineError::Refused(_)
                | EngineError::NotCompiled
                | EngineError::PlanChanged { .. }
                | EngineError::Policy(LoadError::Invalid { .. } | LoadError::Unsigned(_) | LoadError::NoPolicy { .. }),
            )
            | CliError::Policy(LoadError::Invalid { .. } | LoadError::Unsigned(_) | LoadError::NoPolicy { .. })
            | CliError::Refused(_) => EXIT_DIAGNOSTICS,
            _ => EXIT_USAGE,
        }
    }

    /// The message, as `main` prints it: what was refused or went wrong, and, before a run, that nothing ran.
    pub fn render(&self) -> String {
        match self {
            CliError::Engine(EngineError::Refused(refusal)) => format!("refused: {refusal}; nothing was run"),
            CliError::Engine(error @ (EngineError::Providers(_) | EngineError::Resume { .. })) => {
                format!("error: {error}; nothing was run")
            }
            CliError::Engine(EngineError::State(error)) | CliError::State(error) => format!("error: {error}"),
            other => format!("error: {other}"),
        }
    }
}

/// A command's outcome: its exit code, or what went wrong.
pub type Outcome = Result<u8, CliError>;
