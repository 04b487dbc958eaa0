//! A group-commit queue: callers queue items with a waiter each, and one writer at a time takes everything
//! queued since its last write, so concurrent callers share the cost of a sync.

use std::sync::{Mutex, MutexGuard};

use tokio::sync::oneshot;

/// Answered once the item it waits on is durable, or could not be made so.
pub(crate) type Waiter = oneshot::Sender<Result<(), String>>;

pub(crate) struct GroupCommit<T> {
    queue: Mutex<Queue<T>>,
}

struct Queue<T> {
    pending: Vec<(T, Waiter)>,
    writing: bool,
}

impl<T> GroupCommit<T> {
    pub fn new() -> Self {
        GroupCommit { queue: Mutex::new(Queue { pending: Vec::new(), writing: false }) }
    }

    /// Queues `item`. Returns true when no writer is at work, so the caller must start one.
    #[must_use]
    pub fn push(&self, item: T, done: Waiter) -> bool {
        let mut queue = self.lock();
        queue.pending.push((item, done));
        !std::mem::replace(&mut queue.writing, true)
    }

    /// For the writer: everything queued since its last take, or `None` (and the writer stops) when nothing is.
    pub fn take(&self) -> Option<Vec<(T, Waiter)>> {
        let mut queue = self.lock();
        if queue.pending.is_empty() {
            queue.writing = false;
            return None;
        }
        Some(std::mem::take(&mut queue.pending))
    }

    fn lock(&self) -> MutexGuard<'_, Queue<T>> {
        match self.queue.lock() {
            Ok(queue) => queue,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// Tells every waiter how the write went.
pub(crate) fn answer(waiters: impl IntoIterator<Item = Waiter>, written: &Result<(), String>) {
    for done in waiters {
        // A waiter that went away (its run was dropped) needs no answer.
        let _ = done.send(written.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiter() -> Waiter {
        oneshot::channel().0
    }

    #[test]
    fn the_first_item_starts_a_writer_and_later_ones_join_its_next_group() {
        let queue = GroupCommit::new();
        assert!(queue.push(1, waiter()), "no writer yet");
        assert!(!queue.push(2, waiter()), "a writer is at work");
        let group: Vec<i32> = queue.take().into_iter().flatten().map(|(item, _)| item).collect();
        assert_eq!(group, [1, 2]);
        assert!(!queue.push(3, waiter()), "the writer has not stopped yet");
        assert_eq!(queue.take().map(|group| group.len()), Some(1));
        assert!(queue.take().is_none(), "nothing left: the writer stops");
        assert!(queue.push(4, waiter()), "a new writer is needed");
    }
}
