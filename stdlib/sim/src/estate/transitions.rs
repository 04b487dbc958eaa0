//! State transitions that complete later: `stopping` becomes `stopped` once the simulated delay has passed on
//! the simulated clouds' clock: tokio's, moved ahead by every `wait` the run spent on it. Nothing runs in the
//! background: every read first settles the transitions that are due.

use std::collections::{BTreeMap, HashMap};

use escher_compiler::plan::Value;
use tokio::time::Instant;

use super::Estate;

/// A field that takes its final value at a later instant.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub id: String,
    pub field: String,
    pub value: Value,
}

#[derive(Debug, Default)]
pub(crate) struct Transitions {
    /// By due time, then by the order they were scheduled in.
    queue: BTreeMap<(Instant, u64), Pending>,
    /// Where each (resource, field) waits in the queue, so a newer transition replaces an older one.
    slots: HashMap<(String, String), (Instant, u64)>,
    seq: u64,
    /// How far the simulated clouds' clock is ahead of tokio's: the waits spent on it.
    ahead: std::time::Duration,
}

impl Transitions {
    /// The simulated clouds' time.
    pub(crate) fn now(&self) -> Instant {
        Instant::now() + self.ahead
    }

    /// Moves the simulated clouds' clock ahead by `by`, at once.
    pub(crate) fn advance(&mut self, by: std::time::Duration) {
        self.ahead += by;
    }

    /// Schedules a final value, replacing any earlier one for the same field of the same resource.
    pub(crate) fn schedule(&mut self, due: Instant, pending: Pending) {
        self.seq += 1;
        let slot = (due, self.seq);
        if let Some(previous) = self.slots.insert((pending.id.clone(), pending.field.clone()), slot) {
            self.queue.remove(&previous);
        }
        self.queue.insert(slot, pending);
    }

    /// Forgets the transitions of a resource that is gone.
    pub(crate) fn cancel(&mut self, id: &str) {
        let queue = &mut self.queue;
        self.slots.retain(|(slot_id, _), slot| {
            let keep = slot_id != id;
            if !keep {
                queue.remove(slot);
            }
            keep
        });
    }

    /// Applies every transition due by now.
    pub(crate) fn settle(&mut self, estate: &mut Estate) {
        let now = self.now();
        while let Some(entry) = self.queue.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let pending = entry.remove();
            self.slots.remove(&(pending.id.clone(), pending.field.clone()));
            estate.set_field(&pending.id, &pending.field, pending.value);
        }
    }

    /// Applies every pending transition to `estate` as if its time had come, keeping the queue.
    pub(crate) fn complete_in(&self, estate: &mut Estate) {
        for pending in self.queue.values() {
            estate.set_field(&pending.id, &pending.field, pending.value.clone());
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}
