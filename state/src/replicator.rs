//! Keeping a bucket in step with its local copy while a command runs.
//!
//! Commands that work on a bucket read and write a local copy. A [`Replicator`] pushes that copy back: all of it
//! every so often, and a run's directory (its journal, and what resume needs beside it) at once whenever the
//! runtime commits to the journal, through the [`Replica`](escher_runtime::replica::Replica) it hands the
//! runtime. One thread does all the pushing, so the two never race to write the same segment.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use escher_runtime::replica::{Replica, ReplicaError};

use crate::mirror::Mirror;
use crate::store::Store;

/// Pushes a local directory to a store from a thread of its own until [`Replicator::finish`].
pub struct Replicator {
    requests: Sender<Request>,
    thread: JoinHandle<Result<(), String>>,
    local_dir: PathBuf,
}

enum Request {
    /// Push what changed under this prefix now, and say how it went.
    Under { prefix: String, done: Sender<Result<(), String>> },
    /// Push everything once more and stop.
    Finish,
}

impl Replicator {
    /// Starts pushing `local_dir` to `store`: everything at once and then every `every`; `warn` hears a push
    /// that failed (once per distinct failure; the next push tries again).
    pub fn start(
        store: Store,
        local_dir: &Path,
        every: Duration,
        warn: impl Fn(&str) + Send + 'static,
    ) -> Result<Replicator, String> {
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("cannot start the async runtime: {error}"))?;
        let (requests, received) = mpsc::channel();
        let mirror = Mirror::new(local_dir);
        let thread = std::thread::spawn(move || work(&tokio, &store, mirror, &received, every, &warn));
        Ok(Replicator { requests, thread, local_dir: local_dir.to_path_buf() })
    }

    /// What the runtime calls after each journal commit: it returns once the bucket holds the journal so far.
    pub fn replica(&self) -> Arc<dyn Replica> {
        Arc::new(JournalReplica { requests: self.requests.clone(), local_dir: self.local_dir.clone() })
    }

    /// Pushes everything once more and stops; the error says what could not be pushed.
    pub fn finish(self) -> Result<(), String> {
        // A thread that already stopped has its answer in `join`.
        let _ = self.requests.send(Request::Finish);
        self.thread.join().unwrap_or_else(|_| Err("pushing state stopped unexpectedly".into()))
    }
}

fn work(
    tokio: &tokio::runtime::Runtime,
    store: &Store,
    mut mirror: Mirror,
    requests: &Receiver<Request>,
    every: Duration,
    warn: &dyn Fn(&str),
) -> Result<(), String> {
    let mut warned: Option<String> = None;
    let mut next_push = Instant::now();
    loop {
        match requests.recv_timeout(next_push.saturating_duration_since(Instant::now())) {
            Ok(Request::Under { prefix, done }) => {
                let pushed =
                    tokio.block_on(mirror.push_under(store, &prefix)).map(drop).map_err(|error| error.to_string());
                // A caller that gave up waiting needs no answer.
                let _ = done.send(pushed);
            }
            Ok(Request::Finish) | Err(RecvTimeoutError::Disconnected) => {
                return tokio.block_on(mirror.push(store)).map(drop).map_err(|error| error.to_string());
            }
            Err(RecvTimeoutError::Timeout) => {
                match tokio.block_on(mirror.push(store)) {
                    Ok(_) => warned = None,
                    Err(error) => {
                        let text = error.to_string();
                        if warned.as_ref() != Some(&text) {
                            warn(&text);
                            warned = Some(text);
                        }
                    }
                }
                next_push = Instant::now() + every;
            }
        }
    }
}

/// The runtime's handle on a [`Replicator`].
struct JournalReplica {
    requests: Sender<Request>,
    local_dir: PathBuf,
}

impl Replica for JournalReplica {
    fn journal_synced(&self, journal: &Path) -> Result<(), ReplicaError> {
        let relative = journal
            .strip_prefix(&self.local_dir)
            .map_err(|_| format!("{} is not under {}", journal.display(), self.local_dir.display()))?;
        // The journal's directory, `runs/<id>/`: the run's setup and summary go with its records.
        let parts: Vec<_> = relative.components().map(|part| part.as_os_str().to_string_lossy()).collect();
        let prefix = match parts.split_last() {
            Some((_, dir)) if !dir.is_empty() => format!("{}/", dir.join("/")),
            _ => return Err(format!("{} is not a run's journal", journal.display()).into()),
        };
        let (done, answer) = mpsc::channel();
        self.requests.send(Request::Under { prefix, done }).map_err(|_| "pushing state has stopped".to_string())?;
        Ok(answer.recv().unwrap_or_else(|_| Err("pushing state has stopped".into()))?)
    }
}
