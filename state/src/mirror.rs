//! Copying state between a local directory and a store, both ways, by the one layout.
//!
//! [`Mirror::push`] replicates the local directory to a store (how a run's journal and the audit log reach the
//! user's bucket while the run goes on); [`pull`] brings a local directory up to date from a store (`escher state
//! sync --from URL`). Logs move by their new bytes only: pushed as a new create-only segment holding the complete
//! lines written since the last push, pulled by appending what the local copy lacks. Other objects are copied
//! whole, atomically. The audit log and its anchor move as a pair, so that no copy ever holds records its anchor
//! does not vouch for (see `escher_runtime::audit::anchor_json`): a push sends only what the anchor vouches for,
//! under a pending anchor first; a pull takes only what the store's anchor vouches for. Locks, `secrets.json`, `identity.json` (a private key) and `context.key` never leave the machine
//! they belong to.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
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
    /// Filed documents whose store copy differs from the local one: the store's is kept (a push never
    /// overwrites one).
    pub kept: usize,
    /// Filed documents a delete or an overwrite in a versioned bucket had hidden, brought back by a pull.
    pub restored: usize,
}

/// The audit log and its anchor, which travel together.
const AUDIT_LOG: &str = "audit/audit.jsonl";
const AUDIT_ANCHOR: &str = "audit/head.json";

/// Where the documents live that, once filed, stay filed: approval requests and decisions, templates,
/// revocations, audit heads. A push creates them and never overwrites one; a pull from a versioned bucket brings
/// back what a delete or an overwrite hid, so a rejection deleted from the bucket still reaches the run.
const FILED: &str = "approvals/";

/// Whether a key is a log (appended to, never rewritten).
pub fn is_log(key: &str) -> bool {
    key == AUDIT_LOG || (key.starts_with("runs/") && key.ends_with("/journal.jsonl"))
}

