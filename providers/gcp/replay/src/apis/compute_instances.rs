//! Compute Engine instances' mutations: start, stop, reset, delete, setMachineType, setLabels. Each answers an
//! operation; a transient status (STOPPING, STAGING) shows at once, the effect lands when the operation is done.

use serde_json::{Value as Json, json};

use super::compute::read;
use super::{Call, merge_patch};
use crate::api::Api;
use crate::errors::ApiError;
use crate::estate::{COMPUTE_LINK, label_fingerprint, machine_type_link};
use crate::operations::{self, Effect, Scope};
use crate::state::State;

fn not_ready(path: &str) -> ApiError {
    ApiError::new(400, "resourceNotReady", format!("The resource '{path}' is not ready"))
}

pub(super) fn instance_action(state: &mut State, call: &Call) -> Result<(String, Json), ApiError> {
    let (project, zone) = (call.param("project"), call.param("zone"));
    let path = format!("projects/{project}/zones/{zone}/instances/{}", call.param("instance"));
    let instance = read(state, &path)?;
    let status = instance["status"].as_str().unwrap_or_default().to_string();
    let verb = call.method.rsplit('.').next().unwrap_or_default().to_string();
    let mut change = json!({});
    match verb.as_str() {
        "setMachineType" => {
            if status != "TERMINATED" {
                return Err(not_ready(&path));
            }
            let wanted = call.body["machineType"].as_str().unwrap_or_default();
            let Some(name) = wanted.rsplit('/').next().filter(|n| !n.is_empty()) else {
                return Err(ApiError::new(400, "required", "Required field 'machineType' not specified"));
            };
            change["machineType"] = json!(machine_type_link(project, zone, name));
        }
        "setLabels" => {
            let Some(sent) = call.body["labelFingerprint"].as_str() else {
                return Err(ApiError::new(400, "required", "Required field 'labelFingerprint' not specified"));
            };
            if Some(sent) != instance["labelFingerprint"].as_str() {
                return Err(ApiError::condition_not_met(
                    "Labels fingerprint either invalid or resource labels have changed",
                ));
            }
            let labels = call.body.get("labels").cloned().unwrap_or_else(|| json!({}));
            change["labelFingerprint"] = json!(label_fingerprint(&labels));
            change["labels"] = if labels.as_object().is_some_and(|l| l.is_empty()) { Json::Null } else { labels };
        }
        "reset" if status != "RUNNING" => return Err(not_ready(&path)),
        _ => {}
    }
    let failure = state.faults.take_operation_error(&call.method);
    let transient = match (verb.as_str(), status.as_str()) {
        ("stop" | "delete", "RUNNING") => Some("STOPPING"),
        ("start", "TERMINATED") => Some("STAGING"),
        _ => None,
    };
    if let (None, Some(transient), Some(stored)) = (&failure, transient, state.estate.get_mut(Api::Compute, &path)) {
        stored["status"] = json!(transient);
    }
    let target = path.clone();
    let effect: Effect = Box::new(move |state| {
        let now = state.now();
        if verb == "delete" {
            delete_instance(state, &target);
            return Ok(None);
        }
        let Some(stored) = state.estate.get_mut(Api::Compute, &target) else {
            return Err(("RESOURCE_NOT_FOUND".into(), format!("The resource '{target}' was not found")));
        };
        match verb.as_str() {
            "stop" => {
                stored["status"] = json!("TERMINATED");
                stored["lastStopTimestamp"] = json!(now);
            }
            "start" => {
                stored["status"] = json!("RUNNING");
                stored["lastStartTimestamp"] = json!(now);
            }
            _ => merge_patch(stored, &change),
        }
        Ok(None)
    });
    Ok(operations::start_compute(state, project, Scope::Zone(zone.into()), call.method_name(), &path, failure, effect))
}

/// Removes the instance, its auto-delete disks, and it from the other disks' `users`.
fn delete_instance(state: &mut State, path: &str) {
    let Some(instance) = state.estate.remove(Api::Compute, path) else { return };
    let link = format!("{COMPUTE_LINK}{path}");
    for attached in instance["disks"].as_array().into_iter().flatten() {
        let source = attached["source"].as_str().unwrap_or_default().trim_start_matches(COMPUTE_LINK).to_string();
        if attached["autoDelete"] == json!(true) {
            state.estate.remove(Api::Compute, &source);
        } else if let Some(disk) = state.estate.get_mut(Api::Compute, &source)
            && let Some(users) = disk.get_mut("users").and_then(Json::as_array_mut)
        {
            users.retain(|u| u.as_str() != Some(link.as_str()));
        }
    }
}
