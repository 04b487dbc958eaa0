//! Appending to a run's journal: one JSON line per record, synced before `append` returns.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::chain::{self, JournalMark};
use super::error::{JournalError, io_at};
use super::record::JournalRecord;
use super::{lines, paths};

/// A run's journal, open for appending. One process appends to a run's journal at a time.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// The length of the journal's complete records: where a failed write is cut back to.
    len: u64,
    /// The seq and sum of the last record written: the next one links to it.
    mark: JournalMark,
    poisoned: bool,
}

impl Journal {
    /// Creates `runs/<run_id>/journal.jsonl`, refusing if the run already has one.
    pub fn create(state_dir: &Path, run_id: &str) -> Result<Journal, JournalError> {
        let dir = paths::run_dir(state_dir, run_id)?;
        fs::create_dir_all(&dir).map_err(io_at(&dir))?;
        let path = dir.join(paths::JOURNAL_FILE);
        let file = OpenOptions::new().append(true).create_new(true).open(&path).map_err(|source| {
            if source.kind() == io::ErrorKind::AlreadyExists {
                JournalError::AlreadyExists { run_id: run_id.to_string(), path: path.clone() }
            } else {
                JournalError::Io { path: path.clone(), source }
            }
        })?;
        // The new names must be durable too, or a synced record could sit in a file no one can find.
        for parent in [dir.as_path(), &state_dir.join(paths::RUNS_DIR), state_dir] {
            lines::sync_dir(parent).map_err(io_at(parent))?;
        }
        Ok(Journal { path, file, len: 0, mark: JournalMark::genesis(run_id), poisoned: false })
    }

    /// Opens a run's existing journal to append to it, cutting away a last line torn by a crash. The journal is
    /// expected to have been checked already ([`read_state`](super::read_state)): the next record links to the
    /// last one as it stands.
    pub fn open(state_dir: &Path, run_id: &str) -> Result<Journal, JournalError> {
        let path = paths::journal_path(state_dir, run_id)?;
        let file = OpenOptions::new().read(true).append(true).open(&path).map_err(|source| {
            if source.kind() == io::ErrorKind::NotFound {
                JournalError::NotFound { run_id: run_id.to_string(), path: path.clone() }
            } else {
                JournalError::Io { path: path.clone(), source }
            }
        })?;
        let len = lines::cut_torn_tail(&file).map_err(io_at(&path))?;
        let mark = match lines::last_complete_line(&file).map_err(io_at(&path))? {
            None => JournalMark::genesis(run_id),
            Some(last) => chain::claimed_mark(&last).map_err(|reason| JournalError::Corrupt {
                path: path.clone(),
                line: 0,
                reason: format!("its last record: {reason}"),
            })?,
        };
        Ok(Journal { path, file, len, mark, poisoned: false })
    }

    /// Writes one record as a JSON line and syncs it to disk before returning.
    ///
    /// If the write fails, the partial line is cut away so the journal stays readable; if even that fails, the
    /// journal refuses further records.
    pub fn append(&mut self, record: &JournalRecord) -> Result<(), JournalError> {
        self.append_all(std::slice::from_ref(record))
    }

    /// Appends several records with one write and one sync (a group commit): all of them are durable when this
    /// returns, or none is kept.
    pub fn append_all(&mut self, records: &[JournalRecord]) -> Result<(), JournalError> {
        let bodies = records.iter().map(chain::body).collect::<Result<Vec<_>, _>>()?;
        self.append_bodies(&bodies)
    }

    /// [`append_all`](Journal::append_all) for records already turned into their JSON by
    /// [`record_body`](super::record_body).
    pub fn append_bodies(&mut self, bodies: &[Vec<u8>]) -> Result<(), JournalError> {
        if self.poisoned {
            return Err(JournalError::Poisoned { path: self.path.clone() });
        }
        let mut lines = Vec::with_capacity(bodies.iter().map(|body| body.len() + 90).sum());
        let mut mark = self.mark.clone();
        for body in bodies {
            let (line, next) = chain::encode_body(&mark, body);
            lines.extend_from_slice(&line);
            mark = next;
        }
        match self.file.write_all(&lines).and_then(|()| self.file.sync_data()) {
            Ok(()) => {
                self.len += lines.len() as u64;
                self.mark = mark;
                Ok(())
            }
            Err(source) => {
                if self.file.set_len(self.len).and_then(|()| self.file.sync_data()).is_err() {
                    self.poisoned = true;
                }
                Err(JournalError::Io { path: self.path.clone(), source })
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The seq and sum of the last record written (and synced).
    pub fn mark(&self) -> &JournalMark {
        &self.mark
    }
}
