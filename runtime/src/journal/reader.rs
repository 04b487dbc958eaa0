//! Reading a run's journal back, checked: every line's seq and checksum, then the audit log's word for how far
//! the journal went. Its records, and their fold.

use std::fs;
use std::io;
use std::path::Path;

use super::chain::{self, JournalMark};
use super::error::JournalError;
use super::fold::fold;
use super::record::{JournalRecord, JournalState};
use super::{lines, paths};
use crate::audit::stored::{self, StoredLine};

/// Every complete record of a run's journal, in order, each checked against its seq and checksum. A torn last
/// line (no newline: a write a crash cut short) is ignored; anything else that is not the record that belongs
/// there is an error naming its line.
pub fn read_records(state_dir: &Path, run_id: &str) -> Result<Vec<JournalRecord>, JournalError> {
    read_checked(state_dir, run_id).map(|(records, _)| records)
}

/// The records and the mark after each.
fn read_checked(state_dir: &Path, run_id: &str) -> Result<(Vec<JournalRecord>, Vec<JournalMark>), JournalError> {
    let path = paths::journal_path(state_dir, run_id)?;
    let bytes = fs::read(&path).map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound {
            JournalError::NotFound { run_id: run_id.to_string(), path: path.clone() }
        } else {
            JournalError::Io { path: path.clone(), source }
        }
    })?;
    let mut mark = JournalMark::genesis(run_id);
    let mut records = Vec::new();
    let mut marks = Vec::new();
    for (line, text) in lines::complete_lines(&bytes) {
        let (record, next) =
            chain::decode(&mark, text).map_err(|reason| JournalError::Corrupt { path: path.clone(), line, reason })?;
        records.push(record);
        marks.push(next.clone());
        mark = next;
    }
    Ok((records, marks))
}

/// A run's journal, read, checked against the audit log and folded: what resume continues from.
pub fn read_state(state_dir: &Path, run_id: &str) -> Result<JournalState, JournalError> {
    read_run(state_dir, run_id).map(|(state, _)| state)
}

/// A run's journal checked and folded, with the records it was folded from: the journal is read once.
pub fn read_run(state_dir: &Path, run_id: &str) -> Result<(JournalState, Vec<JournalRecord>), JournalError> {
    read_run_against(state_dir, run_id, &audit_lines(state_dir)?)
}

/// Why each run's journal in the state directory does not check out, the audit log read once for all of them.
pub fn damaged_journals(state_dir: &Path) -> Result<Vec<JournalError>, JournalError> {
    let audit = audit_lines(state_dir)?;
    let runs = super::runs::list_runs(state_dir)?;
    Ok(runs.iter().filter_map(|run| read_run_against(state_dir, &run.run_id, &audit).err()).collect())
}

fn audit_lines(state_dir: &Path) -> Result<Vec<StoredLine>, JournalError> {
    stored::read_lines(state_dir).map_err(|error| JournalError::Io {
        path: stored::log_path(state_dir),
        source: io::Error::other(error.to_string()),
    })
}

fn read_run_against(
    state_dir: &Path,
    run_id: &str,
    audit: &[StoredLine],
) -> Result<(JournalState, Vec<JournalRecord>), JournalError> {
    let (records, marks) = read_checked(state_dir, run_id)?;
    let path = paths::journal_path(state_dir, run_id)?;
    check_against_audit(state_dir, audit, run_id, &path, &marks)?;
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
    Ok((state, records))
}

/// Every audit entry of the run names the journal's mark when it was written: the journal must still hold that
/// record, unchanged. This catches records cut from the journal's end, which its own chain cannot show.
fn check_against_audit(
    state_dir: &Path,
    audit: &[StoredLine],
    run_id: &str,
    path: &Path,
    marks: &[JournalMark],
) -> Result<(), JournalError> {
    for stored in audit {
        let Ok(record) = &stored.record else { continue };
        let Some(vouched) = record.entry.journal.as_ref().filter(|_| record.entry.run_id == run_id) else { continue };
        let held = match vouched.seq {
            0 => Some(JournalMark::genesis(run_id)),
            seq => usize::try_from(seq - 1).ok().and_then(|index| marks.get(index)).cloned(),
        };
        let problem = match held {
            Some(held) if held.sum == vouched.sum => continue,
            Some(_) => format!("record seq {} is not the one the audit log vouches for: it was changed", vouched.seq),
            None => format!(
                "the journal ends at seq {}, but the audit log vouches for seq {}: records were removed from it",
                marks.len(),
                vouched.seq
            ),
        };
        return Err(JournalError::Corrupt {
            path: path.to_path_buf(),
            line: usize::try_from(vouched.seq).unwrap_or(usize::MAX).min(marks.len() + 1),
            reason: format!("{problem} ({}, line {})", stored::log_path(state_dir).display(), stored.line),
        });
    }
    Ok(())
}

/// `records` as the journal of `run_id` holds them: each line with its seq and chained checksum. For tools and
/// tests that lay out a journal by hand.
pub fn encode_journal(run_id: &str, records: &[JournalRecord]) -> Result<Vec<u8>, JournalError> {
    let mut mark = JournalMark::genesis(run_id);
    let mut bytes = Vec::new();
    for record in records {
        let (line, next) = chain::encode(&mark, record)?;
        bytes.extend_from_slice(&line);
        mark = next;
    }
    Ok(bytes)
}
