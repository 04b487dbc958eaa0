//! `audit/head.json`: the seq and hash of the last record appended. The chain alone cannot show a record
//! removed from, or added at, its end; the anchor can.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::chain::GENESIS_HASH;
use super::error::{AuditError, io_at};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Anchor {
    pub seq: u64,
    pub hash: String,
    /// The end a group append is about to write, recorded before its records: a crash after the records are
    /// synced but before the anchor moves leaves the log ending exactly here, which is then no tampering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub seq: u64,
    pub hash: String,
}

impl Anchor {
    /// The anchor of an empty log (and of a log whose anchor was never written).
    pub fn genesis() -> Anchor {
        Anchor::at(0, GENESIS_HASH.to_string())
    }

    pub fn at(seq: u64, hash: String) -> Anchor {
        Anchor { seq, hash, pending: None }
    }

    /// Where the log may rightly end: the pending end if the log's last record is exactly it (a group append
    /// whose anchor update a crash prevented), else the anchored end.
    pub fn resolved(self, last: Option<(u64, &str)>) -> Anchor {
        match (&self.pending, last) {
            (Some(pending), Some((seq, hash))) if pending.seq == seq && pending.hash == hash => {
                Anchor::at(seq, hash.to_string())
            }
            _ => Anchor::at(self.seq, self.hash),
        }
    }
}

pub(crate) fn read_anchor(path: &Path) -> Result<Anchor, AuditError> {
    match fs::read(path) {
        // Created, and the process stopped before the first anchor was written.
        Ok(bytes) if bytes.is_empty() => Ok(Anchor::genesis()),
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|error| AuditError::AnchorUnreadable { path: path.to_path_buf(), reason: error.to_string() }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Anchor::genesis()),
        Err(error) => Err(io_at(path)(error)),
    }
}

/// The seq and hash of the log's last record as the anchor holds them (seq 0 for an empty log), without reading
/// the log: what a host signs to anchor the log elsewhere at the end of a run.
pub fn head(state_dir: &Path) -> Result<(u64, String), AuditError> {
    let anchor = read_anchor(&super::stored::anchor_path(state_dir))?;
    Ok((anchor.seq, anchor.hash))
}

/// The anchor file, open for rewriting after every append.
#[derive(Debug)]
pub(crate) struct AnchorFile {
    path: PathBuf,
    file: File,
    /// The file's length: every rewrite covers at least this much, so no byte of an older anchor survives.
    len: usize,
}

impl AnchorFile {
    pub fn open(path: &Path) -> Result<AnchorFile, AuditError> {
        let file = OpenOptions::new().write(true).create(true).truncate(false).open(path).map_err(io_at(path))?;
        let len = file.metadata().map_err(io_at(path))?.len();
        Ok(AnchorFile { path: path.to_path_buf(), file, len: usize::try_from(len).unwrap_or(usize::MAX) })
    }

    /// Overwrites the anchor in place and syncs it. It is well under a disk sector, so the write lands whole;
    /// a crash before it leaves the log one record past its anchor, which [`AuditLog::open`] repairs. A shorter
    /// anchor is padded with spaces (which JSON ignores) rather than truncated: a crash between a write and a
    /// truncation would leave the old anchor's tail after the new one.
    ///
    /// [`AuditLog::open`]: super::AuditLog::open
    pub fn write(&mut self, anchor: &Anchor) -> Result<(), AuditError> {
        let mut text = serde_json::to_vec(anchor).map_err(|error| AuditError::Encode(error.to_string()))?;
        text.push(b'\n');
        if text.len() < self.len {
            text.resize(self.len, b' ');
        }
        let written = self
            .file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.write_all(&text))
            .and_then(|()| self.file.sync_data());
        written.map_err(io_at(&self.path))?;
        self.len = text.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shorter_anchor_leaves_no_tail_of_the_longer_one_before_it() -> Result<(), AuditError> {
        let dir = tempfile::tempdir().map_err(io_at(Path::new("tempdir")))?;
        let path = dir.path().join("head.json");
        let mut file = AnchorFile::open(&path)?;
        let pending = Pending { seq: 12, hash: "b".repeat(64) };
        file.write(&Anchor { seq: 11, hash: "a".repeat(64), pending: Some(pending) })?;
        let long = fs::metadata(&path).map_err(io_at(&path))?.len();

        file.write(&Anchor::at(12, "b".repeat(64)))?;
        assert_eq!(read_anchor(&path)?, Anchor::at(12, "b".repeat(64)));
        // Padded, never truncated: a crash at any point of the rewrite leaves no stale bytes past the new end.
        assert_eq!(fs::metadata(&path).map_err(io_at(&path))?.len(), long);

        let mut reopened = AnchorFile::open(&path)?;
        reopened.write(&Anchor::at(13, "c".repeat(64)))?;
        assert_eq!(read_anchor(&path)?, Anchor::at(13, "c".repeat(64)));
        Ok(())
    }
}
