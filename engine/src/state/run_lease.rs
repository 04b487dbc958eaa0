//! The lease on a run in the state store (`locks/run-<id>.json`), held by whoever runs or resumes it from start
//! to end and renewed in the background, so no two machines sharing a bucket drive one run at once. (On one
//! machine the runtime's own lock file already ensures it; this lease is what other machines see.)

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use escher_state::chrono::{DateTime, Utc};
use escher_state::lock::{LockRecord, acquire, audit_takeover, release, renew, take_from_dead};
use escher_state::{Store, StoreOptions};

use super::attached::{AttachedState, StateError};

/// How long a run's lease lasts without renewal; it is renewed every third of that.
const RUN_LEASE: escher_state::chrono::Duration = escher_state::chrono::Duration::minutes(10);

/// A lease held on a run until [`RunLease::end`], or until dropped (which waits for the release).
pub struct RunLease {
    stop: mpsc::Sender<()>,
    ended: Option<tokio::sync::oneshot::Receiver<()>>,
    renewing: Option<std::thread::JoinHandle<()>>,
    /// The holder whose lease this one took over because it died holding it (audited).
    pub took_over: Option<TakenOver>,
}

/// A lease taken from a holder that died.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenOver {
    pub holder: String,
    pub expired_at: DateTime<Utc>,
}

impl RunLease {
    /// Takes the lease on `run_id` for `holder` (`user@host:pid`), or says who holds it. A lease whose holder was
    /// a process on this machine that no longer runs is taken over, and the takeover audited.
    pub async fn take(state: &AttachedState, run_id: &str, holder: &str) -> Result<RunLease, StateError> {
        // A store of its own: the state's was made on whatever async runtime attached it, which may be gone.
        let store = &Store::open(state.location().url(), &StoreOptions::default())?;
        let lock = format!("run-{run_id}");
        let mut lease = match acquire(store, &lock, holder, RUN_LEASE, Utc::now()).await? {
            Ok(lease) => lease,
            Err(held) if is_dead_here(&held.holder) => {
                match take_from_dead(store, &lock, &held, holder, RUN_LEASE, Utc::now()).await? {
                    Some(lease) => lease,
                    None => return Err(held_error(run_id, &held)),
                }
            }
            Err(held) => return Err(held_error(run_id, &held)),
        };
        let took_over =
            lease.took_over.as_ref().map(|old| TakenOver { holder: old.holder.clone(), expired_at: old.expires_at });
        if took_over.is_some() {
            audit_takeover(state.dir(), &lease, run_id)
                .map_err(|error| StateError::Audit { run_id: run_id.to_string(), reason: error.to_string() })?;
        }
        // Renewal runs on a thread of its own, so it goes on whatever the host's async runtime is busy with, and
        // with a store of its own, for the reason above.
        let renewing = Store::open(state.location().url(), &StoreOptions::default())?;
        let (stop, stopped) = mpsc::channel::<()>();
        let (done, ended) = tokio::sync::oneshot::channel();
        let renewing = std::thread::spawn(move || {
            let Ok(tokio) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            let every = (RUN_LEASE / 3).to_std().unwrap_or(Duration::from_secs(60));
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                // A renewal that fails is tried again a third of the lease later; the lease outlasts two misses.
                let _ = tokio.block_on(renew(&renewing, &mut lease, RUN_LEASE, Utc::now()));
            }
            let _ = tokio.block_on(release(&renewing, lease, Utc::now()));
            let _ = done.send(());
        });
        Ok(RunLease { stop, ended: Some(ended), renewing: Some(renewing), took_over })
    }

    /// Gives the lease up.
    pub async fn end(mut self) {
        let _ = self.stop.send(());
        if let Some(ended) = self.ended.take() {
            let _ = ended.await;
        }
    }
}

impl Drop for RunLease {
    /// A lease dropped on an error path is released before the host goes on (a process about to exit must not
    /// leave it held for its whole term).
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(renewing) = self.renewing.take() {
            let _ = renewing.join();
        }
    }
}

fn held_error(run_id: &str, held: &LockRecord) -> StateError {
    StateError::LeaseHeld {
        run_id: run_id.to_string(),
        holder: held.holder.clone(),
        until: held.expires_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

/// Whether a holder named `user@host:pid` was a process on this machine that no longer runs (Linux: no
/// `/proc/<pid>`). Anywhere else, and for holders elsewhere, a lease ends only when it expires.
fn is_dead_here(holder: &str) -> bool {
    let Some((who, pid)) = holder.rsplit_once(':') else { return false };
    let Some((_, host)) = who.rsplit_once('@') else { return false };
    let Ok(pid) = pid.parse::<u32>() else { return false };
    cfg!(target_os = "linux")
        && host == escher_runtime::lease::host_name()
        && pid != std::process::id()
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}
