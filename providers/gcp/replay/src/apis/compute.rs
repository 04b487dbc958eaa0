//! Compute Engine: reads, the mutations that answer an operation, and the operations' polls.

use serde_json::Value as Json;

use super::compute_instances::instance_action;
use super::compute_lists::{aggregated, plain};
use super::{Call, merge_patch};
use crate::api::Api;
use crate::errors::ApiError;
use crate::estate::{COMPUTE_LINK, snapshot_json};
use crate::operations::{self, Effect, Scope};
use crate::state::State;

pub(super) fn handle(state: &mut State, call: &Call) -> Option<Result<Json, ApiError>> {
    let project = call.param("project");
    let zonal = |collection: &str, name: &str| {
        format!("projects/{project}/zones/{}/{collection}/{}", call.param("zone"), call.param(name))
    };
    let regional = |collection: &str, name: &str| {
        format!("projects/{project}/regions/{}/{collection}/{}", call.param("region"), call.param(name))
    };
    let global = |collection: &str, name: &str| format!("projects/{project}/global/{collection}/{}", call.param(name));
    Some(match call.method.trim_start_matches("compute.") {
        "instances.aggregatedList" => aggregated(state, call, "instances", "compute#instanceAggregatedList"),
        "disks.aggregatedList" => aggregated(state, call, "disks", "compute#diskAggregatedList"),
        "instances.list" => plain(
            state,
            call,
            &format!("projects/{project}/zones/{}/instances", call.param("zone")),
            "compute#instanceList",
        ),
        "snapshots.list" => plain(state, call, &format!("projects/{project}/global/snapshots"), "compute#snapshotList"),
        "firewalls.list" => plain(state, call, &format!("projects/{project}/global/firewalls"), "compute#firewallList"),
        "instances.get" => read(state, &zonal("instances", "instance")),
        "disks.get" => read(state, &zonal("disks", "disk")),
        "regionDisks.get" => read(state, &regional("disks", "disk")),
        "snapshots.get" => read(state, &global("snapshots", "snapshot")),
        "firewalls.get" => read(state, &global("firewalls", "firewall")),
        "instances.start"
        | "instances.stop"
        | "instances.reset"
        | "instances.delete"
        | "instances.setMachineType"
        | "instances.setLabels" => idempotent(state, call, |state| instance_action(state, call)),
        "disks.delete" => idempotent(state, call, |state| delete_disk(state, call, &zonal("disks", "disk"))),
        "regionDisks.delete" => idempotent(state, call, |state| delete_disk(state, call, &regional("disks", "disk"))),
        "disks.createSnapshot" => {
            idempotent(state, call, |state| create_snapshot(state, call, &zonal("disks", "disk")))
        }
        "regionDisks.createSnapshot" => {
            idempotent(state, call, |state| create_snapshot(state, call, &regional("disks", "disk")))
        }
        "snapshots.delete" => {
            idempotent(state, call, |state| delete_global(state, call, &global("snapshots", "snapshot")))
        }
        "firewalls.patch" => {
            idempotent(state, call, |state| patch_firewall(state, call, &global("firewalls", "firewall")))
        }
        "zoneOperations.get" | "zoneOperations.wait" => poll(state, &zonal("operations", "operation")),
        "regionOperations.get" | "regionOperations.wait" => poll(state, &regional("operations", "operation")),
        "globalOperations.get" | "globalOperations.wait" => poll(state, &global("operations", "operation")),
        _ => return None,
    })
}

pub(super) fn read(state: &State, path: &str) -> Result<Json, ApiError> {
    state.estate.get(Api::Compute, path).cloned().ok_or_else(|| ApiError::not_found(path))
}

fn poll(state: &mut State, key: &str) -> Result<Json, ApiError> {
    operations::poll(state, Api::Compute, key).ok_or_else(|| ApiError::not_found(key))
}

/// Compute's `requestId`: a repeat within the project answers the operation the first request started and does
/// nothing again. Google requires a UUID (not the zero one).
fn idempotent(
    state: &mut State,
    call: &Call,
    start: impl FnOnce(&mut State) -> Result<(String, Json), ApiError>,
) -> Result<Json, ApiError> {
    let project = call.param("project").to_string();
    let request_id = call.query("requestId").map(str::to_string);
    if let Some(id) = &request_id {
        if !is_uuid(id) {
            let message = format!("Invalid value for field 'requestId': '{id}'. The request ID must be a valid UUID.");
            state.violations.push(format!("{}: {message}", call.method));
            return Err(ApiError::invalid(message));
        }
        if let Some(key) = state.request_ids.get(&(project.clone(), id.clone()))
            && let Some(operation) = operations::current(state, Api::Compute, key)
        {
            return Ok(operation);
        }
    }
    let (key, operation) = start(state)?;
    if let Some(id) = request_id {
        state.request_ids.insert((project, id), key);
    }
    Ok(operation)
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let shape = groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12];
    shape
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
        && text.chars().any(|c| c != '0' && c != '-')
}

