//! What can go wrong with the audit log.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A complete line of the log that is not an audit record (export needs every record).
    #[error("{}, line {line}: {reason}", .path.display())]
    Corrupt { path: PathBuf, line: usize, reason: String },
    /// The log's last record does not match its anchor: appending would bury the change under new records.
    #[error("the audit log {} cannot be continued: {detail}; run `escher audit verify`", .path.display())]
    Unanchored { path: PathBuf, detail: String },
    #[error("the audit anchor {} is unreadable: {reason}", .path.display())]
    AnchorUnreadable { path: PathBuf, reason: String },
    #[error("cannot encode an audit record: {0}")]
    Encode(String),
    #[error("cannot write the export: {0}")]
    Export(#[source] io::Error),
    /// A write failed and the partial line could not be cut; appending more would bury it mid-file.
    #[error("{} could not be repaired after a failed write; it takes no more records", .path.display())]
    Poisoned { path: PathBuf },
}

pub(crate) fn io_at(path: &std::path::Path) -> impl FnOnce(io::Error) -> AuditError + '_ {
    move |source| AuditError::Io { path: path.to_path_buf(), source }
}
