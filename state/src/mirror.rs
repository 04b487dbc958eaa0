//! Copying state between a local directory and a store, both ways, by the one layout.
//!
//! [`Mirror::push`] replicates the local directory to a store (how a run's journal and the audit log reach the
//! user's bucket while the run goes on); [`pull`] brings a local directory up to date from a store (`escher state
//! sync --from URL`). Logs move by their new bytes only: pushed as a new create-only segment holding the complete
//! lines written since the last push, pulled by appending what the local copy lacks. Other objects are copied
//! whole, atomically. Locks, `secrets.json` and `identity.json` (a private key) never leave the machine
//! they belong to.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::backend::{PutMode, local::content_version};
use crate::log::{append_segment, parse_segment_key, read_log, segment_key, segmented_len, segments};
use crate::{Store, StoreError};

/// What a push or pull did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Objects copied whole.
    pub objects: usize,
    /// Log bytes appended (segments pushed, or bytes pulled into local logs).
    pub log_bytes: u64,
    pub segments: usize,
}

/// Whether a key is a log (appended to, never rewritten).
pub fn is_log(key: &str) -> bool {
    key == "audit/audit.jsonl" || (key.starts_with("runs/") && key.ends_with("/journal.jsonl"))
}

/// Keys that stay where they are: secrets and the user's private signing key, locks (their store's alone),
/// temporary files.
pub fn stays_local(key: &str) -> bool {
    matches!(key, "secrets.json" | "identity.json")
        || key.starts_with("locks/")
        || key.rsplit('/').next().is_some_and(|name| name.starts_with('.'))
}

/// Pushes a local directory to a store, remembering what it pushed so each later push sends only changes.
pub struct Mirror {
    local_dir: PathBuf,
    local: Store,
    /// Bytes of each log already in the store.
    pushed_len: HashMap<String, u64>,
    /// The content version of each object last pushed.
    pushed: HashMap<String, String>,
}

impl Mirror {
    pub fn new(local_dir: &Path) -> Mirror {
        Mirror {
            local_dir: local_dir.to_path_buf(),
            local: Store::local(local_dir),
            pushed_len: HashMap::new(),
            pushed: HashMap::new(),
        }
    }

    /// Sends what changed locally since the last push.
    pub async fn push(&mut self, remote: &Store) -> Result<SyncReport, StoreError> {
        let mut report = SyncReport::default();
        let keys = self.local.list("").await?;
        let (logs, objects): (Vec<_>, Vec<_>) = keys.into_iter().filter(|k| !stays_local(k)).partition(|k| is_log(k));
        // Logs first: an anchor or summary never points past what the store holds.
        for log in logs {
            let path = self.local_dir.join(&log);
            let bytes = match fs::read(&path) {
                Ok(bytes) => bytes,
                Err(error) => return Err(io_error(&self.local, &log, &error)),
            };
            let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1) as u64;
            let start = match self.pushed_len.get(&log) {
                Some(&len) => len,
                None => segmented_len(remote, &log).await?,
            };
            if complete > start {
                let chunk = Bytes::copy_from_slice(&bytes[start as usize..complete as usize]);
                append_segment(remote, &log, start, chunk).await?;
                report.log_bytes += complete - start;
                report.segments += 1;
            }
            self.pushed_len.insert(log, complete.max(start));
        }
        for key in objects {
            let Some(object) = self.local.get(&key).await? else { continue };
            if self.pushed.get(&key) == Some(&object.version.0) {
                continue;
            }
            // A file rewritten in place (the audit anchor) can be read half-written; it goes with the next push.
            if key.ends_with(".json") && serde_json::from_slice::<serde_json::Value>(&object.bytes).is_err() {
                continue;
            }
            let unchanged = match remote.get(&key).await? {
                Some(there) => content_version(&there.bytes) == object.version,
                None => false,
            };
            if !unchanged {
                remote.put(&key, object.bytes, PutMode::Overwrite).await?;
                report.objects += 1;
            }
            self.pushed.insert(key, object.version.0);
        }
        Ok(report)
    }
}

