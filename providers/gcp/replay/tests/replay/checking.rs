//! Requests are checked against Google's Discovery documents: each refusal below is answered and recorded.

use escher_gcp_replay::{Api, Estate, Replay};
use serde_json::json;

use super::{Client, reason};

const WEB_1: &str = "compute/v1/projects/acme-dev/zones/us-central1-a/instances/web-1";

/// The one violation recorded, which must mention `needle`.
fn only_violation(replay: &Replay, needle: &str) -> String {
    let violations = replay.violations();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(violations[0].contains(needle), "{:?} does not mention {needle:?}", violations[0]);
    violations[0].clone()
}

#[tokio::test]
async fn the_standard_estate_satisfies_its_schemas() {
    let client = Client::standard().await;
    client.replay().assert_clean();
}

#[tokio::test]
async fn a_well_formed_request_with_standard_parameters_is_accepted() {
    let client = Client::standard().await;
    let (status, web_1) = client.get(Api::Compute, &format!("{WEB_1}?alt=json&prettyPrint=false&quotaUser=x")).await;
    assert_eq!(status, 200, "{web_1}");
    assert_eq!(web_1["name"], "web-1");
    client.replay().assert_clean();
    assert_eq!(client.replay().log()[0].method_id.as_deref(), Some("compute.instances.get"));
}

#[tokio::test]
async fn a_path_no_method_has_is_404_and_a_violation() {
    let client = Client::standard().await;
    let (status, answer) = client.get(Api::Compute, "compute/v1/projects/acme-dev/zones/us-central1-a/vms/web-1").await;
    assert_eq!((status, reason(&answer)), (404, "notFound"));
    only_violation(client.replay(), "no Compute method");
    assert_eq!(client.replay().log()[0].method_id, None);
    assert_eq!(client.replay().calls(), ["GET ? /compute/v1/projects/acme-dev/zones/us-central1-a/vms/web-1"]);
}

#[tokio::test]
async fn an_undeclared_query_parameter_is_refused() {
    let client = Client::standard().await;
    let (status, answer) = client.get(Api::Compute, &format!("{WEB_1}?verbose=true")).await;
    assert_eq!((status, reason(&answer)), (400, "invalid"));
    only_violation(client.replay(), "query parameter `verbose` is not declared");
}

#[tokio::test]
async fn a_missing_required_query_parameter_is_refused() {
    let client = Client::standard().await;
    let (status, _) = client.get(Api::Storage, "storage/v1/b").await;
    assert_eq!(status, 400);
    only_violation(client.replay(), "required query parameter `project` of storage.buckets.list is missing");
}

#[tokio::test]
async fn a_path_parameter_off_its_pattern_is_refused() {
    let client = Client::standard().await;
    let (status, _) =
        client.get(Api::Compute, "compute/v1/projects/acme-dev/zones/US-CENTRAL1-A/instances/web-1").await;
    assert_eq!(status, 400);
    only_violation(client.replay(), "path parameter `zone` = `US-CENTRAL1-A`: does not match its pattern");
}

#[tokio::test]
async fn reserved_expansion_paths_route_by_their_flat_path_and_query_types_are_checked() {
    let client = Client::standard().await;
    let (status, answer) =
        client.get(Api::Functions, "v2/projects/acme-dev/locations/us-central1/functions/thumbnailer").await;
    assert_eq!(status, 200, "{answer}");
    client.replay().assert_clean();
    let (status, _) = client.get(Api::BigQuery, "bigquery/v2/projects/acme-dev/queries/job_1?maxResults=ten").await;
    assert_eq!(status, 400);
    only_violation(client.replay(), "query parameter `maxResults` = `ten`: is not a valid integer (uint32)");
}

#[tokio::test]
async fn a_body_with_an_unknown_field_is_refused() {
    let client = Client::standard().await;
    let body = json!({"settings": {"activationPolicyy": "NEVER"}});
    let (status, _) = client.send("PATCH", Api::SqlAdmin, "v1/projects/acme-dev/instances/orders-db", Some(body)).await;
    assert_eq!(status, 400);
    let violation = only_violation(client.replay(), "$.settings.activationPolicyy: unknown field");
    assert!(
        violation.starts_with("sql.instances.patch PATCH /v1/projects/acme-dev/instances/orders-db"),
        "{violation}"
    );
    let orders = client.replay().resource(Api::SqlAdmin, "projects/acme-dev/instances/orders-db").expect("orders-db");
    assert_eq!(orders["settings"]["activationPolicy"], "ALWAYS", "a refused request changes nothing");
}

