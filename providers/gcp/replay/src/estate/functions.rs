//! Cloud Functions, stored in v2's `Function` form; v1's `CloudFunction` is a view of a 1st gen one.

use serde_json::{Value as Json, json};

use super::{label_map, region_of};

#[allow(clippy::too_many_arguments)]
pub(crate) fn function(
    project: &str,
    project_number: &str,
    location: &str,
    name: &str,
    environment: &str,
    runtime: &str,
    max_instances: i64,
    labels: &[(&str, &str)],
) -> Json {
    let full = format!("projects/{project}/locations/{location}/functions/{name}");
    let url = if environment == "GEN_1" {
        format!("https://{location}-{project}.cloudfunctions.net/{name}")
    } else {
        format!("https://{name}-{project_number}.{}.run.app", region_of(location))
    };
    let mut function = json!({
        "name": full,
        "environment": environment,
        "state": "ACTIVE",
        "buildConfig": {
            "runtime": runtime,
            "entryPoint": "handler",
            "dockerRegistry": "ARTIFACT_REGISTRY",
        },
        "serviceConfig": {
            "service": format!("projects/{project}/locations/{location}/services/{name}"),
            "timeoutSeconds": 60,
            "maxInstanceCount": max_instances,
            "ingressSettings": "ALLOW_ALL",
            "uri": url,
            "serviceAccountEmail": format!("{project_number}-compute@developer.gserviceaccount.com"),
            "availableMemory": "256M",
            "allTrafficOnLatestRevision": true,
            "revision": format!("{name}-00001-rep"),
        },
        "updateTime": "2026-01-05T17:00:00.000Z",
        "url": url,
    });
    if !labels.is_empty() {
        function["labels"] = label_map(labels);
    }
    function
}

/// Whether v1 serves the function: only 1st gen ones.
pub(crate) fn v1_visible(function: &Json) -> bool {
    function.get("environment").and_then(Json::as_str) == Some("GEN_1")
}

/// v1's `CloudFunction` view of a stored function; `version` is its `versionId` (updates so far, plus one).
pub(crate) fn v1_view(function: &Json, version: u64) -> Json {
    let service = &function["serviceConfig"];
    let mut view = json!({
        "name": function["name"],
        "status": if function["state"] == "ACTIVE" { "ACTIVE" } else { "UNKNOWN" },
        "runtime": function["buildConfig"]["runtime"],
        "entryPoint": function["buildConfig"]["entryPoint"],
        "availableMemoryMb": 256,
        "timeout": format!("{}s", service["timeoutSeconds"].as_i64().unwrap_or(60)),
        "serviceAccountEmail": service["serviceAccountEmail"],
        "httpsTrigger": {"url": function["url"], "securityLevel": "SECURE_ALWAYS"},
        "ingressSettings": service["ingressSettings"],
        "updateTime": function["updateTime"],
        "versionId": version.to_string(),
    });
    for (v2, v1) in [("maxInstanceCount", "maxInstances"), ("minInstanceCount", "minInstances")] {
        if let Some(count) = service.get(v2) {
            view[v1] = count.clone();
        }
    }
    for key in ["labels", "description"] {
        if let Some(value) = function.get(key) {
            view[key] = value.clone();
        }
    }
    view
}
