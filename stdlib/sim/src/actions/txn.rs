//! A batch's changes, kept apart from the estate until the batch ends: a dry run drops them, a real call
//! commits them. Each target's changes can be undone alone, so a target the cloud refuses leaves no trace.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use escher_compiler::plan::Value;

use crate::estate::transitions::{Pending, Transitions};
use crate::estate::{Estate, ids, timestamp};
use crate::record::{self, Record, text};

pub(crate) struct Txn<'e> {
    estate: &'e Estate,
    /// New contents by id; `None` removes.
    writes: HashMap<String, Option<Arc<Record>>>,
    /// The ids written, by kind, so a search of one kind skips the others' writes. (An id whose write was
    /// rolled back may stay listed; its entry in `writes` is what counts.)
    written: HashMap<String, BTreeSet<String>>,
    /// What each write replaced, newest last, to undo a refused target.
    undo: Vec<(String, Option<Option<Arc<Record>>>)>,
    serial: u64,
    pending: Vec<Pending>,
    transition: Duration,
    /// Ids this batch made up for resources it creates: what [`Txn::created_since`] reports.
    minted: BTreeSet<String>,
    /// The estate's resources by (kind, field) and the field's value, built when first searched, so a batch
    /// that looks up each target's volumes does not scan every volume for each target.
    index: HashMap<(String, String), ByValue>,
}

/// Resources by the value of one of their fields.
type ByValue = HashMap<String, Vec<Arc<Record>>>;

/// A point to undo back to.
pub(crate) struct Mark {
    undo: usize,
    serial: u64,
    pending: usize,
}

/// What a finished batch changes.
pub(crate) struct Commit {
    writes: HashMap<String, Option<Arc<Record>>>,
    serial: u64,
    pending: Vec<Pending>,
    transition: Duration,
}

