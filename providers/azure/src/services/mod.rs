//! One module per resource provider, each with `call` (its queries and actions), `read` (one record, afresh, by
//! id; `None` when it is gone) and `is_done` (whether a record already shows an action's effect).

pub(crate) mod cost;
pub(crate) mod disk;
pub(crate) mod functions;
pub(crate) mod network;
pub(crate) mod sql;
pub(crate) mod storage;
pub(crate) mod vm;

/// The service of an `azure.SERVICE.*` action, query or resource kind.
pub(crate) fn service_of(name: &str) -> Option<&str> {
    name.strip_prefix("azure.")?.split('.').next()
}
