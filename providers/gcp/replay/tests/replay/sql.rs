//! Cloud SQL: stop and start through `settings.activationPolicy`, one operation at a time, on-demand backups.

use escher_gcp_replay::Api;
use serde_json::{Value as Json, json};

use super::{Client, reason};

const ORDERS: &str = "v1/projects/acme-dev/instances/orders-db";

/// Polls a Cloud SQL operation until DONE.
async fn finish(client: &Client, operation: &Json) -> Json {
    let name = operation["name"].as_str().expect("an operation name");
    let project = operation["targetProject"].as_str().expect("a target project");
    for _ in 0..10 {
        let (_, answer) = client.get(Api::SqlAdmin, &format!("v1/projects/{project}/operations/{name}")).await;
        if answer["status"] == "DONE" {
            return answer;
        }
    }
    panic!("operation {name} never finished");
}

#[tokio::test]
async fn stopping_sets_the_activation_policy_and_keeps_the_state_runnable() {
    let client = Client::standard().await;
    let body = json!({"settings": {"activationPolicy": "NEVER"}});
    let (status, operation) = client.send("PATCH", Api::SqlAdmin, ORDERS, Some(body)).await;
    assert_eq!(status, 200, "{operation}");
    assert_eq!(
        (operation["kind"].as_str(), operation["operationType"].as_str()),
        (Some("sql#operation"), Some("UPDATE"))
    );
    let (_, during) = client.get(Api::SqlAdmin, ORDERS).await;
    assert_eq!(during["settings"]["activationPolicy"], "ALWAYS", "nothing lands before DONE");
    finish(&client, &operation).await;
    let (_, after) = client.get(Api::SqlAdmin, ORDERS).await;
    assert_eq!(after["settings"]["activationPolicy"], "NEVER");
    assert_eq!(after["state"], "RUNNABLE");
    assert_eq!(after["settings"]["settingsVersion"], "2");
    assert_eq!(after["settings"]["tier"], "db-custom-2-7680", "a patch leaves other settings alone");
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_second_mutation_while_one_runs_is_409_operation_in_progress() {
    let client = Client::standard().await;
    let tier = json!({"settings": {"tier": "db-custom-4-15360"}});
    let (_, first) = client.send("PATCH", Api::SqlAdmin, ORDERS, Some(tier)).await;
    let (status, answer) = client.post(Api::SqlAdmin, &format!("{ORDERS}/restart"), None).await;
    assert_eq!((status, reason(&answer)), (409, "operationInProgress"));
    finish(&client, &first).await;
    let (status, _) = client.post(Api::SqlAdmin, &format!("{ORDERS}/restart"), None).await;
    assert_eq!(status, 200);
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_stopped_instance_cannot_restart() {
    let client = Client::standard().await;
    let (status, answer) =
        client.post(Api::SqlAdmin, "v1/projects/acme-dev/instances/legacy-mysql/restart", None).await;
    assert_eq!((status, reason(&answer)), (400, "invalidState"));
    client.replay().assert_clean();
}

#[tokio::test]
async fn an_on_demand_backup_is_listed_once_done() {
    let client = Client::standard().await;
    let body = json!({"description": "escher: before resize"});
    let (_, operation) = client.post(Api::SqlAdmin, &format!("{ORDERS}/backupRuns"), Some(body)).await;
    assert_eq!(operation["operationType"], "BACKUP_VOLUME");
    let (_, before) = client.get(Api::SqlAdmin, &format!("{ORDERS}/backupRuns")).await;
    assert!(before.get("items").is_none(), "an empty list leaves `items` out: {before}");
    finish(&client, &operation).await;
    let (_, after) = client.get(Api::SqlAdmin, &format!("{ORDERS}/backupRuns")).await;
    assert_eq!(after["items"][0]["description"], "escher: before resize");
    assert_eq!(after["items"][0]["status"], "SUCCESSFUL");
    client.replay().assert_clean();
}

#[tokio::test]
async fn instances_list_per_project_and_page() {
    let client = Client::standard().await;
    client.replay().set_page_size(1);
    let (_, first) = client.get(Api::SqlAdmin, "v1/projects/acme-dev/instances").await;
    let token = first["nextPageToken"].as_str().expect("a second page");
    let (_, second) = client.get(Api::SqlAdmin, &format!("v1/projects/acme-dev/instances?pageToken={token}")).await;
    assert!(second.get("nextPageToken").is_none());
    let mut names = vec![first["items"][0]["name"].clone(), second["items"][0]["name"].clone()];
    names.sort_by_key(|n| n.to_string());
    assert_eq!(names, [json!("legacy-mysql"), json!("orders-db")]);
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_missing_instance_is_404_instance_does_not_exist() {
    let client = Client::standard().await;
    let (status, answer) = client.get(Api::SqlAdmin, "v1/projects/acme-dev/instances/nope").await;
    assert_eq!((status, reason(&answer)), (404, "instanceDoesNotExist"));
    client.replay().assert_clean();
}