impl<'e> Txn<'e> {
    pub(crate) fn new(estate: &'e Estate, transition: Duration) -> Self {
        Txn {
            estate,
            writes: HashMap::new(),
            written: HashMap::new(),
            undo: Vec::new(),
            serial: estate.serial(),
            pending: Vec::new(),
            transition,
            minted: BTreeSet::new(),
            index: HashMap::new(),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.estate.now()
    }

    pub(crate) fn now_value(&self) -> Value {
        text(timestamp(self.estate.now()))
    }

    pub(crate) fn accounts(&self) -> &[crate::estate::Account] {
        self.estate.accounts()
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Record>> {
        match self.writes.get(id) {
            Some(written) => written.clone(),
            None => self.estate.get_arc(id).cloned(),
        }
    }

    /// Whether this transaction has already written `id` (so its record here is newer than any copy a caller holds).
    pub(crate) fn wrote(&self, id: &str) -> bool {
        self.writes.contains_key(id)
    }

    pub(crate) fn exists(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Whether any resource, of any kind, matches, as this batch sees it.
    pub(crate) fn any(&self, matches: impl Fn(&Record) -> bool) -> bool {
        self.estate.resources().any(|r| matches(r) && !self.writes.contains_key(record::id(r)))
            || self.writes.values().flatten().any(|r| matches(r))
    }

    /// Resources of a kind that match, as this batch sees them.
    pub(crate) fn find(&self, kind: &str, matches: impl Fn(&Record) -> bool) -> Vec<Arc<Record>> {
        let mut found: Vec<Arc<Record>> = self
            .estate
            .of_kind(kind)
            .filter(|r| matches(r) && !self.writes.contains_key(record::id(r)))
            .cloned()
            .collect();
        let written = self.written.get(kind).into_iter().flatten();
        found.extend(written.filter_map(|id| self.writes.get(id).cloned().flatten()).filter(|r| matches(r)));
        found
    }

    /// Resources of a kind whose string `field` is `value`, as this batch sees them.
    pub(crate) fn find_by(&mut self, kind: &str, field: &str, value: &str) -> Vec<Arc<Record>> {
        let estate = self.estate;
        let index = self.index.entry((kind.to_string(), field.to_string())).or_insert_with(|| {
            let mut by_value = ByValue::new();
            for resource in estate.of_kind(kind) {
                if let Some(found) = record::str_of(resource, field) {
                    by_value.entry(found.to_string()).or_default().push(Arc::clone(resource));
                }
            }
            by_value
        });
        let mut found: Vec<Arc<Record>> = index
            .get(value)
            .into_iter()
            .flatten()
            .filter(|r| !self.writes.contains_key(record::id(r)))
            .cloned()
            .collect();
        let written = self.written.get(kind).into_iter().flatten();
        let matches = |r: &Arc<Record>| record::str_of(r, field) == Some(value);
        found.extend(written.filter_map(|id| self.writes.get(id).cloned().flatten()).filter(matches));
        found
    }

    pub(crate) fn put(&mut self, resource: Record) {
        let id = record::id(&resource).to_string();
        self.write(id, Some(Arc::new(resource)));
    }

    pub(crate) fn remove(&mut self, id: &str) {
        self.write(id.to_string(), None);
    }

    fn write(&mut self, id: String, contents: Option<Arc<Record>>) {
        if let Some(resource) = &contents {
            self.written.entry(record::kind(resource).to_string()).or_default().insert(id.clone());
        }
        let replaced = self.writes.insert(id.clone(), contents);
        self.undo.push((id, replaced));
    }

    /// A fresh id: `make` shapes the number, and numbers are tried until the id is free.
    pub(crate) fn new_id(&mut self, make: impl Fn(u64) -> String) -> String {
        loop {
            self.serial += 1;
            let id = make(ids::created(self.serial));
            if !self.exists(&id) {
                self.minted.insert(id.clone());
                return id;
            }
        }
    }

    /// Sets `field` to `interim` and schedules `final_value` after the transition time, or sets `final_value`
    /// at once when transitions are instant.
    pub(crate) fn shift(&mut self, resource: &mut Record, field: &str, interim: &str, final_value: &str) {
        if self.transition.is_zero() {
            resource.insert(field.to_string(), text(final_value));
        } else {
            resource.insert(field.to_string(), text(interim));
            let id = record::id(resource).to_string();
            self.pending.push(Pending { id, field: field.to_string(), value: text(final_value) });
        }
    }

    pub(crate) fn mark(&self) -> Mark {
        Mark { undo: self.undo.len(), serial: self.serial, pending: self.pending.len() }
    }

    /// The resources created since `mark` (with ids this batch made up) that still exist in it.
    pub(crate) fn created_since(&self, mark: &Mark) -> Vec<Arc<Record>> {
        let ids: BTreeSet<&String> =
            self.undo[mark.undo..].iter().map(|(id, _)| id).filter(|id| self.minted.contains(*id)).collect();
        ids.into_iter().filter_map(|id| self.writes.get(id).cloned().flatten()).collect()
    }

    pub(crate) fn rollback(&mut self, mark: Mark) {
        while self.undo.len() > mark.undo {
            let Some((id, replaced)) = self.undo.pop() else { break };
            match replaced {
                Some(previous) => self.writes.insert(id, previous),
                None => self.writes.remove(&id),
            };
        }
        self.serial = mark.serial;
        self.pending.truncate(mark.pending);
    }

    pub(crate) fn finish(self) -> Commit {
        Commit { writes: self.writes, serial: self.serial, pending: self.pending, transition: self.transition }
    }
}

impl Commit {
    pub(crate) fn apply(self, estate: &mut Estate, transitions: &mut Transitions) {
        let due = transitions.now() + self.transition;
        for (id, contents) in self.writes {
            match contents {
                Some(resource) => estate.put(resource),
                None => {
                    estate.remove(&id);
                    transitions.cancel(&id);
                }
            }
        }
        for pending in self.pending {
            if estate.get(&pending.id).is_some() {
                transitions.schedule(due, pending);
            }
        }
        estate.set_serial(self.serial);
    }
}
