//! What each method does to the estate: one module per API, each a `handle` matching on the Discovery method id.
//! Requests reach them already checked against Discovery.

mod bigquery;
mod compute;
mod compute_instances;
mod compute_lists;
mod functions;
mod sql;
mod storage;

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::api::Api;
use crate::errors::ApiError;
use crate::state::State;

/// A checked request.
pub(crate) struct Call {
    pub(crate) api: Api,
    /// The Discovery document's version (`v1`, `v2`): Cloud Functions has two.
    pub(crate) version: String,
    pub(crate) method: String,
    /// Path parameters by their name in the method's `path` (`project`, `zone`, `name`, ...), decoded.
    pub(crate) params: BTreeMap<String, String>,
    pub(crate) query: BTreeMap<String, String>,
    /// `Null` when the method takes no body.
    pub(crate) body: Json,
}

impl Call {
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or_default()
    }

    /// The last part of the method id: `stop` of `compute.instances.stop`.
    pub(crate) fn method_name(&self) -> &str {
        self.method.rsplit('.').next().unwrap_or_default()
    }

    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }
}

pub(crate) fn handle(state: &mut State, call: &Call) -> Result<Json, ApiError> {
    let handled = match call.api {
        Api::Compute => compute::handle(state, call),
        Api::SqlAdmin => sql::handle(state, call),
        Api::Functions => functions::handle(state, call),
        Api::Storage => storage::handle(state, call),
        Api::BigQuery => bigquery::handle(state, call),
    };
    handled.unwrap_or_else(|| {
        let message = format!("the replay does not implement {} (it is in the Discovery subset)", call.method);
        state.violations.push(format!("replay gap: {message}"));
        Err(ApiError::new(501, "notImplemented", message))
    })
}

/// Puts `items` into a list answer under `key`, unless there are none: Google's answers leave an empty list out,
/// and a client must cope.
pub(crate) fn put_items(list: &mut Json, key: &str, items: Vec<Json>) {
    if !items.is_empty() {
        list[key] = Json::Array(items);
    }
}

/// Merges `patch` into `target` as JSON merge patch (RFC 7396): objects field by field, `null` deletes, anything
/// else replaces. Google's PATCH methods without an update mask (Cloud SQL, Storage, Compute) work this way.
pub(crate) fn merge_patch(target: &mut Json, patch: &Json) {
    let Json::Object(fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Json::Object(serde_json::Map::new());
    }
    if let Json::Object(existing) = target {
        for (key, value) in fields {
            if value.is_null() {
                existing.remove(key);
            } else {
                merge_patch(existing.entry(key.clone()).or_insert(Json::Null), value);
            }
        }
    }
}
