//! Compute's lists: per zone or global (`items`), and aggregated over a project's zones and regions (`items` keyed
//! by scope, paged by resource, empty scopes carrying a `NO_RESULTS_ON_PAGE` warning).

use serde_json::{Map, Value as Json, json};

use super::{Call, put_items};
use crate::api::Api;
use crate::errors::ApiError;
use crate::estate::COMPUTE_LINK;
use crate::paging;
use crate::state::State;

/// `instances.list`, `snapshots.list`, `firewalls.list`: the resources under `collection` (a path pattern).
pub(crate) fn plain(state: &State, call: &Call, collection: &str, kind: &str) -> Result<Json, ApiError> {
    let all: Vec<Json> =
        state.estate.matching(Api::Compute, &format!("{collection}/*")).into_iter().map(|(_, r)| r).collect();
    let (items, next) = paging::page(all, &call.query, "maxResults", state.page_size)?;
    let mut list = json!({"kind": kind, "id": collection, "selfLink": format!("{COMPUTE_LINK}{collection}")});
    put_items(&mut list, "items", items);
    if let Some(token) = next {
        list["nextPageToken"] = json!(token);
    }
    Ok(list)
}

/// `instances.aggregatedList` (`field` `instances`) and `disks.aggregatedList` (`disks`, zones and regions).
pub(crate) fn aggregated(state: &mut State, call: &Call, field: &str, kind: &str) -> Result<Json, ApiError> {
    let project = call.param("project").to_string();
    let unreachable = state.faults.take_unreachable(&call.method).map(|zone| format!("zones/{zone}"));
    let mut scopes: Vec<String> = state.estate.zones.iter().map(|z| format!("zones/{z}")).collect();
    if field == "disks" {
        scopes.extend(state.estate.regions().iter().map(|r| format!("regions/{r}")));
    }
    let mut found = Vec::new();
    for pattern in ["zones/*", "regions/*"] {
        for (path, resource) in state.estate.matching(Api::Compute, &format!("projects/{project}/{pattern}/{field}/*"))
        {
            let scope = path.split('/').skip(2).take(2).collect::<Vec<_>>().join("/");
            if !scopes.contains(&scope) {
                scopes.push(scope.clone());
            }
            if unreachable.as_ref() != Some(&scope) {
                found.push((scope, resource));
            }
        }
    }
    if let Some(scope) = &unreachable
        && !scopes.contains(scope)
    {
        scopes.push(scope.clone());
    }
    // Pages run through the scopes in the order they are listed (zones as the estate names them, then regions).
    found.sort_by_key(|(scope, _)| scopes.iter().position(|s| s == scope));
    let (page, next) = paging::page(found, &call.query, "maxResults", state.page_size)?;
    let mut items = Map::new();
    for scope in &scopes {
        let resources: Vec<Json> = page.iter().filter(|(s, _)| s == scope).map(|(_, r)| r.clone()).collect();
        let entry = if unreachable.as_ref() == Some(scope) {
            json!({"warning": warning("UNREACHABLE", &format!("Scope '{scope}' is unreachable."), scope)})
        } else if resources.is_empty() {
            let message = format!("There are no results for scope '{scope}' on this page.");
            json!({"warning": warning("NO_RESULTS_ON_PAGE", &message, scope)})
        } else {
            json!({ field: resources })
        };
        items.insert(scope.clone(), entry);
    }
    let mut list = json!({
        "kind": kind,
        "id": format!("projects/{project}/aggregated/{field}"),
        "items": items,
        "selfLink": format!("{COMPUTE_LINK}projects/{project}/aggregated/{field}"),
    });
    if let Some(token) = next {
        list["nextPageToken"] = json!(token);
    }
    if let Some(scope) = unreachable {
        list["unreachables"] = json!([scope]);
    }
    Ok(list)
}

fn warning(code: &str, message: &str, scope: &str) -> Json {
    json!({"code": code, "message": message, "data": [{"key": "scope", "value": scope}]})
}