/// Brings `local_dir` up to date from `remote`. A local log that is not a prefix of the store's copy is an error
/// that names it (nothing of that log is changed); a local log longer than the store's is left as it is.
pub async fn pull(remote: &Store, local_dir: &Path) -> Result<SyncReport, StoreError> {
    let local = Store::local(local_dir);
    let mut report = SyncReport::default();
    let keys = remote.list("").await?;
    let mut logs = std::collections::BTreeSet::new();
    let mut objects = Vec::new();
    for key in keys {
        if let Some((log, _)) = parse_segment_key(&key) {
            logs.insert(log.to_string());
        } else if is_log(&key) {
            logs.insert(key);
        } else if !stays_local(&key) {
            objects.push(key);
        }
    }
    for log in &logs {
        report.log_bytes += pull_log(remote, &local, local_dir, log).await?;
    }
    for key in objects {
        let Some(object) = remote.get(&key).await? else { continue };
        let same = local.get(&key).await?.is_some_and(|mine| mine.version == content_version(&object.bytes));
        if !same {
            local.put(&key, object.bytes, PutMode::Overwrite).await?;
            report.objects += 1;
        }
    }
    Ok(report)
}

async fn pull_log(remote: &Store, local: &Store, local_dir: &Path, log: &str) -> Result<u64, StoreError> {
    let path = local_dir.join(log);
    let mine = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(io_error(local, log, &error)),
    };
    let have = mine.len() as u64;
    // Only the segments that reach past what is here are read.
    let offsets = segments(remote, log).await?;
    let theirs: Vec<u8> = if offsets.is_empty() {
        read_log(remote, log).await?.to_vec()
    } else {
        let first = offsets.iter().rposition(|&offset| offset <= have).unwrap_or(0);
        let mut joined = vec![0u8; 0];
        let base = offsets[first];
        for &offset in &offsets[first..] {
            let key = segment_key(log, offset);
            let object = remote
                .get(&key)
                .await?
                .ok_or_else(|| StoreError::NotFound { url: remote.url().to_string(), key: key.clone() })?;
            if base + joined.len() as u64 != offset {
                return Err(StoreError::Corrupt {
                    url: remote.url().to_string(),
                    key,
                    message: format!("a gap before byte {offset}"),
                });
            }
            joined.extend_from_slice(&object.bytes);
        }
        // Pretend the bytes before `base` match: they were compared when they were pulled or pushed.
        let mut whole = mine[..(base as usize).min(mine.len())].to_vec();
        if (whole.len() as u64) < base {
            return Err(diverged(local, log, "the store's copy starts past the end of the local one"));
        }
        whole.extend_from_slice(&joined);
        whole
    };
    let theirs_len = theirs.len() as u64;
    if theirs_len <= have {
        return if mine.starts_with(&theirs) { Ok(0) } else { Err(diverged(local, log, "the two copies differ")) };
    }
    if !theirs.starts_with(&mine) {
        return Err(diverged(local, log, "the local copy is not a prefix of the store's"));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|error| io_error(local, log, &error))?;
    }
    let mut file =
        OpenOptions::new().create(true).append(true).open(&path).map_err(|error| io_error(local, log, &error))?;
    file.write_all(&theirs[have as usize..])
        .and_then(|()| file.sync_data())
        .map_err(|error| io_error(local, log, &error))?;
    Ok(theirs_len - have)
}

fn diverged(local: &Store, log: &str, why: &str) -> StoreError {
    StoreError::Corrupt {
        url: local.url().to_string(),
        key: log.to_string(),
        message: format!("{why}; left unchanged"),
    }
}

fn io_error(store: &Store, key: &str, error: &std::io::Error) -> StoreError {
    StoreError::Backend { url: store.url().to_string(), key: key.to_string(), message: error.to_string() }
}
