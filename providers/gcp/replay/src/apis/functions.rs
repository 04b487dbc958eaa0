//! Cloud Functions v2 and v1, two views of the same stored functions. v2 lists both generations and changes only
//! 2nd gen ones (a 1st gen function answers 400 FAILED_PRECONDITION); v1 sees only 1st gen ones. `patch` applies
//! exactly the fields its `updateMask` names.

use serde_json::{Value as Json, json};

use super::{Call, put_items};
use crate::api::Api;
use crate::discovery::discovery;
use crate::errors::ApiError;
use crate::estate::{region_of, v1_view, v1_visible};
use crate::operations::{self, Effect};
use crate::paging;
use crate::schema::has_field;
use crate::state::State;

/// v1's update mask paths and the stored (v2) fields they change.
const V1_MASK: [(&str, &str); 4] = [
    ("labels", "labels"),
    ("maxInstances", "serviceConfig.maxInstanceCount"),
    ("minInstances", "serviceConfig.minInstanceCount"),
    ("description", "description"),
];

pub(super) fn handle(state: &mut State, call: &Call) -> Option<Result<Json, ApiError>> {
    let name = call.param("name").to_string();
    Some(match call.method.trim_start_matches("cloudfunctions.") {
        "projects.locations.functions.list" => list(state, call),
        "projects.locations.functions.get" => read(state, call, &name).map(|f| view(state, call, &name, &f)),
        "projects.locations.functions.patch" => patch(state, call, &name),
        "projects.locations.functions.delete" => delete(state, call, &name),
        "projects.locations.operations.get" | "operations.get" => {
            operations::poll(state, Api::Functions, &name).ok_or_else(|| not_found(&name))
        }
        _ => return None,
    })
}

fn not_found(name: &str) -> ApiError {
    ApiError::new(404, "notFound", format!("Resource '{name}' was not found"))
}

/// The stored function `name`, if this version of the API sees it.
fn read(state: &State, call: &Call, name: &str) -> Result<Json, ApiError> {
    let function = state.estate.get(Api::Functions, name).ok_or_else(|| not_found(name))?;
    if call.version == "v1" && !v1_visible(function) {
        return Err(not_found(name));
    }
    Ok(function.clone())
}

fn view(state: &State, call: &Call, name: &str, function: &Json) -> Json {
    if call.version == "v1" {
        v1_view(function, state.function_updates.get(name).copied().unwrap_or(0) + 1)
    } else {
        function.clone()
    }
}

fn list(state: &mut State, call: &Call) -> Result<Json, ApiError> {
    let parent = call.param("parent").to_string();
    let (project, location) = parent
        .strip_prefix("projects/")
        .and_then(|rest| rest.split_once("/locations/"))
        .ok_or_else(|| ApiError::invalid(format!("Invalid parent '{parent}'")))?;
    // `-` stands for every location.
    let location = if location == "-" { "*" } else { location };
    let unreachable = state.faults.take_unreachable(&call.method).map(|zone| region_of(&zone));
    let all: Vec<Json> = state
        .estate
        .matching(Api::Functions, &format!("projects/{project}/locations/{location}/functions/*"))
        .into_iter()
        .filter(|(_, f)| call.version != "v1" || v1_visible(f))
        .filter(|(path, _)| unreachable.as_ref().is_none_or(|r| !path.contains(&format!("/locations/{r}/"))))
        .map(|(path, f)| view(state, call, &path, &f))
        .collect();
    let (functions, next) = paging::page(all, &call.query, "pageSize", state.page_size)?;
    let mut answer = json!({});
    put_items(&mut answer, "functions", functions);
    if let Some(token) = next {
        answer["nextPageToken"] = json!(token);
    }
    if let Some(region) = unreachable {
        answer["unreachable"] = json!([format!("projects/{project}/locations/{region}")]);
    }
    Ok(answer)
}

