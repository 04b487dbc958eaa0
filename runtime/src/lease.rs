//! One process drives a run: `runs/<run_id>/lease`, locked (an OS file lock) by the process that runs or resumes
//! the run from before it reads the journal until the run ends. The lock goes with the process, so a holder
//! that dies (SIGKILL, a crash, a lost machine's local disk aside) leaves it free; the file keeps the holder's
//! name, so the next one can say whose run it took over, and a refused one can say who holds it.
//!
//! Every host gets this from the runtime itself ([`Runtime::run`](crate::Runtime::run) and
//! [`Runtime::resume`](crate::Runtime::resume)); a bucket's lease (`escher-state`) is taken on top of it for
//! runners on other machines.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::journal::JournalError;

const LEASE_FILE: &str = "lease";

/// The lease on a run, held until dropped.
#[derive(Debug)]
pub struct RunLease {
    file: File,
    path: PathBuf,
    /// The holder before this one, when it died holding the lease (a takeover, to audit).
    pub took_over_from: Option<String>,
}

/// Why a lease could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("run {run_id} is being driven by {holder} (it holds {}); try again once it ends", .path.display())]
    Held { run_id: String, holder: String, path: PathBuf },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl RunLease {
    /// Takes the lease on `run_id` for `holder` (`user@host:pid`), or says who holds it.
    pub fn acquire(state_dir: &Path, run_id: &str, holder: &str) -> Result<RunLease, LeaseError> {
        let dir = crate::journal::run_dir(state_dir, run_id)?;
        let path = dir.join(LEASE_FILE);
        let io = |source| LeaseError::Io { path: path.clone(), source };
        fs::create_dir_all(&dir).map_err(io)?;
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = read_holder(&mut file).unwrap_or_else(|| "another process".to_string());
                return Err(LeaseError::Held { run_id: run_id.to_string(), holder, path });
            }
            Err(TryLockError::Error(error)) => return Err(io(error)),
        }
        // A name left in a free lease is a holder that died without releasing it.
        let took_over_from = read_holder(&mut file);
        write_holder(&mut file, holder).map_err(io)?;
        Ok(RunLease { file, path, took_over_from })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunLease {
    /// Releases the lease: the holder's name is cleared first, so the next holder sees no takeover.
    fn drop(&mut self) {
        let _ = write_holder(&mut self.file, "");
        let _ = self.file.unlock();
    }
}

/// Who holds a lease, `who@host:pid`: a holder on the same machine can be told dead by its pid.
pub fn holder_name(who: &str) -> String {
    format!("{who}@{}:{}", host_name(), std::process::id())
}

/// This machine's name, as lease holders give it (empty where `/etc/hostname` cannot be read).
pub fn host_name() -> String {
    fs::read_to_string("/etc/hostname").map(|name| name.trim().to_string()).unwrap_or_default()
}

fn read_holder(file: &mut File) -> Option<String> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    Some(text.trim().to_string()).filter(|holder| !holder.is_empty())
}

fn write_holder(file: &mut File, holder: &str) -> std::io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(holder.as_bytes())?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lease_is_refused_naming_its_holder_and_a_released_one_is_no_takeover() {
        let state = tempfile::tempdir().expect("a temp dir");
        let first = RunLease::acquire(state.path(), "r1", "ana@laptop:10").expect("free");
        assert_eq!(first.took_over_from, None);
        let refused = RunLease::acquire(state.path(), "r1", "bo@laptop:11").expect_err("held");
        assert!(refused.to_string().contains("being driven by ana@laptop:10"), "{refused}");
        drop(first);
        let second = RunLease::acquire(state.path(), "r1", "bo@laptop:11").expect("released");
        assert_eq!(second.took_over_from, None);
    }

    #[test]
    fn a_name_left_in_a_free_lease_is_a_takeover() {
        let state = tempfile::tempdir().expect("a temp dir");
        let lease = RunLease::acquire(state.path(), "r1", "ana@laptop:10").expect("free");
        // A holder that died: its lock went with it, its name stayed.
        lease.file.unlock().expect("unlocked");
        std::mem::forget(lease);
        let next = RunLease::acquire(state.path(), "r1", "bo@laptop:11").expect("taken over");
        assert_eq!(next.took_over_from.as_deref(), Some("ana@laptop:10"));
    }
}
