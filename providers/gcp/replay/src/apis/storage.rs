//! Cloud Storage JSON API v1: buckets (list, get, patch with metageneration preconditions) and their IAM policies.

use serde_json::{Value as Json, json};

use super::{Call, merge_patch, put_items};
use crate::api::Api;
use crate::errors::ApiError;
use crate::estate::{bucket_etag, policy_etag, region_of};
use crate::paging;
use crate::state::State;

/// Bucket fields a patch cannot change; Cloud Storage ignores them in a body.
const READ_ONLY: [&str; 10] = [
    "kind",
    "id",
    "name",
    "selfLink",
    "projectNumber",
    "metageneration",
    "generation",
    "etag",
    "timeCreated",
    "updated",
];

/// Members that make a bucket public.
const PUBLIC: [&str; 2] = ["allUsers", "allAuthenticatedUsers"];

pub(super) fn handle(state: &mut State, call: &Call) -> Option<Result<Json, ApiError>> {
    let path = format!("b/{}", call.param("bucket"));
    Some(match call.method.as_str() {
        "storage.buckets.list" => list(state, call),
        "storage.buckets.get" => read(state, call, &path),
        "storage.buckets.patch" => patch(state, call, &path),
        "storage.buckets.getIamPolicy" => {
            read(state, call, &path).and_then(|_| policy(state, &path).ok_or_else(|| not_found(&path)))
        }
        "storage.buckets.setIamPolicy" => set_policy(state, call, &path),
        _ => return None,
    })
}

fn not_found(_path: &str) -> ApiError {
    ApiError::new(404, "notFound", "The specified bucket does not exist.")
}

fn policy(state: &State, path: &str) -> Option<Json> {
    state.estate.get(Api::Storage, &format!("{path}/iam")).cloned()
}

fn metageneration(bucket: &Json) -> u64 {
    bucket["metageneration"].as_str().and_then(|m| m.parse().ok()).unwrap_or(1)
}

/// The bucket, if the request's `ifMetagenerationMatch` (when given) holds.
fn read(state: &State, call: &Call, path: &str) -> Result<Json, ApiError> {
    let bucket = state.estate.get(Api::Storage, path).cloned().ok_or_else(|| not_found(path))?;
    if let Some(expected) = call.query("ifMetagenerationMatch")
        && expected != metageneration(&bucket).to_string()
    {
        return Err(ApiError::condition_not_met("At least one of the pre-conditions you specified did not hold."));
    }
    Ok(bucket)
}

fn list(state: &mut State, call: &Call) -> Result<Json, ApiError> {
    let number = state.estate.project_number(call.query("project").unwrap_or_default());
    let prefix = call.query("prefix").unwrap_or_default();
    let unreachable_region = state.faults.take_unreachable(&call.method).map(|zone| region_of(&zone));
    let mut unreachable = Vec::new();
    let mut all = Vec::new();
    for (_, bucket) in state.estate.matching(Api::Storage, "b/*") {
        let name = bucket["name"].as_str().unwrap_or_default().to_string();
        if bucket["projectNumber"].as_str() != Some(number.as_str()) || !name.starts_with(prefix) {
            continue;
        }
        let location = bucket["location"].as_str().unwrap_or_default().to_ascii_lowercase();
        if unreachable_region.as_deref() == Some(location.as_str()) {
            unreachable.push(json!(format!("projects/_/buckets/{name}")));
        } else {
            all.push(bucket);
        }
    }
    let (items, next) = paging::page(all, &call.query, "maxResults", state.page_size)?;
    let mut answer = json!({"kind": "storage#buckets"});
    put_items(&mut answer, "items", items);
    put_items(&mut answer, "unreachable", unreachable);
    if let Some(token) = next {
        answer["nextPageToken"] = json!(token);
    }
    Ok(answer)
}

/// `buckets.patch`: the body merges into the bucket (a `null` label deletes it); `metageneration` moves on.
fn patch(state: &mut State, call: &Call, path: &str) -> Result<Json, ApiError> {
    read(state, call, path)?;
    let prevention = call.body.pointer("/iamConfiguration/publicAccessPrevention").and_then(Json::as_str);
    if let Some(value) = prevention
        && value != "enforced"
        && value != "inherited"
    {
        return Err(ApiError::invalid(format!("Invalid value for publicAccessPrevention: '{value}'")));
    }
    let mut body = call.body.clone();
    if let Some(fields) = body.as_object_mut() {
        fields.retain(|key, _| !READ_ONLY.contains(&key.as_str()));
    }
    let now = state.now();
    let bucket = state.estate.get_mut(Api::Storage, path).ok_or_else(|| not_found(path))?;
    merge_patch(bucket, &body);
    let next = metageneration(bucket) + 1;
    bucket["metageneration"] = json!(next.to_string());
    bucket["etag"] = json!(bucket_etag(next));
    bucket["updated"] = json!(now);
    Ok(bucket.clone())
}

/// `buckets.setIamPolicy`: replaces the bindings, if the sent `etag` (when given) is the current one. Public
/// members are refused while public access prevention is enforced.
fn set_policy(state: &mut State, call: &Call, path: &str) -> Result<Json, ApiError> {
    let bucket = read(state, call, path)?;
    let current = policy(state, path).unwrap_or_else(|| json!({"etag": policy_etag(1)}));
    if let Some(sent) = call.body["etag"].as_str()
        && Some(sent) != current["etag"].as_str()
    {
        return Err(ApiError::condition_not_met("The policy's etag does not match the current one."));
    }
    let bindings = call.body.get("bindings").cloned().unwrap_or_else(|| json!([]));
    let public = bindings
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["members"].as_array().into_iter().flatten())
        .any(|m| m.as_str().is_some_and(|m| PUBLIC.contains(&m)));
    if public && bucket.pointer("/iamConfiguration/publicAccessPrevention").and_then(Json::as_str) == Some("enforced") {
        return Err(ApiError::condition_not_met(
            "The member bindings allUsers and allAuthenticatedUsers are not allowed since public access prevention is enforced.",
        ));
    }
    // Any etag the policy has not had before will do: the sequence every fake name comes from (the estate's are 1).
    let revision = state.next_number() + 1;
    let policy = json!({
        "kind": "storage#policy",
        "resourceId": format!("projects/_/buckets/{}", call.param("bucket")),
        "version": call.body.get("version").cloned().unwrap_or(json!(1)),
        "etag": policy_etag(revision),
        "bindings": bindings,
    });
    state.estate.insert(Api::Storage, &format!("{path}/iam"), policy.clone());
    Ok(policy)
}
