//! Reading a run's journal back: its records, and their fold.

use std::fs;
use std::io;
use std::path::Path;

use super::{JournalError, JournalRecord, JournalState, fold, lines, paths};

/// Every complete record of a run's journal, in order. A torn last line is ignored; any other line that is not
/// a record is an error naming it.
pub fn read_records(state_dir: &Path, run_id: &str) -> Result<Vec<JournalRecord>, JournalError> {
    let path = paths::journal_path(state_dir, run_id)?;
    let bytes = fs::read(&path).map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound {
            JournalError::NotFound { run_id: run_id.to_string(), path: path.clone() }
        } else {
            JournalError::Io { path: path.clone(), source }
        }
    })?;
    lines::complete_lines(&bytes)
        .map(|(line, text)| {
            serde_json::from_slice(text).map_err(|error| JournalError::Corrupt {
                path: path.clone(),
                line,
                reason: format!("not a journal record: {error}"),
            })
        })
        .collect()
}

/// A run's journal, read and folded: what resume continues from.
pub fn read_state(state_dir: &Path, run_id: &str) -> Result<JournalState, JournalError> {
    let records = read_records(state_dir, run_id)?;
    let path = paths::journal_path(state_dir, run_id)?;
    let corrupt = |line, reason| JournalError::Corrupt { path: path.clone(), line, reason };
    let mut state = match fold(&records) {
        Ok(state) => state,
        Err(JournalError::Inconsistent { line, reason }) => return Err(corrupt(line, reason)),
        Err(other) => return Err(other),
    };
    if state.plan.is_none() {
        // Created but crashed before its first record: nothing was done.
        state.run_id = run_id.to_string();
    } else if state.run_id != run_id {
        return Err(corrupt(1, format!("the journal is for run {}, not {run_id}", state.run_id)));
    }
    Ok(state)
}