/// Keys that stay where they are: secrets and the user's private signing key, locks (their store's alone),
/// temporary files.
pub fn stays_local(key: &str) -> bool {
    matches!(key, "secrets.json" | "identity.json" | "context.key")
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
        self.push_under(remote, "").await
    }

    /// Sends what changed locally under `prefix` (`runs/<id>/`, say) since the last push.
    pub async fn push_under(&mut self, remote: &Store, prefix: &str) -> Result<SyncReport, StoreError> {
        let mut report = SyncReport::default();
        let keys = self.local.list(prefix).await?;
        let (logs, objects): (Vec<_>, Vec<_>) =
            keys.into_iter().filter(|k| !stays_local(k) && k != AUDIT_ANCHOR).partition(|k| is_log(k));
        // Logs first: a summary never points past what the store holds.
        for log in logs {
            let sent =
                if log == AUDIT_LOG { self.push_audit(remote).await? } else { self.push_log(remote, &log).await? };
            if sent > 0 {
                report.log_bytes += sent;
                report.segments += 1;
            }
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
            if !unchanged && key.starts_with(FILED) {
                match remote.put(&key, object.bytes, PutMode::Create).await {
                    Ok(_) => report.objects += 1,
                    Err(StoreError::AlreadyExists { .. }) => report.kept += 1,
                    Err(error) => return Err(error),
                }
            } else if !unchanged {
                remote.put(&key, object.bytes, PutMode::Overwrite).await?;
                report.objects += 1;
            }
            self.pushed.insert(key, object.version.0);
        }
        Ok(report)
    }

    /// Sends the complete lines of one log written since the last push, as one create-only segment; returns
    /// how many bytes went.
    async fn push_log(&mut self, remote: &Store, log: &str) -> Result<u64, StoreError> {
        let start = self.pushed_len(remote, log).await?;
        // Only what is new is read: a journal is pushed at each commit and would otherwise be read whole each time.
        let mut tail = Vec::new();
        let read = fs::File::open(self.local_dir.join(log)).and_then(|mut file| {
            file.seek(SeekFrom::Start(start))?;
            file.read_to_end(&mut tail)
        });
        read.map_err(|error| io_error(&self.local, log, &error))?;
        let complete = tail.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1);
        self.push_segment(remote, log, start, &tail[..complete]).await
    }

    /// Sends the audit log as far as its anchor vouches for: a pending anchor first, then the records, then the
    /// settled anchor, so that the store's pair is in step after each of the three writes.
    async fn push_audit(&mut self, remote: &Store) -> Result<u64, StoreError> {
        // The anchor before the log: the local writer moves the anchor only after the records it names.
        let anchor = match fs::read(self.local_dir.join(AUDIT_ANCHOR)) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return Err(io_error(&self.local, AUDIT_ANCHOR, &error)),
        };
        let log = self.read_audit_log()?;
        let url = self.local.url().to_string();
        let corrupt = |message: String| StoreError::Corrupt { url: url.clone(), key: AUDIT_LOG.to_string(), message };
        let vouched = match escher_runtime::audit::vouched_len(&anchor, &log) {
            Ok(vouched) => vouched,
            // The anchor is rewritten in place and may be caught half-written; the next push reads it whole.
            Err(reason) if reason.starts_with("the anchor is unreadable") => return Ok(0),
            Err(reason) => return Err(corrupt(reason)),
        };
        let start = self.pushed_len(remote, AUDIT_LOG).await?;
        if (vouched as u64) < start {
            // The store holds more than this copy vouches for (another machine pushed): its anchor stays.
            return Ok(0);
        }
        let settled = escher_runtime::audit::anchor_json(&log, vouched, None).map_err(&corrupt)?;
        if vouched as u64 > start {
            let pending = escher_runtime::audit::anchor_json(&log, start as usize, Some(vouched)).map_err(&corrupt)?;
            remote.put(AUDIT_ANCHOR, pending, PutMode::Overwrite).await?;
            self.pushed.remove(AUDIT_ANCHOR);
        }
        let sent = self.push_segment(remote, AUDIT_LOG, start, &log[start as usize..vouched]).await?;
        let version = content_version(&settled).0;
        if self.pushed.get(AUDIT_ANCHOR) != Some(&version) {
            remote.put(AUDIT_ANCHOR, settled, PutMode::Overwrite).await?;
            self.pushed.insert(AUDIT_ANCHOR.to_string(), version);
        }
        Ok(sent)
    }

    /// The local audit log; none yet reads as empty.
    fn read_audit_log(&self) -> Result<Vec<u8>, StoreError> {
        match fs::read(self.local_dir.join(AUDIT_LOG)) {
            Ok(bytes) => Ok(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(error) => Err(io_error(&self.local, AUDIT_LOG, &error)),
        }
    }

    /// Bytes of `log` already in the store.
    async fn pushed_len(&mut self, remote: &Store, log: &str) -> Result<u64, StoreError> {
        match self.pushed_len.get(log) {
            Some(&len) => Ok(len),
            None => segmented_len(remote, log).await,
        }
    }

    /// Sends `chunk`, the bytes of `log` from `start` on, as one segment, if it is not empty.
    async fn push_segment(&mut self, remote: &Store, log: &str, start: u64, chunk: &[u8]) -> Result<u64, StoreError> {
        if !chunk.is_empty()
            && let Err(error) = append_segment(remote, log, start, Bytes::copy_from_slice(chunk)).await
        {
            // The segment may exist after all (an answer lost on the way back): read the length again next time.
            self.pushed_len.remove(log);
            return Err(error);
        }
        let sent = chunk.len() as u64;
        self.pushed_len.insert(log.to_string(), start + sent);
        Ok(sent)
    }
}

/// Brings `local_dir` up to date from `remote`. A local log that is not a prefix of the store's copy is an error
/// that names it (nothing of that log is changed); a local log longer than the store's is left as it is.
pub async fn pull(remote: &Store, local_dir: &Path) -> Result<SyncReport, StoreError> {
    let local = Store::local(local_dir);
    let mut report = SyncReport::default();
    let keys = remote.list("").await?;
    // The anchor before the log: the store's pair is in step at each instant, and its log only grows.
    let anchor = remote.get(AUDIT_ANCHOR).await?.map(|object| object.bytes).unwrap_or_default();
    let mut logs = std::collections::BTreeSet::new();
    let mut objects = Vec::new();
    for key in keys {
        if let Some((log, _)) = parse_segment_key(&key) {
            logs.insert(log.to_string());
        } else if is_log(&key) {
            logs.insert(key);
        } else if !stays_local(&key) && key != AUDIT_ANCHOR {
            objects.push(key);
        }
    }
    for log in &logs {
        let vouched = (log == AUDIT_LOG).then_some(&anchor[..]);
        report.log_bytes += pull_log(remote, &local, local_dir, log, vouched).await?;
    }
    for key in objects {
        let Some(object) = remote.get(&key).await? else { continue };
        let same = local.get(&key).await?.is_some_and(|mine| mine.version == content_version(&object.bytes));
        if !same {
            local.put(&key, object.bytes, PutMode::Overwrite).await?;
            report.objects += 1;
        }
    }
    report.restored = restore_hidden(remote, &local).await?;
    Ok(report)
}

