//! Cloud Functions: v2 for 2nd gen, v1 for 1st gen, `updateMask` patches through long-running operations.

use escher_gcp_replay::Api;
use serde_json::{Value as Json, json};

use super::Client;

const THUMBNAILER: &str = "projects/acme-dev/locations/us-central1/functions/thumbnailer";
const WEBHOOK: &str = "projects/acme-dev/locations/europe-west1/functions/legacy-webhook";

async fn finish(client: &Client, version: &str, operation: &Json) -> Json {
    let name = operation["name"].as_str().expect("an operation name");
    for _ in 0..10 {
        let (status, answer) = client.get(Api::Functions, &format!("{version}/{name}")).await;
        assert_eq!(status, 200, "{answer}");
        if answer["done"] == true {
            return answer;
        }
    }
    panic!("operation {name} never finished");
}

#[tokio::test]
async fn v2_lists_both_generations_in_every_location() {
    let client = Client::standard().await;
    client.replay().set_page_size(0);
    let (status, list) = client.get(Api::Functions, "v2/projects/acme-dev/locations/-/functions").await;
    assert_eq!(status, 200, "{list}");
    let environments: Vec<&Json> =
        list["functions"].as_array().expect("functions").iter().map(|f| &f["environment"]).collect();
    assert_eq!(environments, [&json!("GEN_1"), &json!("GEN_2")]);
    let (_, v1) = client.get(Api::Functions, "v1/projects/acme-dev/locations/-/functions").await;
    assert_eq!(v1["functions"].as_array().map(Vec::len), Some(1), "v1 sees only 1st gen: {v1}");
    assert_eq!(v1["functions"][0]["status"], "ACTIVE");
    assert_eq!(v1["functions"][0]["maxInstances"], 10);
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_v2_patch_applies_exactly_the_masked_fields_when_done() {
    let client = Client::standard().await;
    let body = json!({"labels": {"env": "dev", "cost": "low"}, "serviceConfig": {"maxInstanceCount": 5}, "description": "ignored"});
    let path = format!("v2/{THUMBNAILER}?updateMask=labels,serviceConfig.maxInstanceCount");
    let (status, operation) = client.send("PATCH", Api::Functions, &path, Some(body)).await;
    assert_eq!(status, 200, "{operation}");
    assert!(
        operation["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("projects/acme-dev/locations/us-central1/operations/"))
    );
    assert_eq!(operation["done"], false);
    let done = finish(&client, "v2", &operation).await;
    assert_eq!(done["response"]["@type"], "type.googleapis.com/google.cloud.functions.v2.Function");
    let stored = client.replay().resource(Api::Functions, THUMBNAILER).expect("thumbnailer");
    assert_eq!(stored["serviceConfig"]["maxInstanceCount"], 5);
    assert_eq!(stored["labels"], json!({"env": "dev", "cost": "low"}));
    assert!(stored.get("description").is_none(), "an unmasked field is left alone");
    assert_eq!(stored["state"], "ACTIVE");
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_v2_patch_of_a_first_gen_function_is_failed_precondition() {
    let client = Client::standard().await;
    let path = format!("v2/{WEBHOOK}?updateMask=labels");
    let (status, answer) = client.send("PATCH", Api::Functions, &path, Some(json!({"labels": {}}))).await;
    assert_eq!((status, answer["error"]["status"].as_str()), (400, Some("FAILED_PRECONDITION")));
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_v1_patch_changes_a_first_gen_function_in_v1_terms() {
    let client = Client::standard().await;
    let path = format!("v1/{WEBHOOK}?updateMask=maxInstances");
    let (_, operation) = client.send("PATCH", Api::Functions, &path, Some(json!({"maxInstances": 3}))).await;
    assert!(operation["name"].as_str().is_some_and(|n| n.starts_with("operations/")), "{operation}");
    let done = finish(&client, "v1", &operation).await;
    assert_eq!(done["response"]["maxInstances"], 3);
    assert_eq!(done["response"]["versionId"], "2");
    let (_, v1) = client.get(Api::Functions, &format!("v1/{WEBHOOK}")).await;
    assert_eq!(v1["maxInstances"], 3);
    let (_, v2) = client.get(Api::Functions, &format!("v2/{WEBHOOK}")).await;
    assert_eq!(v2["serviceConfig"]["maxInstanceCount"], 3, "both views are of one function");
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_patch_without_an_update_mask_is_a_violation() {
    let client = Client::standard().await;
    let (status, _) =
        client.send("PATCH", Api::Functions, &format!("v2/{THUMBNAILER}"), Some(json!({"labels": {}}))).await;
    assert_eq!(status, 400);
    assert_eq!(client.replay().violations().len(), 1);
}

#[tokio::test]
async fn an_injected_operation_error_ends_done_with_the_error_and_no_effect() {
    let client = Client::standard().await;
    client.replay().fail(
        escher_gcp_replay::Fault::on("cloudfunctions.projects.locations.functions.delete")
            .operation_error("FAILED_PRECONDITION", "no"),
    );
    let (_, operation) = client.send("DELETE", Api::Functions, &format!("v2/{THUMBNAILER}"), None).await;
    let done = finish(&client, "v2", &operation).await;
    assert_eq!(done["error"], json!({"code": 9, "message": "no"}));
    assert!(client.replay().resource(Api::Functions, THUMBNAILER).is_some());
    client.replay().assert_clean();
}
