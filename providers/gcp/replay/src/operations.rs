//! Operations: what a mutation answers, and what makes its effect land. Each poll (`get` or `wait`) counts; after
//! [`crate::Replay::set_operation_polls`] polls that answer not-done, the next one applies the effect (or the
//! injected error) and answers DONE. Three shapes: Compute's `compute#operation`, Cloud SQL's `sql#operation`, and
//! `google.longrunning.Operation` for Cloud Functions.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::api::Api;
use crate::errors::rpc_code;
use crate::estate::COMPUTE_LINK;
use crate::ids;
use crate::state::State;

/// The error an operation ends with: (code, message).
pub(crate) type Failure = (String, String);

/// What lands when the operation is done. It may still fail (the target went away meanwhile); for a long-running
/// operation it returns the `response`.
pub(crate) type Effect = Box<dyn FnOnce(&mut State) -> Result<Option<Json>, Failure> + Send>;

/// The user every operation is recorded as started by.
const USER: &str = "replay@acme-dev.iam.gserviceaccount.com";

#[derive(Default)]
pub(crate) struct Operations {
    by_key: BTreeMap<(Api, String), Operation>,
}

struct Operation {
    json: Json,
    shape: Shape,
    polls: usize,
    done: bool,
    effect: Option<Effect>,
    failure: Option<Failure>,
    /// The resource it changes (Cloud SQL refuses a second operation on a busy instance).
    target: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Compute,
    Sql,
    LongRunning,
}

/// Where a Compute operation lives.
pub(crate) enum Scope {
    Zone(String),
    Region(String),
    Global,
}

/// A Compute operation of `operation_type` on the resource at `target` (a path), started now. Returns the key it
/// is polled by (`projects/P/zones/Z/operations/NAME`) and its first answer (PENDING).
pub(crate) fn start_compute(
    state: &mut State,
    project: &str,
    scope: Scope,
    operation_type: &str,
    target: &str,
    failure: Option<Failure>,
    effect: Effect,
) -> (String, Json) {
    let name = format!("operation-{:04}", state.next_number());
    let (scope_path, scope_field) = match &scope {
        Scope::Zone(zone) => (format!("zones/{zone}"), Some(("zone", format!("zones/{zone}")))),
        Scope::Region(region) => (format!("regions/{region}"), Some(("region", format!("regions/{region}")))),
        Scope::Global => ("global".to_string(), None),
    };
    let key = format!("projects/{project}/{scope_path}/operations/{name}");
    let mut json = json!({
        "kind": "compute#operation",
        "id": ids::numeric_id(&key),
        "name": name,
        "operationType": operation_type,
        "targetLink": format!("{COMPUTE_LINK}{target}"),
        "targetId": ids::numeric_id(target),
        "status": "PENDING",
        "user": USER,
        "progress": 0,
        "insertTime": state.now(),
        "selfLink": format!("{COMPUTE_LINK}{key}"),
    });
    if let Some((field, path)) = scope_field {
        json[field] = json!(format!("{COMPUTE_LINK}projects/{project}/{path}"));
    }
    insert(state, Api::Compute, &key, Shape::Compute, json, target, failure, effect)
}

/// A Cloud SQL operation of `operation_type` (`UPDATE`, `RESTART`, `DELETE`, `BACKUP_VOLUME`) on an instance.
pub(crate) fn start_sql(
    state: &mut State,
    project: &str,
    instance: &str,
    operation_type: &str,
    failure: Option<Failure>,
    effect: Effect,
) -> (String, Json) {
    let number = state.next_number();
    let name = format!("00000000-0000-4000-8000-{number:012}");
    let key = format!("projects/{project}/operations/{name}");
    let target = format!("projects/{project}/instances/{instance}");
    let json = json!({
        "kind": "sql#operation",
        "name": name,
        "status": "PENDING",
        "operationType": operation_type,
        "targetId": instance,
        "targetProject": project,
        "targetLink": format!("https://sqladmin.googleapis.com/v1/{target}"),
        "selfLink": format!("https://sqladmin.googleapis.com/v1/{key}"),
        "insertTime": state.now(),
        "user": USER,
    });
    insert(state, Api::SqlAdmin, &key, Shape::Sql, json, &target, failure, effect)
}

