//! How calls behave: long-running operations by both headers, a failed operation, throttling, pages, tokens.

use escher_arm_replay::Exchange;
use escher_runtime::provider::{ProviderError, TargetStatus};
use serde_json::json;

use crate::support::*;

const SUB: &str = "subid";
const RULE: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{securityRuleName}";
const OPERATION: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Network/locations/eastus/operations/00000000-0000-0000-0000-000000000000";

fn rule_id() -> String {
    "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/testnsg/securityRules/rule1".into()
}

/// The read of the rule before deleting it: the create example's answer, at the delete example's rule.
fn rule_read() -> Exchange {
    Exchange::example("network/2025-07-01/NetworkSecurityGroupRuleCreate.json", "GET", RULE, 200)
        .path(&rule_id())
        .body_empty()
        .derived("a GET of the delete example's rule, answered with the create example's rule")
}

/// The published 202 of a rule's DELETE, whose `Azure-AsyncOperation` is polled.
fn rule_delete() -> Exchange {
    Exchange::example("network/2025-07-01/NetworkSecurityGroupRuleDelete.json", "DELETE", RULE, 202)
}

fn operation_status(status: &str) -> Exchange {
    Exchange::new("GET", OPERATION, "2022-09-01")
        .respond(200, Some(json!({"status": status})))
        .header("retry-after", "1")
        .derived("an Azure-AsyncOperation status document (ARM's documented shape; none is published for Network)")
}

#[tokio::test]
async fn an_azure_async_operation_is_polled_until_it_succeeds() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(rule_read());
    azure.replay.serve(rule_delete());
    azure.replay.serve(operation_status("InProgress").times(1));
    azure.replay.serve(operation_status("Succeeded"));
    let rule = target("azure.network.SecurityRule", &rule_id());
    let results = azure.act(call("azure.network.delete_rules", &[], vec![rule])).await.expect("called");
    assert_eq!(results[0].status, TargetStatus::Changed);
    assert_eq!(
        azure.replay.calls(),
        vec![
            format!("GET {}", rule_id()),
            format!("DELETE {}", rule_id()),
            format!("GET {OPERATION}"),
            format!("GET {OPERATION}")
        ]
    );
    azure.replay.assert_clean();
}

#[tokio::test]
async fn a_failed_operation_fails_its_target_with_azures_code_and_message() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(rule_read());
    azure.replay.serve(rule_delete());
    azure.replay.serve(
        Exchange::new("GET", OPERATION, "2022-09-01")
            .respond(200, Some(json!({"status": "Failed", "error": {"code": "InUseSecurityRule", "message": "The rule is in use."}})))
            .derived("a Failed Azure-AsyncOperation status document"),
    );
    let rule = target("azure.network.SecurityRule", &rule_id());
    let results = azure.act(call("azure.network.delete_rules", &[], vec![rule])).await.expect("called");
    let TargetStatus::Failed { error } = &results[0].status else { panic!("{:?}", results[0].status) };
    assert!(error.contains("InUseSecurityRule: The rule is in use."), "{error}");
    azure.replay.assert_clean();
}

#[tokio::test]
async fn a_location_is_polled_until_it_stops_answering_202() {
    const DISK: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/disks/{diskName}";
    let sub = "{subscription-id}";
    let azure = azure(&[sub]).await;
    let id = format!("/subscriptions/{sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/disks/myDisk");
    let listed = escher_arm_replay::example("compute/2025-01-02/Disk_ListBySubscription.json");
    let mut disk = listed["responses"]["200"]["body"]["value"][0].clone();
    disk["id"] = json!(id);
    azure.replay.serve(
        Exchange::new("GET", &id, "2026-03-02")
            .respond(200, Some(disk))
            .derived("a listed disk of Disk_ListBySubscription.json, read at the delete example's id"),
    );
    azure.replay.serve(
        Exchange::example("compute/2025-01-02/Disk_Delete.json", "DELETE", DISK, 202)
            .api_version("2026-03-02")
            .derived("api-version 2026-03-02 (published for 2025-01-02)"),
    );
    // The published Location is a path with `&monitor=true&api-version=...` in it, as Microsoft wrote it.
    let location = "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/operations/{operationId}&monitor=true&api-version=2025-01-02";
    let poll = Exchange::new("GET", location, "").without_query("api-version").header("retry-after", "1");
    azure.replay.serve(poll.clone().respond(202, None).times(1).derived("still running"));
    azure.replay.serve(poll.respond(200, None).derived("done"));
    let target = target("azure.disk.Disk", &id);
    let results = azure.act(call("azure.disk.delete", &[], vec![target])).await.expect("called");
    assert_eq!(results[0].status, TargetStatus::Changed);
    assert_eq!(azure.replay.calls().len(), 4, "{:?}", azure.replay.calls());
    azure.replay.assert_clean();
}