#[tokio::test]
async fn a_body_field_of_the_wrong_type_is_refused() {
    let client = Client::standard().await;
    let (status, _) =
        client.post(Api::Compute, &format!("{WEB_1}/setMachineType"), Some(json!({"machineType": 4}))).await;
    assert_eq!(status, 400);
    only_violation(client.replay(), "$.machineType: expected a string, got the number 4");
}

#[tokio::test]
async fn a_body_value_outside_its_enum_is_refused() {
    let client = Client::standard().await;
    let body = json!({"settings": {"activationPolicy": "SOMETIMES"}});
    let (status, _) = client.send("PATCH", Api::SqlAdmin, "v1/projects/acme-dev/instances/orders-db", Some(body)).await;
    assert_eq!(status, 400);
    only_violation(client.replay(), "$.settings.activationPolicy: `SOMETIMES` is not one of");
}

#[tokio::test]
async fn an_int64_may_be_sent_as_a_string_or_a_number_but_not_as_text() {
    let client = Client::standard().await;
    let path = "v1/projects/acme-dev/instances/orders-db";
    for size in [json!("20"), json!(20)] {
        let body = json!({"settings": {"dataDiskSizeGb": size}});
        let (status, answer) = client.send("PATCH", Api::SqlAdmin, path, Some(body)).await;
        assert_eq!(status, 200, "{answer}");
        let key = format!("v1/projects/acme-dev/operations/{}", answer["name"].as_str().expect("an operation name"));
        for _ in 0..2 {
            client.get(Api::SqlAdmin, &key).await;
        }
    }
    client.replay().assert_clean();
    let body = json!({"settings": {"dataDiskSizeGb": "twenty"}});
    let (status, _) = client.send("PATCH", Api::SqlAdmin, path, Some(body)).await;
    assert_eq!(status, 400);
    only_violation(client.replay(), "`twenty` is not a valid int64");
}

#[tokio::test]
async fn a_body_sent_to_a_method_that_takes_none_is_refused() {
    let client = Client::standard().await;
    let (status, _) = client.post(Api::Compute, &format!("{WEB_1}/stop"), Some(json!({}))).await;
    assert_eq!(status, 400);
    only_violation(client.replay(), "compute.instances.stop takes no body but one was sent");
}

#[tokio::test]
async fn a_method_that_takes_a_body_refuses_none() {
    let client = Client::standard().await;
    let (status, _) = client.post(Api::Compute, &format!("{WEB_1}/setLabels"), None).await;
    assert_eq!(status, 400);
    only_violation(client.replay(), "takes a InstancesSetLabelsRequest body and none was sent");
}

#[tokio::test]
async fn a_request_without_a_bearer_token_is_401_and_a_violation() {
    let client = Client::standard().await;
    let response = reqwest::get(client.url(Api::Compute, WEB_1)).await.expect("an answer");
    assert_eq!(response.status().as_u16(), 401);
    only_violation(client.replay(), "no `Authorization: Bearer <token>` header");
}

#[tokio::test]
async fn a_stored_resource_off_its_schema_is_a_violation_and_so_is_the_answer_serving_it() {
    let replay = Replay::start(Estate::empty()).await;
    let path = "projects/acme-dev/global/firewalls/odd";
    replay.put(Api::Compute, path, json!({"name": "odd", "priority": "high"}));
    only_violation(&replay, "estate Compute projects/acme-dev/global/firewalls/odd (Firewall): $.priority");
    replay.clear_violations();
    let client = Client::of(replay);
    let (status, _) = client.get(Api::Compute, &format!("compute/v1/{path}")).await;
    assert_eq!(status, 200);
    only_violation(client.replay(), "answer of compute.firewalls.get (Firewall): $.priority: expected an integer");
}

#[tokio::test]
async fn calls_read_as_one_line_per_api_request() {
    let client = Client::standard().await;
    client.post(Api::Compute, &format!("{WEB_1}/stop"), None).await;
    client.get(Api::Storage, "storage/v1/b?project=acme-dev").await;
    client.get(Api::SqlAdmin, "v1/projects/acme-dev/instances").await;
    client.get(Api::Functions, "v1/projects/acme-dev/locations/-/functions").await;
    assert_eq!(
        client.replay().calls(),
        [
            "POST compute.instances.stop projects/acme-dev/zones/us-central1-a/instances/web-1",
            "GET storage.buckets.list b ?project=acme-dev",
            "GET sql.instances.list projects/acme-dev/instances",
            "GET cloudfunctions.projects.locations.functions.list v1/projects/acme-dev/locations/-/functions",
        ]
    );
    client.replay().assert_clean();
}
