//! Long-running work followed to its end: Compute Engine's zone, region and global operations (through their
//! `wait` methods, which answer when the operation is done or after a while), Cloud SQL's operations and Cloud
//! Functions' `google.longrunning` operations (polled). An operation that ends in `error` fails its target with
//! Google's code and message; one still running when the step's operation timeout runs out fails it too.

use serde_json::Value as Json;
use tokio::time::Instant;

use crate::api::{Api, Request, Service};
use crate::errors::ApiError;
use crate::pace::Category;
use crate::record::text_at;

/// How long operations may run, and how often the ones without a `wait` method are polled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Patience {
    pub timeout: std::time::Duration,
    pub poll_interval: std::time::Duration,
}

/// The last segment of a Compute URL (`.../zones/us-central1-a` is `us-central1-a`).
pub(crate) fn last_segment(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

/// Follows `operation` until `done` says so, asking `next` for each newer state of it: its `error` fails it, and
/// so does running past the step's operation timeout.
async fn follow<Next, Answer>(
    patience: Patience,
    what: &str,
    mut operation: Json,
    done: fn(&Json) -> bool,
    mut next: Next,
) -> Result<Json, ApiError>
where
    Next: FnMut(Json) -> Answer,
    Answer: std::future::Future<Output = Result<Json, ApiError>>,
{
    let started = Instant::now();
    loop {
        if done(&operation) {
            return match operation.get("error") {
                Some(error) => Err(ApiError::from_operation(error, what.to_string())),
                None => Ok(operation),
            };
        }
        if started.elapsed() >= patience.timeout {
            return Err(ApiError::operation_timeout(what.to_string(), patience.timeout));
        }
        operation = next(operation).await?;
    }
}

fn status_done(operation: &Json) -> bool {
    text_at(operation, &["status"]) == "DONE"
}

/// A Compute operation (as a mutation answered it) followed until `DONE` through its scope's `wait` method, which
/// answers when the operation is done or after a while, so it needs no pause between calls.
pub(crate) async fn compute(
    api: &Api,
    patience: Patience,
    project: &str,
    operation: Json,
    what: &str,
) -> Result<Json, ApiError> {
    follow(patience, what, operation, status_done, |operation| async move {
        let name = text_at(&operation, &["name"]);
        let (method_id, scope) = match (text_at(&operation, &["zone"]), text_at(&operation, &["region"])) {
            ("", "") => ("compute.globalOperations.wait", "global".to_string()),
            ("", region) => ("compute.regionOperations.wait", format!("regions/{}", last_segment(region))),
            (zone, _) => ("compute.zoneOperations.wait", format!("zones/{}", last_segment(zone))),
        };
        let path = format!("compute/v1/projects/{project}/{scope}/operations/{name}/wait");
        api.send(&Request::post(Service::Compute, method_id, path).paced(Category::ComputeOperation, project)).await
    })
    .await
}

/// A Cloud SQL operation followed until `DONE`.
pub(crate) async fn sql(
    api: &Api,
    patience: Patience,
    project: &str,
    operation: Json,
    what: &str,
) -> Result<Json, ApiError> {
    follow(patience, what, operation, status_done, |operation| async move {
        tokio::time::sleep(patience.poll_interval).await;
        let path = format!("v1/projects/{project}/operations/{}", text_at(&operation, &["name"]));
        api.send(&Request::get(Service::SqlAdmin, "sql.operations.get", path).in_project(project)).await
    })
    .await
}

/// A Cloud Functions operation (`google.longrunning`) followed until `done`: a v2 one is named
/// `projects/P/locations/L/operations/ID`, a v1 one `operations/ID`.
pub(crate) async fn longrunning(
    api: &Api,
    patience: Patience,
    project: &str,
    operation: Json,
    what: &str,
) -> Result<Json, ApiError> {
    let done = |operation: &Json| operation.get("done").and_then(Json::as_bool) == Some(true);
    follow(patience, what, operation, done, |operation| async move {
        tokio::time::sleep(patience.poll_interval).await;
        let name = text_at(&operation, &["name"]);
        let (version, method_id) = if name.starts_with("operations/") {
            ("v1", "cloudfunctions.operations.get")
        } else {
            ("v2", "cloudfunctions.projects.locations.operations.get")
        };
        api.send(&Request::get(Service::Functions, method_id, format!("{version}/{name}")).in_project(project)).await
    })
    .await
}