#[tokio::test]
async fn throttling_is_retryable_with_its_retry_after() {
    let azure = azure(&[SUB]).await;
    azure.replay.serve(
        Exchange::new("GET", "/subscriptions/subid/providers/Microsoft.Network/networkSecurityGroups", "2025-07-01")
            .respond(429, Some(json!({"error": {"code": "TooManyRequests", "message": "Throttled."}})))
            .header("retry-after", "7")
            .header("x-ms-request-id", "req-429")
            .derived("ARM's 429 answer"),
    );
    let error = azure.query("azure.network.open_inbound_rules", &[]).await.expect_err("throttled");
    let ProviderError::Throttled { message, retry_after } = &error else { panic!("{error:?}") };
    assert_eq!(*retry_after, Some(std::time::Duration::from_secs(7)));
    assert!(message.contains("TooManyRequests") && message.contains("req-429"), "{message}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn other_refusals_name_azures_code_and_request_id_and_conflicts_in_progress_are_retried() {
    let azure = azure(&[SUB]).await;
    let path = "/subscriptions/subid/providers/Microsoft.Network/networkSecurityGroups";
    azure.replay.serve(
        Exchange::new("GET", path, "2025-07-01")
            .respond(403, Some(json!({"error": {"code": "AuthorizationFailed", "message": "No access."}})))
            .header("x-ms-request-id", "req-403")
            .times(1),
    );
    azure.replay.serve(
        Exchange::new("GET", path, "2025-07-01")
            .respond(409, Some(json!({"error": {"code": "AnotherOperationInProgress", "message": "Busy."}}))),
    );
    let refused = azure.query("azure.network.open_inbound_rules", &[]).await.expect_err("refused");
    assert_eq!(
        refused,
        ProviderError::Rejected("AuthorizationFailed: No access. (HTTP 403, x-ms-request-id req-403)".into())
    );
    let busy = azure.query("azure.network.open_inbound_rules", &[]).await.expect_err("busy");
    assert!(matches!(busy, ProviderError::Unavailable(_)) && busy.is_retryable(), "{busy:?}");
}

#[tokio::test]
async fn every_page_is_read_and_a_failed_page_fails_the_list() {
    let sub = "{subscription-id}";
    let azure = azure(&[sub]).await;
    let path = "/subscriptions/{subscription-id}/providers/Microsoft.Compute/disks";
    let first =
        escher_arm_replay::example("compute/2025-01-02/Disk_ListBySubscription.json")["responses"]["200"]["body"]
            .clone();
    let mut linked = first.clone();
    linked["nextLink"] =
        json!(format!("{}{path}?api-version=2026-03-02&$skiptoken=page2", escher_arm_replay::RESOURCE_MANAGER));
    azure.replay.serve(
        Exchange::new("GET", path, "2026-03-02")
            .respond(200, Some(linked))
            .times(2)
            .derived("Disk_ListBySubscription.json with its nextLink on Resource Manager"),
    );
    let mut last = first.clone();
    last["nextLink"] = serde_json::Value::Null;
    azure
        .replay
        .serve(Exchange::new("GET", path, "2026-03-02").query("$skiptoken", "page2").respond(200, Some(last)).times(1));
    let disks = azure.query("azure.disk.list", &[]).await.expect("listed");
    let per_page = first["value"].as_array().map_or(0, Vec::len);
    assert_eq!(disks.len(), 2 * per_page);

    azure.replay.serve(
        Exchange::new("GET", path, "2026-03-02")
            .query("$skiptoken", "page2")
            .respond(500, Some(json!({"error": {"code": "InternalServerError", "message": "Boom."}}))),
    );
    let failed = azure.query("azure.disk.list", &[]).await.expect_err("the second page failed");
    assert!(matches!(failed, ProviderError::Unavailable(_)), "{failed:?}");
}

#[tokio::test]
async fn a_next_link_off_resource_manager_is_not_followed() {
    let sub = "{subscription-id}";
    let azure = azure(&[sub]).await;
    // As published: the next page is on `http://disksvchost:99`.
    azure.replay.serve(
        Exchange::example(
            "compute/2025-01-02/Disk_ListBySubscription.json",
            "GET",
            "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/disks",
            200,
        )
        .api_version("2026-03-02")
        .derived("api-version 2026-03-02"),
    );
    let error = azure.query("azure.disk.list", &[]).await.expect_err("refused");
    assert!(error.to_string().contains("OffResourceManager") && error.to_string().contains("disksvchost"), "{error}");
    azure.replay.assert_clean();
}

#[tokio::test]
async fn one_token_serves_every_call_of_a_tenant() {
    let azure = azure(&[SUB]).await;
    let path = "/subscriptions/subid/providers/Microsoft.Network/networkSecurityGroups";
    azure.replay.serve(Exchange::new("GET", path, "2025-07-01").respond(200, Some(json!({"value": []}))));
    for _ in 0..5 {
        azure.query("azure.network.open_inbound_rules", &[]).await.expect("listed");
    }
    let log = azure.replay.log();
    let tokens = log.iter().filter(|l| l.path.ends_with("/oauth2/v2.0/token")).count();
    assert_eq!(tokens, 1);
    let bearer = format!("Bearer token-of-{TENANT}");
    assert!(log.iter().filter(|l| l.path == path).all(|l| l.headers.get("authorization") == Some(&bearer)));
    assert!(log.iter().filter(|l| l.path == path).all(|l| l.headers.contains_key("x-ms-client-request-id")));
}

#[tokio::test]
async fn each_tenant_signs_in_once_and_its_subscriptions_carry_its_token() {
    const OTHER_TENANT: &str = "11111111-2222-3333-4444-555555555555";
    let replay = escher_arm_replay::Replay::start().await;
    replay.serve(Exchange::token(TENANT));
    replay.serve(Exchange::token(OTHER_TENANT));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(&replay, dir.path(), &["sub-home", "sub-away"]);
    config.subscriptions[1].tenant_id = Some(OTHER_TENANT.into());
    for sub in ["sub-home", "sub-away"] {
        let path = format!("/subscriptions/{sub}/providers/Microsoft.Network/networkSecurityGroups");
        replay.serve(Exchange::new("GET", &path, "2025-07-01").respond(200, Some(json!({"value": []}))));
    }
    let credential =
        escher_azure::HostCredential::ClientSecret { client_id: "c".into(), secret: escher_azure::Secret::new("s") };
    let provider = escher_azure::AzureProvider::new(
        escher_azure::AzureContext::with_credential(config, credential).expect("context"),
    );
    for _ in 0..3 {
        escher_runtime::provider::Provider::call(&provider, &call("azure.network.open_inbound_rules", &[], Vec::new()))
            .await
            .expect("listed");
    }
    let log = replay.log();
    for (tenant, sub) in [(TENANT, "sub-home"), (OTHER_TENANT, "sub-away")] {
        let tokens = log.iter().filter(|l| l.path == format!("/{tenant}/oauth2/v2.0/token")).count();
        assert_eq!(tokens, 1, "{tenant}");
        let bearer = format!("Bearer token-of-{tenant}");
        let calls: Vec<_> = log.iter().filter(|l| l.path.starts_with(&format!("/subscriptions/{sub}/"))).collect();
        assert_eq!(calls.len(), 3);
        assert!(calls.iter().all(|l| l.headers.get("authorization") == Some(&bearer)), "{sub}");
    }
    replay.assert_clean();
}
