//! Appending to the audit log.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::anchor::{Anchor, AnchorFile, Pending, read_anchor};
use super::chain::{GENESIS_HASH, hash_matches, record_hash};
use super::entry::{AuditEntry, ChainedEntry};
use super::error::{AuditError, io_at};
use super::stored::{self, AUDIT_DIR};
use super::verify::{self, VerifyReport};
use crate::journal::lines;

/// The audit log, open for appending. Share it between the runs of one process behind a `Mutex`; see the
/// [module docs](super) on several processes.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: File,
    anchor: AnchorFile,
    /// The length of the log's complete records: where a failed write is cut back to.
    len: u64,
    next_seq: u64,
    last_hash: String,
    poisoned: bool,
}

impl AuditLog {
    /// Opens `audit/audit.jsonl`, creating it on first use, and continues the chain from its last record.
    ///
    /// A line torn by a crash mid-append is cut away, and a last record whose anchor a crash kept from being
    /// written is anchored. A log whose end disagrees with its anchor otherwise is refused: appending would
    /// hide the removal or addition behind new records. [`verify`](super::verify) says what changed.
    pub fn open(state_dir: &Path) -> Result<AuditLog, AuditError> {
        let dir = state_dir.join(AUDIT_DIR);
        fs::create_dir_all(&dir).map_err(io_at(&dir))?;
        let path = stored::log_path(state_dir);
        let file = OpenOptions::new().read(true).append(true).create(true).open(&path).map_err(io_at(&path))?;
        let len = lines::cut_torn_tail(&file).map_err(io_at(&path))?;
        let unanchored = |detail: String| AuditError::Unanchored { path: path.clone(), detail };
        let last = match lines::last_complete_line(&file).map_err(io_at(&path))? {
            Some(text) => Some(
                stored::parse_record(&text)
                    .map_err(|reason| unanchored(format!("its last line is unreadable: {reason}")))?,
            ),
            None => None,
        };
        let anchor_path = stored::anchor_path(state_dir);
        let stored_anchor = read_anchor(&anchor_path)?;
        let anchor = stored_anchor.clone().resolved(last.as_ref().map(|last| (last.seq, last.hash.as_str())));
        // Opened (and so created) only once the log is known to continue, so a refusal leaves no trace.
        let anchor_file = || AnchorFile::open(&anchor_path);
        let (next_seq, last_hash) = match &last {
            None if anchor.seq == 0 => (1, GENESIS_HASH.to_string()),
            None => return Err(unanchored(format!("it is empty, but its anchor says it held {} records", anchor.seq))),
            Some(last) if !hash_matches(last) => {
                return Err(unanchored(format!("its last record (seq {}) does not match its hash", last.seq)));
            }
            Some(last) if last.seq == anchor.seq && last.hash == anchor.hash => {
                if stored_anchor != anchor {
                    // A pending end the records reached, or one they never did: settle the anchor either way.
                    anchor_file()?.write(&anchor)?;
                }
                (last.seq + 1, last.hash.clone())
            }
            Some(last) if last.seq == anchor.seq + 1 && last.prev_hash == anchor.hash => {
                anchor_file()?.write(&Anchor::at(last.seq, last.hash.clone()))?;
                (last.seq + 1, last.hash.clone())
            }
            Some(last) => {
                return Err(unanchored(format!(
                    "it ends with seq {}, but its anchor names seq {} (hash {})",
                    last.seq, anchor.seq, anchor.hash
                )));
            }
        };
        let anchor = anchor_file()?;
        // The log's and the anchor's names must survive a crash as surely as what is synced into them.
        for created in [dir.as_path(), state_dir] {
            lines::sync_dir(created).map_err(io_at(created))?;
        }
        Ok(AuditLog { path, file, anchor, len, next_seq, last_hash, poisoned: false })
    }

    /// Chains `entry` after the last record, writes it as one line, syncs it, then moves the anchor to it.
    ///
    /// If writing the record fails, the partial line is cut away. If moving the anchor fails, the record is in
    /// the log (and is returned as an error all the same: the disk is failing); the next append, or the next
    /// `open`, anchors it.
    pub fn append(&mut self, entry: AuditEntry) -> Result<ChainedEntry, AuditError> {
        let mut chained = self.append_all(vec![entry])?;
        chained.pop().ok_or_else(|| AuditError::Encode("an append wrote no record".into()))
    }

    /// Appends several entries, chained in order, with one write, one sync and one anchor update (a group
    /// commit): all of them are durable when this returns, or none is kept.
    pub fn append_all(&mut self, entries: Vec<AuditEntry>) -> Result<Vec<ChainedEntry>, AuditError> {
        if self.poisoned {
            return Err(AuditError::Poisoned { path: self.path.clone() });
        }
        let mut records = Vec::with_capacity(entries.len());
        let mut lines = Vec::new();
        let (mut seq, mut prev_hash) = (self.next_seq, self.last_hash.clone());
        for entry in entries {
            let hash = record_hash(seq, &prev_hash, &entry)?;
            let record = ChainedEntry { seq, prev_hash: prev_hash.clone(), entry, hash };
            serde_json::to_writer(&mut lines, &record).map_err(|error| AuditError::Encode(error.to_string()))?;
            lines.push(b'\n');
            prev_hash = record.hash.clone();
            seq += 1;
            records.push(record);
        }
        let Some(last) = records.last() else {
            return Ok(records);
        };
        // The end about to be written is announced first, so a crash between the records and the anchor
        // leaves a log that `open` and `verify` recognise as ours.
        let pending = Pending { seq: last.seq, hash: last.hash.clone() };
        let committed = Anchor { seq: self.next_seq - 1, hash: self.last_hash.clone(), pending: Some(pending) };
        self.anchor.write(&committed)?;
        if let Err(source) = self.file.write_all(&lines).and_then(|()| self.file.sync_data()) {
            if self.file.set_len(self.len).and_then(|()| self.file.sync_data()).is_err() {
                self.poisoned = true;
            }
            return Err(AuditError::Io { path: self.path.clone(), source });
        }
        self.len += lines.len() as u64;
        self.next_seq = seq;
        self.last_hash = prev_hash;
        self.anchor.write(&Anchor::at(last.seq, last.hash.clone()))?;
        Ok(records)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Moves the anchor to the log's last record, if the chain up to it is intact; otherwise changes nothing and
/// returns the break. An operator's deliberate act, after reading [`verify`](super::verify)'s report, that
/// accepts the end of the log as it now is (say, after an anchor was lost).
pub fn reanchor(state_dir: &Path) -> Result<VerifyReport, AuditError> {
    let lines = stored::read_lines(state_dir)?;
    if let Err(broken) = verify::check_chain(&lines, None) {
        return Ok(VerifyReport::Broken(broken));
    }
    let anchor = match lines.last().map(|line| &line.record) {
        Some(Ok(last)) => Anchor::at(last.seq, last.hash.clone()),
        _ => Anchor::genesis(),
    };
    let dir = state_dir.join(AUDIT_DIR);
    fs::create_dir_all(&dir).map_err(io_at(&dir))?;
    AnchorFile::open(&stored::anchor_path(state_dir))?.write(&anchor)?;
    Ok(VerifyReport::Intact { records: anchor.seq })
}