/// The stored (v2) field paths the request's `updateMask` names.
fn mask(state: &mut State, call: &Call) -> Result<Vec<String>, ApiError> {
    let Some(mask) = call.query("updateMask").filter(|m| !m.is_empty()) else {
        let message = format!("{}: no updateMask: Google would replace every field of the function", call.method);
        state.violations.push(message.clone());
        return Err(ApiError::invalid(message));
    };
    let document = discovery().document(Api::Functions, "v2").ok_or_else(|| ApiError::invalid("no v2 document"))?;
    let mut paths = Vec::new();
    for path in mask.split(',').map(str::trim) {
        let stored = if call.version == "v1" {
            match V1_MASK.iter().find(|(v1, _)| *v1 == path) {
                Some((_, v2)) => v2.to_string(),
                None => {
                    state.violations.push(format!("replay gap: v1 updateMask path `{path}` is not modelled"));
                    return Err(ApiError::invalid(format!("The replay does not model updateMask path '{path}'")));
                }
            }
        } else {
            path.to_string()
        };
        if !has_field(document, "Function", &stored) {
            return Err(ApiError::invalid(format!("Invalid field mask path '{path}'")));
        }
        paths.push(stored);
    }
    Ok(paths)
}

fn patch(state: &mut State, call: &Call, name: &str) -> Result<Json, ApiError> {
    let function = read(state, call, name)?;
    if call.version == "v2" && v1_visible(&function) {
        return Err(ApiError::new(
            400,
            "failedPrecondition",
            "1st gen functions cannot be updated with the v2 API: use the Cloud Functions v1 API",
        )
        .with_status("FAILED_PRECONDITION"));
    }
    let paths = mask(state, call)?;
    // v1's body names fields v1's way; read each masked value from it under the v1 name.
    let body = if call.version == "v1" { v1_body_as_v2(&call.body) } else { call.body.clone() };
    let failure = state.faults.take_operation_error(&call.method);
    if failure.is_none()
        && let Some(stored) = state.estate.get_mut(Api::Functions, name)
    {
        stored["state"] = json!("DEPLOYING");
    }
    let (target, version) = (name.to_string(), call.version.clone());
    let effect: Effect = Box::new(move |state| {
        let now = state.now();
        let Some(stored) = state.estate.get_mut(Api::Functions, &target) else {
            return Err(("NOT_FOUND".into(), format!("Resource '{target}' was not found")));
        };
        for path in &paths {
            copy_field(&body, stored, path);
        }
        stored["state"] = json!("ACTIVE");
        stored["updateTime"] = json!(now);
        let stored = stored.clone();
        let updates = state.function_updates.entry(target.clone()).or_insert(0);
        *updates += 1;
        Ok(Some(typed_response(&version, &stored, *updates + 1)))
    });
    Ok(operations::start_long_running(state, &call.version, name, "update", failure, effect).1)
}

fn delete(state: &mut State, call: &Call, name: &str) -> Result<Json, ApiError> {
    read(state, call, name)?;
    let failure = state.faults.take_operation_error(&call.method);
    let target = name.to_string();
    let effect: Effect = Box::new(move |state| {
        state.estate.remove(Api::Functions, &target);
        Ok(None)
    });
    Ok(operations::start_long_running(state, &call.version, name, "delete", failure, effect).1)
}

/// The operation's `response`: the function in the version's form, with its `@type`.
fn typed_response(version: &str, function: &Json, v1_version: u64) -> Json {
    let (mut response, kind) = if version == "v1" {
        (v1_view(function, v1_version), "type.googleapis.com/google.cloud.functions.v1.CloudFunction")
    } else {
        (function.clone(), "type.googleapis.com/google.cloud.functions.v2.Function")
    };
    response["@type"] = json!(kind);
    response
}

/// A v1 `CloudFunction` body with the fields v1 can change moved to where v2 keeps them.
fn v1_body_as_v2(body: &Json) -> Json {
    let mut v2 = json!({});
    for (v1, stored) in V1_MASK {
        if let Some(value) = body.get(v1) {
            set_field(&mut v2, stored, Some(value.clone()));
        }
    }
    v2
}

/// Sets `to`'s field at the dotted `path` to `from`'s (removing it when `from` has none).
fn copy_field(from: &Json, to: &mut Json, path: &str) {
    let value = path.split('.').try_fold(from, |json, key| json.get(key)).filter(|v| !v.is_null()).cloned();
    set_field(to, path, value);
}

fn set_field(to: &mut Json, path: &str, value: Option<Json>) {
    let mut keys: Vec<&str> = path.split('.').collect();
    let Some(last) = keys.pop() else { return };
    let mut node = to;
    for key in keys {
        if !node[key].is_object() {
            node[key] = json!({});
        }
        node = &mut node[key];
    }
    match (value, node.as_object_mut()) {
        (Some(value), Some(object)) => {
            object.insert(last.to_string(), value);
        }
        (None, Some(object)) => {
            object.remove(last);
        }
        _ => {}
    }
}
