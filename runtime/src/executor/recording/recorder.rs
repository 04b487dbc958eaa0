//! Durable records: journal records and audit entries, each file written in groups by a blocking writer of its
//! own that takes everything queued since its last write. Callers wait until their record is synced. A write
//! that fails stops the run: nothing may be acted on that the journal could not record.
//!
//! The two writers form a pipeline: a step about to call a provider waits for one journal sync only, never
//! behind the audit log's two (the log and its anchor), and an event recorded in both files reaches the audit
//! log only once its journal record is durable. With a [`Replica`], durable means in the replica too.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::group_commit::{GroupCommit, Waiter, answer};
use crate::audit::{AuditEntry, AuditLog};
use crate::journal::{Journal, JournalRecord, record_body};
use crate::replica::Replica;

#[derive(Clone)]
pub(crate) struct Recorder {
    inner: Arc<Inner>,
}

struct Inner {
    /// Journal records (as their JSON, made by the caller), each with the audit entry to write once it is
    /// synced, if any.
    journal_queue: GroupCommit<(Vec<u8>, Option<AuditEntry>)>,
    audit_queue: GroupCommit<AuditEntry>,
    journal: Mutex<Journal>,
    audit: Arc<Mutex<AuditLog>>,
    /// Holds each journal commit before its waiters are answered, if the host has one.
    replica: Option<Arc<dyn Replica>>,
    /// The first write that failed; every later write fails with it.
    failure: Mutex<Option<String>>,
    cancel: CancellationToken,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Recorder {
    pub fn new(
        journal: Journal,
        audit: Arc<Mutex<AuditLog>>,
        replica: Option<Arc<dyn Replica>>,
        cancel: CancellationToken,
    ) -> Self {
        Recorder {
            inner: Arc::new(Inner {
                journal_queue: GroupCommit::new(),
                audit_queue: GroupCommit::new(),
                journal: Mutex::new(journal),
                audit,
                replica,
                failure: Mutex::new(None),
                cancel,
            }),
        }
    }

    /// Appends a journal record and waits until it is synced.
    pub async fn journal(&self, record: JournalRecord) -> Result<(), String> {
        self.wait(|done| self.inner.queue_journal(record, None, done)).await
    }

    /// Appends an audit entry and waits until it is synced.
    pub async fn audit(&self, entry: AuditEntry) -> Result<(), String> {
        self.wait(|done| self.inner.queue_audit(entry, done)).await
    }

    /// Appends a journal record, then once it is synced an audit entry, and waits until both are: one wait where
    /// two in turn would each queue behind the other file's writes.
    pub async fn journal_and_audit(&self, record: JournalRecord, entry: AuditEntry) -> Result<(), String> {
        self.wait(|done| self.inner.queue_journal(record, Some(entry), done)).await
    }

    /// Brings the replica up to the journal as it is, for records written before the recorder took over (the
    /// run's start). A failure counts as a failed write.
    pub async fn replicate(&self) -> Result<(), String> {
        let Some(replica) = self.inner.replica.clone() else { return Ok(()) };
        let inner = self.inner.clone();
        let replicated = tokio::task::spawn_blocking(move || {
            let path = lock(&inner.journal).path().to_path_buf();
            inner.written(|| replica.journal_synced(&path).map_err(|e| format!("journal replica: {e}")))
        });
        replicated.await.unwrap_or_else(|_| Err("the journal replica stopped".into()))
    }

    /// The first write that failed, if any.
    pub fn failure(&self) -> Option<String> {
        lock(&self.inner.failure).clone()
    }

    async fn wait(&self, queue: impl FnOnce(Waiter)) -> Result<(), String> {
        if let Some(failure) = self.failure() {
            return Err(failure);
        }
        let (done, answered) = oneshot::channel();
        queue(done);
        answered.await.unwrap_or_else(|_| Err("the record writer stopped".into()))
    }
}

impl Inner {
    fn queue_journal(self: &Arc<Self>, record: JournalRecord, then: Option<AuditEntry>, done: Waiter) {
        // Turned into JSON here, on the caller's thread: the one writer only links, writes and syncs.
        let body = match record_body(&record) {
            Ok(body) => body,
            Err(error) => {
                // A record that cannot be written stops the run, as a failed write does.
                answer([done], &self.written(|| Err(format!("journal: {error}"))));
                return;
            }
        };
        if self.journal_queue.push((body, then), done) {
            let inner = self.clone();
            // Blocking tasks also keep tokio's paused test clock from jumping ahead while a record is synced.
            tokio::task::spawn_blocking(move || inner.write_journal());
        }
    }

    fn queue_audit(self: &Arc<Self>, entry: AuditEntry, done: Waiter) {
        if self.audit_queue.push(entry, done) {
            let inner = self.clone();
            tokio::task::spawn_blocking(move || inner.write_audit());
        }
    }

    /// The journal's writer: one write and one sync per group, in queue order. Waiters on the journal alone are
    /// answered at once; audit entries that follow a record are queued for the audit writer with its waiter.
    fn write_journal(self: Arc<Self>) {
        while let Some(group) = self.journal_queue.take() {
            let (records, rest): (Vec<_>, Vec<_>) =
                group.into_iter().map(|((record, then), done)| (record, (then, done))).unzip();
            let written = self.written(|| {
                let mut journal = lock(&self.journal);
                journal.append_bodies(&records).map_err(|e| format!("journal: {e}"))?;
                match &self.replica {
                    Some(replica) => {
                        replica.journal_synced(journal.path()).map_err(|e| format!("journal replica: {e}"))
                    }
                    None => Ok(()),
                }
            });
            for (then, done) in rest {
                match then {
                    // An audit entry whose journal record failed is not written: the failure stands for both.
                    Some(entry) if written.is_ok() => self.queue_audit(entry, done),
                    _ => answer([done], &written),
                }
            }
        }
    }

    /// The audit log's writer: one write, one sync and one anchor update per group, in queue order.
    fn write_audit(self: Arc<Self>) {
        while let Some(group) = self.audit_queue.take() {
            let (mut entries, waiters): (Vec<AuditEntry>, Vec<_>) = group.into_iter().unzip();
            // Every entry vouches for the journal as it stands now: what is in it was synced before this.
            let mark = lock(&self.journal).mark().clone();
            for entry in entries.iter_mut().filter(|entry| entry.journal.is_none()) {
                entry.journal = Some(mark.clone());
            }
            let written =
                self.written(|| lock(&self.audit).append_all(entries).map(drop).map_err(|e| format!("audit log: {e}")));
            answer(waiters, &written);
        }
    }

    /// Runs a write unless an earlier one failed; a write that fails stops the run.
    fn written(&self, write: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
        if let Some(failure) = lock(&self.failure).clone() {
            return Err(failure);
        }
        let written = write();
        if let Err(failure) = &written {
            let mut first = lock(&self.failure);
            if first.is_none() {
                *first = Some(failure.clone());
                self.cancel.cancel();
            }
        }
        written
    }
}
