//! Queued faults: statuses, quota errors, resets, a failing page, an unreachable zone.

use escher_gcp_replay::{Api, Fault};

use super::{Client, reason};

const STOP: &str = "compute/v1/projects/acme-dev/zones/us-central1-a/instances/web-1/stop";

#[tokio::test]
async fn a_status_fault_answers_its_times_then_the_method_runs() {
    let client = Client::standard().await;
    client.replay().fail(Fault::on("compute.instances.stop").status(503).times(2));
    for _ in 0..2 {
        let (status, answer) = client.post(Api::Compute, STOP, None).await;
        assert_eq!((status, reason(&answer)), (503, "backendError"));
    }
    let (status, _) = client.post(Api::Compute, STOP, None).await;
    assert_eq!(status, 200);
    let statuses: Vec<u16> = client.replay().log().iter().map(|l| l.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    client.replay().assert_clean();
}

#[tokio::test]
async fn rate_limit_exceeded_is_403_in_usage_limits() {
    let client = Client::standard().await;
    client.replay().fail(Fault::on("compute.instances.stop").rate_limit_exceeded());
    let (status, answer) = client.post(Api::Compute, STOP, None).await;
    assert_eq!((status, reason(&answer)), (403, "rateLimitExceeded"));
    assert_eq!(answer["error"]["errors"][0]["domain"], "usageLimits");
}

#[tokio::test]
async fn a_reset_closes_the_connection_unanswered() {
    let client = Client::standard().await;
    client.replay().fail(Fault::on("compute.instances.stop").reset());
    let sent = reqwest::Client::new().post(client.url(Api::Compute, STOP)).bearer_auth("t").send().await;
    assert!(sent.is_err(), "{sent:?}");
    assert_eq!(client.replay().log()[0].status, 0);
    let web_1 = client.replay().resource(Api::Compute, "projects/acme-dev/zones/us-central1-a/instances/web-1");
    assert_eq!(web_1.expect("web-1")["status"], "RUNNING");
}

#[tokio::test]
async fn a_page_fault_fails_only_that_page() {
    let client = Client::standard().await;
    client.replay().fail(Fault::on("compute.instances.aggregatedList").page(2));
    let list = "compute/v1/projects/acme-dev/aggregated/instances";
    let (status, first) = client.get(Api::Compute, list).await;
    assert_eq!(status, 200);
    let token = first["nextPageToken"].as_str().expect("a second page");
    let (status, _) = client.get(Api::Compute, &format!("{list}?pageToken={token}")).await;
    assert_eq!(status, 503);
    let (status, _) = client.get(Api::Compute, &format!("{list}?pageToken={token}")).await;
    assert_eq!(status, 200, "the retry succeeds");
}

#[tokio::test]
async fn an_unreachable_zone_is_a_scope_warning_and_listed() {
    let client = Client::standard().await;
    client.replay().set_page_size(0);
    client.replay().fail(Fault::on("compute.instances.aggregatedList").unreachable_zone("us-central1-b"));
    let (_, list) = client.get(Api::Compute, "compute/v1/projects/acme-dev/aggregated/instances").await;
    assert_eq!(list["items"]["zones/us-central1-b"]["warning"]["code"], "UNREACHABLE");
    assert_eq!(list["unreachables"], serde_json::json!(["zones/us-central1-b"]));
    client.replay().fail(Fault::on("storage.buckets.list").unreachable_zone("us-central1-b"));
    let (_, buckets) = client.get(Api::Storage, "storage/v1/b?project=acme-dev").await;
    assert_eq!(buckets["unreachable"], serde_json::json!(["projects/_/buckets/acme-dev-backups"]));
    client
        .replay()
        .fail(Fault::on("cloudfunctions.projects.locations.functions.list").unreachable_zone("us-central1-b"));
    let (_, functions) = client.get(Api::Functions, "v2/projects/acme-dev/locations/-/functions").await;
    assert_eq!(functions["unreachable"], serde_json::json!(["projects/acme-dev/locations/us-central1"]));
    assert_eq!(functions["functions"].as_array().map(Vec::len), Some(1));
    client.replay().assert_clean();
}

#[tokio::test]
async fn an_operation_error_ends_the_operation_done_with_it_and_nothing_changes() {
    let client = Client::standard().await;
    client
        .replay()
        .fail(Fault::on("compute.instances.stop").operation_error("ZONE_RESOURCE_POOL_EXHAUSTED", "no capacity"));
    let (_, operation) = client.post(Api::Compute, STOP, None).await;
    let done = client.finish_compute(&operation).await;
    assert_eq!(done["error"]["errors"][0]["code"], "ZONE_RESOURCE_POOL_EXHAUSTED");
    let web_1 = client.replay().resource(Api::Compute, "projects/acme-dev/zones/us-central1-a/instances/web-1");
    assert_eq!(web_1.expect("web-1")["status"], "RUNNING");
    client.replay().assert_clean();
}

#[tokio::test]
async fn operation_in_progress_is_cloud_sqls_409() {
    let client = Client::standard().await;
    client.replay().fail(Fault::on("sql.instances.restart").operation_in_progress());
    let (status, answer) = client.post(Api::SqlAdmin, "v1/projects/acme-dev/instances/orders-db/restart", None).await;
    assert_eq!((status, reason(&answer)), (409, "operationInProgress"));
}
