//! Cloud SQL Admin v1: instances, on-demand backups and operations. A second mutation while an operation on the
//! same instance is running answers 409 `operationInProgress`, as Cloud SQL does.

use serde_json::{Value as Json, json};

use super::{Call, merge_patch, put_items};
use crate::api::Api;
use crate::errors::ApiError;
use crate::estate::backup_run;
use crate::ids;
use crate::operations::{self, Effect};
use crate::paging;
use crate::state::State;

pub(super) fn handle(state: &mut State, call: &Call) -> Option<Result<Json, ApiError>> {
    let project = call.param("project");
    let path = format!("projects/{project}/instances/{}", call.param("instance"));
    Some(match call.method.as_str() {
        "sql.instances.list" => list(state, call),
        "sql.instances.get" => read(state, &path),
        "sql.instances.patch" => patch(state, call, &path),
        "sql.instances.restart" => restart(state, call, &path),
        "sql.instances.delete" => delete(state, call, &path),
        "sql.backupRuns.insert" => backup(state, call, &path),
        "sql.backupRuns.list" => backups(state, call, &path),
        "sql.operations.get" => {
            let key = format!("projects/{project}/operations/{}", call.param("operation"));
            operations::poll(state, Api::SqlAdmin, &key).ok_or_else(|| {
                ApiError::new(404, "operationDoesNotExist", format!("The Cloud SQL operation '{key}' does not exist."))
            })
        }
        _ => return None,
    })
}

fn read(state: &State, path: &str) -> Result<Json, ApiError> {
    state
        .estate
        .get(Api::SqlAdmin, path)
        .cloned()
        .ok_or_else(|| ApiError::new(404, "instanceDoesNotExist", "The Cloud SQL instance does not exist."))
}

fn list(state: &State, call: &Call) -> Result<Json, ApiError> {
    let pattern = format!("projects/{}/instances/*", call.param("project"));
    let all: Vec<Json> = state.estate.matching(Api::SqlAdmin, &pattern).into_iter().map(|(_, r)| r).collect();
    let (items, next) = paging::page(all, &call.query, "maxResults", state.page_size)?;
    let mut answer = json!({"kind": "sql#instancesList"});
    put_items(&mut answer, "items", items);
    if let Some(token) = next {
        answer["nextPageToken"] = json!(token);
    }
    Ok(answer)
}

/// The instance, checked ready for a mutation: it exists and no operation on it is running.
fn ready(state: &State, path: &str) -> Result<Json, ApiError> {
    let instance = read(state, path)?;
    if operations::busy(state, Api::SqlAdmin, path) {
        return Err(ApiError::new(
            409,
            "operationInProgress",
            "Operation failed because another operation was already in progress.",
        ));
    }
    Ok(instance)
}

fn running(instance: &Json) -> bool {
    instance.pointer("/settings/activationPolicy").and_then(Json::as_str) != Some("NEVER")
}

fn invalid_state() -> ApiError {
    ApiError::new(
        400,
        "invalidState",
        "The instance or operation is not in an appropriate state to handle the request.",
    )
}

fn start(state: &mut State, call: &Call, operation_type: &str, effect: Effect) -> Json {
    let failure = state.faults.take_operation_error(&call.method);
    let (project, instance) = (call.param("project"), call.param("instance"));
    operations::start_sql(state, project, instance, operation_type, failure, effect).1
}

fn gone(path: &str) -> (String, String) {
    ("INSTANCE_NOT_FOUND".into(), format!("The Cloud SQL instance '{path}' does not exist."))
}

/// `instances.patch`: the body merges into the instance (`settings.activationPolicy` starts and stops it,
/// `settings.tier` resizes, `settings.userLabels` relabels; `null` deletes a label); `settingsVersion` moves on.
fn patch(state: &mut State, call: &Call, path: &str) -> Result<Json, ApiError> {
    let instance = ready(state, path)?;
    if let Some(name) = call.body["name"].as_str()
        && Some(name) != instance["name"].as_str()
    {
        return Err(ApiError::invalid(format!("The instance name cannot change (asked for '{name}').")));
    }
    let (patch, target) = (call.body.clone(), path.to_string());
    let effect: Effect = Box::new(move |state| {
        let Some(stored) = state.estate.get_mut(Api::SqlAdmin, &target) else { return Err(gone(&target)) };
        merge_patch(stored, &patch);
        let version = stored.pointer("/settings/settingsVersion").and_then(Json::as_str).unwrap_or("0");
        let version = version.parse::<u64>().unwrap_or(0) + 1;
        stored["settings"]["settingsVersion"] = json!(version.to_string());
        stored["etag"] = json!(ids::fingerprint(&format!("{target}/{version}")));
        Ok(None)
    });
    Ok(start(state, call, "UPDATE", effect))
}

fn restart(state: &mut State, call: &Call, path: &str) -> Result<Json, ApiError> {
    if !running(&ready(state, path)?) {
        return Err(invalid_state());
    }
    let target = path.to_string();
    let effect: Effect =
        Box::new(
            move |state| if state.estate.get(Api::SqlAdmin, &target).is_some() { Ok(None) } else { Err(gone(&target)) },
        );
    Ok(start(state, call, "RESTART", effect))
}

fn delete(state: &mut State, call: &Call, path: &str) -> Result<Json, ApiError> {
    ready(state, path)?;
    let target = path.to_string();
    let effect: Effect = Box::new(move |state| {
        state.estate.remove(Api::SqlAdmin, &target);
        for (backup, _) in state.estate.matching(Api::SqlAdmin, &format!("{target}/backupRuns/*")) {
            state.estate.remove(Api::SqlAdmin, &backup);
        }
        Ok(None)
    });
    Ok(start(state, call, "DELETE", effect))
}

/// `backupRuns.insert`: an on-demand backup, listed by `backupRuns.list` once the operation is done.
fn backup(state: &mut State, call: &Call, path: &str) -> Result<Json, ApiError> {
    if !running(&ready(state, path)?) {
        return Err(invalid_state());
    }
    let (target, project, instance) =
        (path.to_string(), call.param("project").to_string(), call.param("instance").to_string());
    let description = call.body["description"].as_str().unwrap_or_default().to_string();
    let effect: Effect = Box::new(move |state| {
        if state.estate.get(Api::SqlAdmin, &target).is_none() {
            return Err(gone(&target));
        }
        let id = (1_796_126_400_000 + state.next_number()).to_string();
        let at = state.now();
        let run = backup_run(&project, &instance, &id, &description, &at);
        state.estate.insert(Api::SqlAdmin, &format!("{target}/backupRuns/{id}"), run);
        Ok(None)
    });
    Ok(start(state, call, "BACKUP_VOLUME", effect))
}

/// `backupRuns.list`: newest first.
fn backups(state: &State, call: &Call, path: &str) -> Result<Json, ApiError> {
    read(state, path)?;
    let mut all: Vec<Json> =
        state.estate.matching(Api::SqlAdmin, &format!("{path}/backupRuns/*")).into_iter().map(|(_, r)| r).collect();
    all.sort_by_key(|run| std::cmp::Reverse(run["id"].as_str().and_then(|id| id.parse::<u64>().ok())));
    let (items, next) = paging::page(all, &call.query, "maxResults", state.page_size)?;
    let mut answer = json!({"kind": "sql#backupRunsList"});
    put_items(&mut answer, "items", items);
    if let Some(token) = next {
        answer["nextPageToken"] = json!(token);
    }
    Ok(answer)
}
