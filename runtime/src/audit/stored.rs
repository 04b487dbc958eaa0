//! Where the audit log lives and how its lines are read back.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::entry::ChainedEntry;
use super::error::{AuditError, io_at};
use crate::journal::lines;

pub(crate) const AUDIT_DIR: &str = "audit";
pub(crate) const LOG_FILE: &str = "audit.jsonl";
pub(crate) const ANCHOR_FILE: &str = "head.json";

pub(crate) fn log_path(state_dir: &Path) -> PathBuf {
    state_dir.join(AUDIT_DIR).join(LOG_FILE)
}

pub(crate) fn anchor_path(state_dir: &Path) -> PathBuf {
    state_dir.join(AUDIT_DIR).join(ANCHOR_FILE)
}

/// One complete line of the log: its number, its text, and the record it holds or why it holds none.
pub(crate) struct StoredLine {
    pub line: usize,
    pub text: Vec<u8>,
    pub record: Result<ChainedEntry, String>,
}

/// Every complete line of the log (a missing log has none). A line torn by a crash mid-append is left out.
pub(crate) fn read_lines(state_dir: &Path) -> Result<Vec<StoredLine>, AuditError> {
    let path = log_path(state_dir);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io_at(&path)(error)),
    };
    Ok(lines::complete_lines(&bytes)
        .map(|(line, text)| StoredLine { line, text: text.to_vec(), record: parse_record(text) })
        .collect())
}

/// The records of the log that can be read, in the order they are written (a host checking the log against
/// something kept elsewhere, such as anchored heads; [`verify`](super::verify) says whether the chain holds).
pub fn records(state_dir: &Path) -> Result<Vec<ChainedEntry>, AuditError> {
    Ok(read_lines(state_dir)?.into_iter().filter_map(|line| line.record.ok()).collect())
}

/// A line as a record, exactly: a field added to or dropped from a line counts as a change even though the
/// hash (computed over the typed record) could not see it.
pub(crate) fn parse_record(text: &[u8]) -> Result<ChainedEntry, String> {
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|error| format!("not JSON: {error}"))?;
    let record: ChainedEntry =
        serde_json::from_value(value.clone()).map_err(|error| format!("not an audit record: {error}"))?;
    let canonical = serde_json::to_value(&record).map_err(|error| error.to_string())?;
    if canonical != value {
        return Err("fields were added, removed or retyped".to_string());
    }
    Ok(record)
}
