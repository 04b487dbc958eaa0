//! The estate: accounts (AWS accounts, Azure subscriptions, GCP projects) and the resources in them, with the
//! estate's clock.

pub(crate) mod file;
pub(crate) mod ids;
pub(crate) mod kinds;
pub(crate) mod transitions;
pub(crate) mod validate;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use escher_compiler::plan::Value;
use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::record::{self, Record};

/// An AWS account, an Azure subscription or a GCP project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// `aws`, `azure` or `gcp`.
    pub cloud: String,
    /// The account id, subscription id or project id that resources name in their `account` field.
    pub id: String,
    pub name: String,
}

impl Account {
    pub fn new(cloud: &str, id: &str, name: &str) -> Self {
        Account { cloud: cloud.to_string(), id: id.to_string(), name: name.to_string() }
    }
}

/// Resources of one kind, by id.
pub(crate) type ByKind = Arc<BTreeMap<String, Arc<Record>>>;

/// Every resource, by kind. Shared copy-on-write: a listing takes the whole map in O(1) under the lock, and a
/// change copies only what a listing still holds.
pub(crate) type Kinds = Arc<BTreeMap<String, ByKind>>;

/// Resources by kind, then by id, so listings of one kind read only that kind.
#[derive(Debug, Clone)]
pub struct Estate {
    now: DateTime<Utc>,
    accounts: Vec<Account>,
    kinds: Kinds,
    kind_of: HashMap<String, String>,
    /// Numbers the ids of created resources, so that they are new and the same on every run.
    serial: u64,
}

impl Estate {
    pub fn new(now: DateTime<Utc>) -> Self {
        Estate { now, accounts: Vec::new(), kinds: Arc::default(), kind_of: HashMap::new(), serial: 0 }
    }

    /// The estate's clock: `older_than` filters and created resources read it. It does not move by itself.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub fn add_account(&mut self, account: Account) {
        self.accounts.push(account);
    }

    pub fn len(&self) -> usize {
        self.kind_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kind_of.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Record> {
        self.get_arc(id).map(|r| r.as_ref())
    }

    /// Every resource, by kind then id.
    pub fn resources(&self) -> impl Iterator<Item = &Record> {
        self.kinds.values().flat_map(|by_id| by_id.values().map(|r| r.as_ref()))
    }

    /// Adds a resource after checking it as a loaded one is checked: known kind, every declared field present
    /// with its type, an account of the estate, a new id. Absent optional fields are set to `null`.
    pub fn insert(&mut self, mut resource: Record) -> Result<(), Vec<Problem>> {
        validate::normalize(&mut resource, &self.accounts)?;
        let id = record::id(&resource).to_string();
        if self.kind_of.contains_key(&id) {
            return Err(vec![Problem { resource: id, message: "duplicate id".to_string() }]);
        }
        self.put(Arc::new(resource));
        Ok(())
    }

    pub(crate) fn get_arc(&self, id: &str) -> Option<&Arc<Record>> {
        let kind = self.kind_of.get(id)?;
        self.kinds.get(kind)?.get(id)
    }

    pub(crate) fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Arc<Record>> + 'a {
        self.kinds.get(kind).into_iter().flat_map(|by_id| by_id.values())
    }

    /// Every resource, shared: a listing takes this under the lock and reads it after releasing it.
    pub(crate) fn share(&self) -> Kinds {
        Arc::clone(&self.kinds)
    }

    /// Inserts or replaces a resource that is already known to be valid.
    pub(crate) fn put(&mut self, resource: Arc<Record>) {
        let id = record::id(&resource).to_string();
        let kind = record::kind(&resource).to_string();
        let previous = self.kind_of.insert(id.clone(), kind.clone());
        let kinds = Arc::make_mut(&mut self.kinds);
        if let Some(by_id) = previous.filter(|p| *p != kind).and_then(|p| kinds.get_mut(&p)) {
            Arc::make_mut(by_id).remove(&id);
        }
        Arc::make_mut(kinds.entry(kind).or_default()).insert(id, resource);
    }

    pub(crate) fn remove(&mut self, id: &str) {
        let Some(kind) = self.kind_of.remove(id) else { return };
        if let Some(by_id) = Arc::make_mut(&mut self.kinds).get_mut(&kind) {
            Arc::make_mut(by_id).remove(id);
        }
    }

    /// Sets one field of a resource, if it still exists.
    pub(crate) fn set_field(&mut self, id: &str, field: &str, value: Value) {
        let Some(kind) = self.kind_of.get(id) else { return };
        let by_id = Arc::make_mut(&mut self.kinds).get_mut(kind);
        if let Some(resource) = by_id.and_then(|by_id| Arc::make_mut(by_id).get_mut(id)) {
            Arc::make_mut(resource).insert(field.to_string(), value);
        }
    }

    pub(crate) fn serial(&self) -> u64 {
        self.serial
    }

    pub(crate) fn set_serial(&mut self, serial: u64) {
        self.serial = serial;
    }
}

/// A time as the estate writes it: RFC 3339, UTC, whole seconds.
pub(crate) fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}