/// The operation's scope from a disk or snapshot path: `projects/P/zones/Z/...`, `.../regions/R/...`, `global`.
fn scope_of(path: &str) -> Scope {
    let segments: Vec<&str> = path.split('/').collect();
    match (segments.get(2), segments.get(3)) {
        (Some(&"zones"), Some(zone)) => Scope::Zone(zone.to_string()),
        (Some(&"regions"), Some(region)) => Scope::Region(region.to_string()),
        _ => Scope::Global,
    }
}

fn delete_disk(state: &mut State, call: &Call, path: &str) -> Result<(String, Json), ApiError> {
    let disk = read(state, path)?;
    if let Some(user) = disk["users"].as_array().and_then(|u| u.first()).and_then(Json::as_str) {
        return Err(ApiError::new(
            400,
            "resourceInUseByAnotherResource",
            format!("The disk resource '{path}' is already being used by '{}'", user.trim_start_matches(COMPUTE_LINK)),
        ));
    }
    delete_global(state, call, path)
}

/// Deletes the resource at `path` when the operation is done (disks and snapshots).
fn delete_global(state: &mut State, call: &Call, path: &str) -> Result<(String, Json), ApiError> {
    read(state, path)?;
    let failure = state.faults.take_operation_error(&call.method);
    let target = path.to_string();
    let effect: Effect = Box::new(move |state| {
        state.estate.remove(Api::Compute, &target);
        Ok(None)
    });
    Ok(operations::start_compute(state, call.param("project"), scope_of(path), "delete", path, failure, effect))
}

fn create_snapshot(state: &mut State, call: &Call, disk_path: &str) -> Result<(String, Json), ApiError> {
    let disk = read(state, disk_path)?;
    let project = call.param("project").to_string();
    let name = call.body["name"].as_str().unwrap_or_default().to_string();
    if !valid_name(&name) {
        return Err(ApiError::invalid(format!(
            "Invalid value for field 'resource.name': '{name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,61}}[a-z0-9])?)'"
        )));
    }
    let snapshot_path = format!("projects/{project}/global/snapshots/{name}");
    if state.estate.get(Api::Compute, &snapshot_path).is_some() {
        return Err(ApiError::new(409, "alreadyExists", format!("The resource '{snapshot_path}' already exists"))
            .with_status("ALREADY_EXISTS"));
    }
    let failure = state.faults.take_operation_error(&call.method);
    let (body, source) = (call.body.clone(), disk_path.to_string());
    let size = disk["sizeGb"].as_str().unwrap_or("10").to_string();
    let effect: Effect = Box::new(move |state| {
        let clock = state.tick();
        let description = body["description"].as_str().unwrap_or_default();
        let labels: Vec<(String, String)> = body["labels"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut snapshot = snapshot_json(&project, &name, &source, &size, &labels, description, clock);
        if let Some(locations) = body.get("storageLocations") {
            snapshot["storageLocations"] = locations.clone();
        }
        state.estate.insert(Api::Compute, &format!("projects/{project}/global/snapshots/{name}"), snapshot);
        Ok(None)
    });
    Ok(operations::start_compute(
        state,
        call.param("project"),
        scope_of(disk_path),
        "createSnapshot",
        disk_path,
        failure,
        effect,
    ))
}

fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !name.is_empty()
        && name.len() <= 63
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !name.ends_with('-')
}

fn patch_firewall(state: &mut State, call: &Call, path: &str) -> Result<(String, Json), ApiError> {
    let firewall = read(state, path)?;
    if let Some(name) = call.body["name"].as_str()
        && Some(name) != firewall["name"].as_str()
    {
        return Err(ApiError::invalid(format!(
            "Invalid value for field 'resource.name': '{name}'. The name cannot change."
        )));
    }
    let failure = state.faults.take_operation_error(&call.method);
    let (patch, target) = (call.body.clone(), path.to_string());
    let effect: Effect = Box::new(move |state| match state.estate.get_mut(Api::Compute, &target) {
        Some(stored) => {
            merge_patch(stored, &patch);
            Ok(None)
        }
        None => Err(("RESOURCE_NOT_FOUND".into(), format!("The resource '{target}' was not found"))),
    });
    Ok(operations::start_compute(state, call.param("project"), Scope::Global, "patch", path, failure, effect))
}
