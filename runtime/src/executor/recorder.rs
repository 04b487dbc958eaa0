//! Durable records: journal records and audit entries are queued and written by one blocking writer at a time,
//! which takes everything queued since its last write. Callers wait until their record is synced. A write that
//! fails stops the run: nothing may be acted on that the journal could not record.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::audit::{AuditEntry, AuditLog};
use crate::journal::{Journal, JournalRecord};

enum Entry {
    Journal(JournalRecord),
    Audit(AuditEntry),
}

type Waiter = oneshot::Sender<Result<(), String>>;

#[derive(Clone)]
pub(crate) struct Recorder {
    inner: Arc<Inner>,
}

struct Inner {
    queue: Mutex<Queue>,
    journal: Mutex<Journal>,
    audit: Arc<Mutex<AuditLog>>,
    /// The first write that failed; every later write fails with it.
    failure: Mutex<Option<String>>,
    cancel: CancellationToken,
}

#[derive(Default)]
struct Queue {
    pending: Vec<(Entry, Waiter)>,
    writing: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Recorder {
    pub fn new(journal: Journal, audit: Arc<Mutex<AuditLog>>, cancel: CancellationToken) -> Self {
        Recorder {
            inner: Arc::new(Inner {
                queue: Mutex::new(Queue::default()),
                journal: Mutex::new(journal),
                audit,
                failure: Mutex::new(None),
                cancel,
            }),
        }
    }

    /// Appends a journal record and waits until it is synced.
    pub async fn journal(&self, record: JournalRecord) -> Result<(), String> {
        self.write(Entry::Journal(record)).await
    }

    /// Appends an audit entry and waits until it is synced.
    pub async fn audit(&self, entry: AuditEntry) -> Result<(), String> {
        self.write(Entry::Audit(entry)).await
    }

    /// The first write that failed, if any.
    pub fn failure(&self) -> Option<String> {
        lock(&self.inner.failure).clone()
    }

    async fn write(&self, entry: Entry) -> Result<(), String> {
        if let Some(failure) = self.failure() {
            return Err(failure);
        }
        let (done, wait) = oneshot::channel();
        let start_writer = {
            let mut queue = lock(&self.inner.queue);
            queue.pending.push((entry, done));
            !std::mem::replace(&mut queue.writing, true)
        };
        if start_writer {
            let inner = self.inner.clone();
            // A blocking task also keeps tokio's paused test clock from jumping ahead while a record is synced.
            tokio::task::spawn_blocking(move || inner.drain());
        }
        wait.await.unwrap_or_else(|_| Err("the record writer stopped".into()))
    }
}

impl Inner {
    /// Writes whatever is queued, again and again, until the queue is empty.
    fn drain(&self) {
        loop {
            let pending = {
                let mut queue = lock(&self.queue);
                if queue.pending.is_empty() {
                    queue.writing = false;
                    return;
                }
                std::mem::take(&mut queue.pending)
            };
            self.write_batch(pending);
        }
    }

    /// Writes one batch of queued entries, each file's in queue order, and answers their waiters.
    ///
    /// A group commit: all of the batch's journal records go in one write and one sync, then all of its audit
    /// entries, so concurrent steps share the cost of a sync instead of queueing behind each other's. No waiter
    /// is answered before what it waits for is durable.
    fn write_batch(&self, batch: Vec<(Entry, Waiter)>) {
        let mut records = Vec::new();
        let mut entries = Vec::new();
        let mut waiters = Vec::with_capacity(batch.len());
        for (entry, done) in batch {
            match entry {
                Entry::Journal(record) => records.push(record),
                Entry::Audit(entry) => entries.push(entry),
            }
            waiters.push(done);
        }
        let written = match lock(&self.failure).clone() {
            Some(failure) => Err(failure),
            None => {
                let journal = if records.is_empty() {
                    Ok(())
                } else {
                    lock(&self.journal).append_all(&records).map_err(|e| format!("journal: {e}"))
                };
                journal.and_then(|()| {
                    if entries.is_empty() {
                        Ok(())
                    } else {
                        lock(&self.audit).append_all(entries).map(drop).map_err(|e| format!("audit log: {e}"))
                    }
                })
            }
        };
        if let Err(failure) = &written
            && lock(&self.failure).is_none()
        {
            *lock(&self.failure) = Some(failure.clone());
            self.cancel.cancel();
        }
        for done in waiters {
            let _ = done.send(written.clone());
        }
    }
}
