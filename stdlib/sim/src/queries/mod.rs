//! Queries: listings filtered the way each cloud filters, and costs and inventory computed from the estate.
//! They read a [`View`] copied (as shared pointers) under the lock, and filter after releasing it.

mod aws;
mod azure;
mod cost;
mod filter;
mod gcp;
mod inventory;

use chrono::{DateTime, Utc};
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use crate::estate::{Account, Kinds};
use crate::record::Record;
use escher_runtime::provider::args::Args;

pub(crate) type QueryFn = fn(&View, &Args) -> Result<Value, ProviderError>;

/// The estate at one instant, for reading.
pub(crate) struct View {
    pub now: DateTime<Utc>,
    pub accounts: Vec<Account>,
    pub kinds: Kinds,
}

impl View {
    pub(crate) fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Record> + 'a {
        self.kinds.get(kind).into_iter().flat_map(|by_id| by_id.values()).map(|r| r.as_ref())
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = &Record> {
        self.kinds.values().flat_map(|by_id| by_id.values()).map(|r| r.as_ref())
    }

    pub(crate) fn has_account(&self, cloud: &str, id: &str) -> bool {
        self.accounts.iter().any(|a| a.cloud == cloud && a.id == id)
    }
}

/// Records as a list value, in the order given.
pub(crate) fn list<'a>(records: impl Iterator<Item = &'a Record>) -> Value {
    Value::List(records.map(|r| Value::Record(r.clone())).collect())
}

fn registry() -> impl Iterator<Item = &'static (&'static str, QueryFn)> {
    aws::QUERIES.iter().chain(azure::QUERIES).chain(gcp::QUERIES).chain(inventory::QUERIES).chain(cost::QUERIES)
}

pub(crate) fn find(name: &str) -> Option<QueryFn> {
    registry().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

pub(crate) fn names() -> Vec<&'static str> {
    registry().map(|(n, _)| *n).collect()
}
