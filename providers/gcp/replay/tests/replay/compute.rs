//! Compute Engine: paged aggregated lists, operations whose effect lands when DONE, requestId idempotency, label
//! fingerprints, disks in use, snapshots.

use escher_gcp_replay::Api;
use serde_json::{Value as Json, json};

use super::{Client, reason};

const DEV: &str = "compute/v1/projects/acme-dev";
const WEB_1: &str = "projects/acme-dev/zones/us-central1-a/instances/web-1";

fn names(scopes: &Json, field: &str) -> Vec<String> {
    let mut names = Vec::new();
    for scope in scopes.as_object().into_iter().flat_map(|s| s.values()) {
        for resource in scope[field].as_array().into_iter().flatten() {
            names.push(resource["name"].as_str().unwrap_or_default().to_string());
        }
    }
    names
}

#[tokio::test]
async fn an_aggregated_list_pages_by_resource_and_marks_empty_scopes() {
    let client = Client::standard().await;
    let (mut names_seen, mut token, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let query = token.as_ref().map(|t| format!("?pageToken={t}")).unwrap_or_default();
        let (status, page) = client.get(Api::Compute, &format!("{DEV}/aggregated/instances{query}")).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        let on_page = names(&page["items"], "instances");
        assert!(on_page.len() <= 2, "the default page size is 2: {on_page:?}");
        if pages == 1 {
            let empty = &page["items"]["zones/europe-west1-b"]["warning"];
            assert_eq!(empty["code"], "NO_RESULTS_ON_PAGE");
            assert_eq!(empty["data"][0], json!({"key": "scope", "value": "zones/europe-west1-b"}));
        }
        names_seen.extend(on_page);
        token = page["nextPageToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    names_seen.sort();
    assert_eq!(names_seen, ["api-1", "bastion", "batch-1", "web-1", "web-2"], "acme-dev only");
    assert_eq!(pages, 3);
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_smaller_max_results_and_a_larger_page_size_are_honoured() {
    let client = Client::standard().await;
    client.replay().set_page_size(0);
    let (_, all) = client.get(Api::Compute, &format!("{DEV}/aggregated/disks")).await;
    assert_eq!(names(&all["items"], "disks").len(), 7, "five boot disks, data-archive and shared-data: {all}");
    assert_eq!(all["items"]["regions/us-central1"]["disks"][0]["name"], "shared-data");
    assert!(all.get("nextPageToken").is_none());
    let (_, one) = client.get(Api::Compute, &format!("{DEV}/aggregated/disks?maxResults=1")).await;
    assert_eq!(names(&one["items"], "disks").len(), 1);
    client.replay().assert_clean();
}

#[tokio::test]
async fn stop_lands_when_the_operation_is_done() {
    let client = Client::standard().await;
    let (status, operation) = client.post(Api::Compute, &format!("compute/v1/{WEB_1}/stop"), None).await;
    assert_eq!(status, 200, "{operation}");
    assert_eq!(
        (operation["kind"].as_str(), operation["status"].as_str()),
        (Some("compute#operation"), Some("PENDING"))
    );
    assert_eq!(operation["operationType"], "stop");
    assert_eq!(operation["targetLink"], format!("https://www.googleapis.com/compute/v1/{WEB_1}"));
    let web_1 = || client.replay().resource(Api::Compute, WEB_1).expect("web-1");
    assert_eq!(web_1()["status"], "STOPPING");
    let name = operation["name"].as_str().expect("a name");
    let wait = format!("{DEV}/zones/us-central1-a/operations/{name}/wait");
    let (_, first) = client.post(Api::Compute, &wait, None).await;
    assert_eq!(first["status"], "RUNNING", "one poll answers not done by default");
    let (_, second) = client.post(Api::Compute, &wait, None).await;
    assert_eq!(second["status"], "DONE");
    assert_eq!(web_1()["status"], "TERMINATED");
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_repeated_request_id_answers_the_same_operation_and_does_nothing_again() {
    let client = Client::standard().await;
    client.replay().set_operation_polls(0);
    let request_id = "6f1c4a2e-8d3b-4f5a-9c7e-1b2d3e4f5a6b";
    let path = format!("compute/v1/{WEB_1}/stop?requestId={request_id}");
    let (_, first) = client.post(Api::Compute, &path, None).await;
    client.finish_compute(&first).await;
    client.post(Api::Compute, &format!("compute/v1/{WEB_1}/start"), None).await;
    let (_, again) = client.post(Api::Compute, &path, None).await;
    assert_eq!(again["name"], first["name"]);
    assert_eq!(again["status"], "DONE");
    let web_1 = client.replay().resource(Api::Compute, WEB_1).expect("web-1");
    assert_eq!(web_1["status"], "STAGING", "the repeat did not stop it again");
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_request_id_that_is_not_a_uuid_is_refused() {
    let client = Client::standard().await;
    let (status, _) = client.post(Api::Compute, &format!("compute/v1/{WEB_1}/stop?requestId=retry-1"), None).await;
    assert_eq!(status, 400);
    assert_eq!(client.replay().violations().len(), 1, "{:?}", client.replay().violations());
}

#[tokio::test]
async fn set_labels_needs_the_current_fingerprint_and_changes_it() {
    let client = Client::standard().await;
    let before = client.replay().resource(Api::Compute, WEB_1).expect("web-1");
    let path = format!("compute/v1/{WEB_1}/setLabels");
    let stale = json!({"labels": {"env": "dev", "owner": "ops"}, "labelFingerprint": "AAAAAAAAAAA="});
    let (status, answer) = client.post(Api::Compute, &path, Some(stale)).await;
    assert_eq!((status, reason(&answer)), (412, "conditionNotMet"));
    let current = json!({"labels": {"env": "dev", "owner": "ops"}, "labelFingerprint": before["labelFingerprint"]});
    let (_, operation) = client.post(Api::Compute, &path, Some(current)).await;
    client.finish_compute(&operation).await;
    let after = client.replay().resource(Api::Compute, WEB_1).expect("web-1");
    assert_eq!(after["labels"], json!({"env": "dev", "owner": "ops"}));
    assert_ne!(after["labelFingerprint"], before["labelFingerprint"]);
    client.replay().assert_clean();
}

#[tokio::test]
async fn set_machine_type_needs_a_stopped_instance() {
    let client = Client::standard().await;
    let body = json!({"machineType": "zones/us-central1-a/machineTypes/e2-standard-4"});
    let (status, answer) =
        client.post(Api::Compute, &format!("compute/v1/{WEB_1}/setMachineType"), Some(body.clone())).await;
    assert_eq!((status, reason(&answer)), (400, "resourceNotReady"));
    let batch = "projects/acme-dev/zones/us-central1-a/instances/batch-1";
    let (_, operation) = client.post(Api::Compute, &format!("compute/v1/{batch}/setMachineType"), Some(body)).await;
    client.finish_compute(&operation).await;
    let resized = client.replay().resource(Api::Compute, batch).expect("batch-1");
    assert_eq!(
        resized["machineType"],
        "https://www.googleapis.com/compute/v1/projects/acme-dev/zones/us-central1-a/machineTypes/e2-standard-4"
    );
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_disk_in_use_cannot_be_deleted_and_an_unattached_one_can() {
    let client = Client::standard().await;
    let (status, answer) =
        client.send("DELETE", Api::Compute, &format!("{DEV}/zones/us-central1-a/disks/web-1"), None).await;
    assert_eq!((status, reason(&answer)), (400, "resourceInUseByAnotherResource"));
    let (_, operation) =
        client.send("DELETE", Api::Compute, &format!("{DEV}/regions/us-central1/disks/shared-data"), None).await;
    assert_eq!(
        operation["region"], "https://www.googleapis.com/compute/v1/projects/acme-dev/regions/us-central1",
        "{operation}"
    );
    client.finish_compute(&operation).await;
    assert_eq!(client.replay().resource(Api::Compute, "projects/acme-dev/regions/us-central1/disks/shared-data"), None);
    client.replay().assert_clean();
}

#[tokio::test]
async fn create_snapshot_makes_a_global_snapshot_from_the_body() {
    let client = Client::standard().await;
    let body = json!({"name": "data-archive-before-cleanup", "labels": {"made-by": "escher"}, "description": "pre"});
    let path = format!("{DEV}/zones/us-central1-b/disks/data-archive/createSnapshot");
    let (status, operation) = client.post(Api::Compute, &path, Some(body)).await;
    assert_eq!(status, 200, "{operation}");
    let done = client.finish_compute(&operation).await;
    assert!(done.get("error").is_none(), "{done}");
    let snapshot = client
        .replay()
        .resource(Api::Compute, "projects/acme-dev/global/snapshots/data-archive-before-cleanup")
        .expect("the snapshot");
    assert_eq!(snapshot["status"], "READY");
    assert_eq!(snapshot["diskSizeGb"], "200");
    assert_eq!(snapshot["labels"], json!({"made-by": "escher"}));
    assert_eq!(
        snapshot["sourceDisk"],
        "https://www.googleapis.com/compute/v1/projects/acme-dev/zones/us-central1-b/disks/data-archive"
    );
    let (status, _) = client.get(Api::Compute, &format!("{DEV}/global/snapshots/data-archive-before-cleanup")).await;
    assert_eq!(status, 200);
    client.replay().assert_clean();
}

#[tokio::test]
async fn deleting_an_instance_takes_its_auto_delete_boot_disk() {
    let client = Client::standard().await;
    let (_, operation) = client.send("DELETE", Api::Compute, &format!("compute/v1/{WEB_1}"), None).await;
    client.finish_compute(&operation).await;
    let (status, _) = client.get(Api::Compute, &format!("compute/v1/{WEB_1}")).await;
    assert_eq!(status, 404);
    assert_eq!(client.replay().resource(Api::Compute, "projects/acme-dev/zones/us-central1-a/disks/web-1"), None);
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_firewall_patch_merges_when_done() {
    let client = Client::standard().await;
    let path = "projects/acme-dev/global/firewalls/allow-ssh-anywhere";
    let body = json!({"sourceRanges": ["35.235.240.0/20"]});
    let (_, operation) = client.send("PATCH", Api::Compute, &format!("compute/v1/{path}"), Some(body)).await;
    assert!(operation.get("zone").is_none(), "a global operation has no zone");
    client.finish_compute(&operation).await;
    let firewall = client.replay().resource(Api::Compute, path).expect("the rule");
    assert_eq!(firewall["sourceRanges"], json!(["35.235.240.0/20"]));
    assert_eq!(firewall["allowed"], json!([{"IPProtocol": "tcp", "ports": ["22"]}]));
    client.replay().assert_clean();
}
