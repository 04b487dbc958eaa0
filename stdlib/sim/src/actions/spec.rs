//! How an action is described: the kind of resource it acts on, what to do when a target no longer exists,
//! and the function that applies it to one target.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::txn::Txn;
use crate::record::{self, Record};
use escher_runtime::provider::args::Args;

/// What applying an action did to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Changed,
    /// Already in the desired state: the cloud accepted the call and changed nothing.
    Unchanged,
}

/// Why an action did not apply.
pub(crate) enum Refused {
    /// The cloud refused this target (a 4xx for it); the batch goes on.
    Target(String),
    /// The whole call is wrong (its arguments); nothing in the batch applies.
    Call(ProviderError),
}

impl From<ProviderError> for Refused {
    fn from(error: ProviderError) -> Self {
        Refused::Call(error)
    }
}

pub(crate) type Applied = Result<Change, Refused>;

pub(crate) type ApplyFn = fn(&mut Txn, &Args, &Record) -> Applied;

/// What to do with a target that does not exist (any more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Absent {
    /// The cloud answers "not found".
    Fail,
    /// A removal whose target is already gone: the desired state holds, so it is unchanged. (AWS and GCP answer
    /// NotFound, Azure 204; counting it done is what makes a retried or resumed removal safe.)
    Done,
    /// The action creates its target from the record given (putting back a revoked rule).
    Create,
}

pub(crate) struct ActionSpec {
    pub name: &'static str,
    /// The resource kind the action's targets are.
    pub kind: &'static str,
    pub absent: Absent,
    pub apply: ApplyFn,
}

impl ActionSpec {
    pub(crate) const fn new(name: &'static str, kind: &'static str, apply: ApplyFn) -> Self {
        ActionSpec { name, kind, absent: Absent::Fail, apply }
    }

    pub(crate) const fn removal(name: &'static str, kind: &'static str, apply: ApplyFn) -> Self {
        ActionSpec { name, kind, absent: Absent::Done, apply }
    }

    pub(crate) const fn creation(name: &'static str, kind: &'static str, apply: ApplyFn) -> Self {
        ActionSpec { name, kind, absent: Absent::Create, apply }
    }
}

pub(crate) fn refuse(message: impl Into<String>) -> Applied {
    Err(Refused::Target(message.into()))
}

/// Sets fields to values; unchanged when they already have them (an absent field counts as `null`).
pub(crate) fn set_fields(txn: &mut Txn, resource: &Record, fields: &[(&str, Value)]) -> Applied {
    if fields.iter().all(|(name, value)| resource.get(*name).unwrap_or(&Value::Null) == value) {
        return Ok(Change::Unchanged);
    }
    let mut updated = resource.clone();
    for (name, value) in fields {
        updated.insert(name.to_string(), value.clone());
    }
    txn.put(updated);
    Ok(Change::Changed)
}

/// Adds or overwrites tags; unchanged when every tag already has its value.
pub(crate) fn set_tags(txn: &mut Txn, resource: &Record, tags: &BTreeMap<String, String>) -> Applied {
    let mut updated = resource.clone();
    if !record::merge_tags(&mut updated, tags) {
        return Ok(Change::Unchanged);
    }
    txn.put(updated);
    Ok(Change::Changed)
}

/// The action of the removals that check nothing first.
pub(crate) fn remove(txn: &mut Txn, _: &Args, resource: &Record) -> Applied {
    delete(txn, resource)
}

/// Removes a resource, reporting it changed.
pub(crate) fn delete(txn: &mut Txn, resource: &Record) -> Applied {
    txn.remove(record::id(resource));
    Ok(Change::Changed)
}

/// The state, for matching on.
pub(crate) fn state(resource: &Record) -> &str {
    record::field(resource, "state")
}

/// A resource record given to be created (a rule put back), checked as a loaded resource is.
pub(crate) fn check_given(txn: &Txn, resource: &Record) -> Result<Record, Refused> {
    let mut resource = resource.clone();
    crate::estate::validate::normalize(&mut resource, txn.accounts()).map_err(|problems| {
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Refused::Target(format!("cannot create it from this record: {}", problems.join("; ")))
    })?;
    Ok(resource)
}
