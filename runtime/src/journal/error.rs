//! What can go wrong reading or writing a journal.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("a journal for run {run_id} already exists at {}", .path.display())]
    AlreadyExists { run_id: String, path: PathBuf },
    #[error("there is no journal for run {run_id} (looked for {})", .path.display())]
    NotFound { run_id: String, path: PathBuf },
    #[error("{run_id:?} is not a run id: use letters, digits, `-`, `_` and `.`, not starting with `.`")]
    InvalidRunId { run_id: String },
    /// A complete line (not the torn last one) that is not a journal record.
    #[error("{}, line {line}: {reason}", .path.display())]
    Corrupt { path: PathBuf, line: usize, reason: String },
    /// Records that parse but cannot follow each other (from [`fold`](super::fold), which knows no path).
    #[error("journal line {line}: {reason}")]
    Inconsistent { line: usize, reason: String },
    #[error("cannot encode a journal record: {0}")]
    Encode(String),
    /// A write failed and the partial line could not be cut; appending more would bury it mid-file.
    #[error("{} could not be repaired after a failed write; it takes no more records", .path.display())]
    Poisoned { path: PathBuf },
}

/// Attaches the path to an IO error.
pub(crate) fn io_at(path: &std::path::Path) -> impl FnOnce(io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.to_path_buf(), source }
}