/// A Cloud Functions long-running operation on the function named `target`. v2 names it
/// `projects/P/locations/L/operations/operation-N`, v1 `operations/operation-N`.
pub(crate) fn start_long_running(
    state: &mut State,
    version: &str,
    target: &str,
    verb: &str,
    failure: Option<Failure>,
    effect: Effect,
) -> (String, Json) {
    let number = state.next_number();
    let now = state.now();
    let (key, metadata) = if version == "v1" {
        let kind = if verb == "delete" { "DELETE_FUNCTION" } else { "UPDATE_FUNCTION" };
        (
            format!("operations/operation-{number}"),
            json!({"@type": "type.googleapis.com/google.cloud.functions.v1.OperationMetadataV1",
                   "target": target, "type": kind, "updateTime": now}),
        )
    } else {
        let location = target.split("/functions/").next().unwrap_or_default();
        (
            format!("{location}/operations/operation-{number}"),
            json!({"@type": "type.googleapis.com/google.cloud.functions.v2.OperationMetadata",
                   "createTime": now, "target": target, "verb": verb, "apiVersion": "v2"}),
        )
    };
    let json = json!({"name": key, "metadata": metadata, "done": false});
    insert(state, Api::Functions, &key, Shape::LongRunning, json, target, failure, effect)
}

#[allow(clippy::too_many_arguments)]
fn insert(
    state: &mut State,
    api: Api,
    key: &str,
    shape: Shape,
    json: Json,
    target: &str,
    failure: Option<Failure>,
    effect: Effect,
) -> (String, Json) {
    let operation = Operation {
        json: json.clone(),
        shape,
        polls: 0,
        done: false,
        effect: Some(effect),
        failure,
        target: target.into(),
    };
    state.operations.by_key.insert((api, key.to_string()), operation);
    (key.to_string(), json)
}

/// The operation at `key` as it stands, without counting a poll (a repeated `requestId`).
pub(crate) fn current(state: &State, api: Api, key: &str) -> Option<Json> {
    state.operations.by_key.get(&(api, key.to_string())).map(|op| op.json.clone())
}

/// Whether an operation on `target` is still running (Cloud SQL answers 409 `operationInProgress` then).
pub(crate) fn busy(state: &State, api: Api, target: &str) -> bool {
    state.operations.by_key.iter().any(|((a, _), op)| *a == api && !op.done && op.target == target)
}

/// One poll of the operation at `key`: not done yet, or done now (the effect lands), or done before.
pub(crate) fn poll(state: &mut State, api: Api, key: &str) -> Option<Json> {
    let id = (api, key.to_string());
    let needed = state.operation_polls;
    let now = state.now();
    let operation = state.operations.by_key.get_mut(&id)?;
    if operation.done {
        return Some(operation.json.clone());
    }
    operation.polls += 1;
    if operation.polls <= needed {
        operation.running(&now);
        return Some(operation.json.clone());
    }
    let (effect, failure) = (operation.effect.take(), operation.failure.take());
    let outcome = match (failure, effect) {
        (Some(failure), _) => Err(failure),
        (None, Some(effect)) => effect(state),
        (None, None) => Ok(None),
    };
    let operation = state.operations.by_key.get_mut(&id)?;
    operation.finish(outcome, &now);
    Some(operation.json.clone())
}

impl Operation {
    fn running(&mut self, now: &str) {
        match self.shape {
            Shape::Compute => {
                self.json["status"] = json!("RUNNING");
                self.json["progress"] = json!(50);
                self.json["startTime"] = json!(now);
            }
            Shape::Sql => {
                self.json["status"] = json!("RUNNING");
                self.json["startTime"] = json!(now);
            }
            Shape::LongRunning => {}
        }
    }

    fn finish(&mut self, outcome: Result<Option<Json>, Failure>, now: &str) {
        self.done = true;
        let json = &mut self.json;
        match self.shape {
            Shape::Compute | Shape::Sql => {
                if json.get("startTime").is_none() {
                    json["startTime"] = json!(now);
                }
                json["status"] = json!("DONE");
                json["endTime"] = json!(now);
            }
            Shape::LongRunning => json["done"] = json!(true),
        }
        if self.shape == Shape::Compute {
            json["progress"] = json!(100);
        }
        let Err((code, message)) = outcome else {
            if self.shape == Shape::LongRunning {
                let empty = json!({"@type": "type.googleapis.com/google.protobuf.Empty"});
                json["response"] = outcome.ok().flatten().unwrap_or(empty);
            }
            return;
        };
        match self.shape {
            Shape::Compute => {
                json["error"] = json!({"errors": [{"code": code, "message": message}]});
                json["httpErrorStatusCode"] = json!(400);
                json["httpErrorMessage"] = json!("BAD REQUEST");
            }
            Shape::Sql => {
                json["error"] = json!({"kind": "sql#operationErrors",
                                       "errors": [{"kind": "sql#operationError", "code": code, "message": message}]});
            }
            Shape::LongRunning => {
                let number = code.parse::<i64>().ok().or_else(|| rpc_code(&code)).unwrap_or(2);
                json["error"] = json!({"code": number, "message": message});
            }
        }
    }
}