/// Brings the local copy's filed documents (`approvals/`) up to date from `remote`, and nothing else: what a run
/// that waits for decisions reads while it writes its own journal and audit log locally. Returns how many
/// documents arrived (new, changed or brought back).
pub async fn pull_filed(remote: &Store, local_dir: &Path) -> Result<usize, StoreError> {
    let local = Store::local(local_dir);
    let mut arrived = 0;
    for key in remote.list(FILED).await? {
        let Some(object) = remote.get(&key).await? else { continue };
        let same = local.get(&key).await?.is_some_and(|mine| mine.version == content_version(&object.bytes));
        if !same {
            local.put(&key, object.bytes, PutMode::Overwrite).await?;
            arrived += 1;
        }
    }
    Ok(arrived + restore_hidden(remote, &local).await?)
}

/// Brings back every filed document a delete or an overwrite hid in `remote` (a versioned bucket): under its own
/// key if that is free here, else beside it as `NAME~TAG.json` (TAG from its content), so that every decision
/// ever filed is read. Returns how many were brought back.
async fn restore_hidden(remote: &Store, local: &Store) -> Result<usize, StoreError> {
    let Some(hidden) = remote.hidden_versions(FILED).await? else { return Ok(0) };
    let mut restored = 0;
    for object in hidden.into_iter().filter(|object| object.key.ends_with(".json")) {
        let here = local.get(&object.key).await?;
        if here.as_ref().is_some_and(|here| here.bytes == object.bytes) {
            continue;
        }
        let key = match here {
            None if object.deleted => object.key.clone(),
            _ => beside(&object.key, &object.bytes),
        };
        if local.get(&key).await?.is_none() {
            local.put(&key, object.bytes, PutMode::Create).await?;
            restored += 1;
        }
    }
    Ok(restored)
}

/// `approvals/decisions/NAME~TAG.json` for an earlier version of `approvals/decisions/NAME.json`.
fn beside(key: &str, bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let tag: String = hex_prefix(&Sha256::digest(bytes));
    let stem = key.strip_suffix(".json").unwrap_or(key);
    format!("{stem}~{tag}.json")
}

fn hex_prefix(digest: &[u8]) -> String {
    digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect()
}

/// Appends to the local copy of `log` what the store's copy has beyond it. For the audit log, `anchor` is the
/// store's anchor: only what it vouches for is taken, and it becomes the local anchor when the two logs then end
/// at the same record.
async fn pull_log(
    remote: &Store,
    local: &Store,
    local_dir: &Path,
    log: &str,
    anchor: Option<&[u8]>,
) -> Result<u64, StoreError> {
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
    let theirs = match anchor {
        Some(anchor) => {
            let vouched = escher_runtime::audit::vouched_len(anchor, &theirs).map_err(|message| {
                StoreError::Corrupt { url: remote.url().to_string(), key: log.to_string(), message }
            })?;
            &theirs[..vouched]
        }
        None => &theirs[..],
    };
    let theirs_len = theirs.len() as u64;
    if theirs_len <= have {
        if !mine.starts_with(theirs) {
            return Err(diverged(local, log, "the two copies differ"));
        }
        if theirs_len == have && anchor.is_some() {
            settle_anchor(local, theirs).await?;
        }
        return Ok(0);
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
    if anchor.is_some() {
        settle_anchor(local, theirs).await?;
    }
    Ok(theirs_len - have)
}

/// For a local audit log that now ends where the store's anchor vouches: makes the local anchor name its last
/// record, unless it already vouches for the whole log.
async fn settle_anchor(local: &Store, log: &[u8]) -> Result<(), StoreError> {
    let corrupt =
        |message: String| StoreError::Corrupt { url: local.url().to_string(), key: AUDIT_ANCHOR.to_string(), message };
    let settled = escher_runtime::audit::anchor_json(log, log.len(), None).map_err(corrupt)?;
    let mine = local.get(AUDIT_ANCHOR).await?.map(|object| object.bytes).unwrap_or_default();
    let vouches = escher_runtime::audit::vouched_len(&mine, log).is_ok_and(|len| len == log.len());
    if !vouches {
        local.put(AUDIT_ANCHOR, Bytes::from(settled), PutMode::Overwrite).await?;
    }
    Ok(())
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
