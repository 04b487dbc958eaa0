//! Compute Engine: instances, disks, snapshots and firewall rules, listed and changed.

use escher_gcp_replay::{Api, Fault};
use escher_runtime::provider::{Provider, TargetStatus};

use crate::support::{DEV, call, field, gcp, gcp_for, labels, names, text};

const WEB_1: &str = "projects/acme-dev/zones/us-central1-a/instances/web-1";

#[tokio::test]
async fn instances_come_from_every_page_of_each_projects_aggregated_list() {
    let gcp = gcp().await;
    let all = gcp.query("gcp.compute.instances", &[]).await.expect("listed");
    assert_eq!(names(&all), ["api-1", "bastion", "batch-1", "tools-1", "web-1", "web-2", "web-prod-1", "web-prod-2"]);
    let web_1 = all.iter().find(|r| field(r, "name") == "web-1").expect("web-1");
    assert_eq!(
        [field(web_1, "project"), field(web_1, "zone"), field(web_1, "region"), field(web_1, "state")],
        [DEV, "us-central1-a", "us-central1", "running"]
    );
    assert_eq!((field(web_1, "machine_type"), field(web_1, "cloud")), ("e2-standard-2", "gcp"));
    insta::assert_snapshot!("instances_list_requests", gcp.requests());
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn filters_by_project_zone_labels_and_status() {
    let gcp = gcp().await;
    let dev = labels(&[("env", "dev")]);
    let in_dev =
        gcp.query("gcp.compute.instances", &[("project", text(DEV)), ("labels", dev.clone())]).await.expect("listed");
    assert_eq!(names(&in_dev), ["api-1", "batch-1", "web-1", "web-2"]);
    let everywhere = gcp.query("gcp.compute.instances", &[("labels", dev)]).await.expect("listed");
    assert!(names(&everywhere).contains(&"tools-1"), "acme-prod's env=dev instance is found without a project");
    let stopped = gcp.query("gcp.compute.instances", &[("status", text("stopped"))]).await.expect("listed");
    assert_eq!(names(&stopped), ["batch-1"]);
    let zone_b = gcp.query("gcp.compute.instances", &[("zone", text("us-central1-b"))]).await.expect("listed");
    assert_eq!(names(&zone_b), ["api-1", "tools-1"]);
    let refused = gcp.query("gcp.compute.instances", &[("project", text("elsewhere"))]).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("`elsewhere` is not one Escher may reach")));
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn stop_reads_first_sends_a_request_id_and_follows_the_operation() {
    let gcp = gcp().await;
    let web_1 = gcp.one("gcp.compute.instances", &[("project", text(DEV))], "web-1").await;
    let batch_1 = gcp.one("gcp.compute.instances", &[("project", text(DEV))], "batch-1").await;
    gcp.replay.clear_log();
    let results = gcp.act(call("gcp.compute.stop", &[], vec![web_1, batch_1])).await.expect("called");
    assert_eq!(results[0].status, TargetStatus::Changed);
    assert_eq!(field(&results[0].resource, "state"), "terminated");
    assert_eq!(results[1].status, TargetStatus::Unchanged, "batch-1 was stopped already");
    let now = gcp.replay.resource(Api::Compute, WEB_1).expect("web-1");
    assert_eq!(now["status"], "TERMINATED");
    insta::assert_snapshot!("stop_requests", gcp.requests());
    let stop = gcp
        .replay
        .log()
        .into_iter()
        .find(|l| l.method_id.as_deref() == Some("compute.instances.stop"))
        .expect("a stop");
    let request_id = stop.query.get("requestId").expect("a requestId");
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn a_retried_stop_sends_the_same_request_id_and_stops_once() {
    let gcp = gcp().await;
    let web_2 = gcp.one("gcp.compute.instances", &[("project", text(DEV))], "web-2").await;
    gcp.replay.set_operation_polls(2);
    gcp.replay.fail(Fault::on("compute.zoneOperations.wait").reset());
    let first = gcp.provider.call(&call("gcp.compute.stop", &[], vec![web_2.clone()])).await;
    assert!(first.is_err_and(|e| e.is_retryable()), "no answer: the runtime retries");
    let mut retry = call("gcp.compute.stop", &[], vec![web_2]);
    retry.in_doubt = true;
    let results = gcp.act(retry).await.expect("called");
    assert_eq!(results[0].status, TargetStatus::Changed);
    let stops: Vec<_> =
        gcp.replay.log().into_iter().filter(|l| l.method_id.as_deref() == Some("compute.instances.stop")).collect();
    assert_eq!(stops.len(), 2);
    assert_eq!(stops[0].query.get("requestId"), stops[1].query.get("requestId"));
    let operations =
        gcp.replay.log().iter().filter(|l| l.method_id.as_deref() == Some("compute.zoneOperations.wait")).count();
    assert!(operations >= 2);
    assert_eq!(
        gcp.replay.resource(Api::Compute, "projects/acme-dev/zones/us-central1-a/instances/web-2").expect("web-2")["status"],
        "TERMINATED"
    );
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn start_reset_machine_type_and_labels() {
    let gcp = gcp().await;
    let batch_1 = gcp.one("gcp.compute.instances", &[("project", text(DEV))], "batch-1").await;
    let web_1 = gcp.one("gcp.compute.instances", &[("project", text(DEV))], "web-1").await;

    let resized = gcp
        .act(call(
            "gcp.compute.set_machine_type",
            &[("machine_type", text("n2-standard-8"))],
            vec![batch_1.clone(), web_1.clone()],
        ))
        .await
        .expect("called");
    assert_eq!(resized[0].status, TargetStatus::Changed);
    assert!(matches!(&resized[1].status, TargetStatus::Failed { error } if error.contains("stop it before")));
    let batch =
        gcp.replay.resource(Api::Compute, "projects/acme-dev/zones/us-central1-a/instances/batch-1").expect("batch-1");
    assert!(batch["machineType"].as_str().expect("a type").ends_with("/machineTypes/n2-standard-8"));

    let started = gcp.act(call("gcp.compute.start", &[], vec![batch_1])).await.expect("called");
    assert_eq!(started[0].status, TargetStatus::Changed);
    let reset = gcp.act(call("gcp.compute.reset", &[], vec![web_1.clone()])).await.expect("called");
    assert_eq!(reset[0].status, TargetStatus::Changed);

    let labelled = gcp
        .act(call("gcp.compute.label", &[("labels", labels(&[("owner", "team-a")]))], vec![web_1.clone()]))
        .await
        .expect("called");
    assert_eq!(labelled[0].status, TargetStatus::Changed);
    let now = gcp.replay.resource(Api::Compute, WEB_1).expect("web-1");
    assert_eq!((now["labels"]["owner"].as_str(), now["labels"]["env"].as_str()), (Some("team-a"), Some("dev")));
    let set_labels = gcp
        .replay
        .log()
        .into_iter()
        .find(|l| l.method_id.as_deref() == Some("compute.instances.setLabels"))
        .expect("setLabels");
    assert!(
        set_labels.body.as_ref().and_then(|b| b.get("labelFingerprint")).is_some(),
        "sent with the current fingerprint"
    );

    let refused =
        gcp.provider.call(&call("gcp.compute.label", &[("labels", labels(&[("Owner", "x")]))], vec![web_1])).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("label key `Owner`")), "checked before any call");
    insta::assert_snapshot!("start_reset_resize_label_requests", gcp.requests());
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn delete_deletes_once_and_a_gone_instance_is_unchanged() {
    let gcp = gcp().await;
    let bastion = gcp.one("gcp.compute.instances", &[("project", text(DEV))], "bastion").await;
    let deleted = gcp.act(call("gcp.compute.delete", &[], vec![bastion.clone()])).await.expect("called");
    assert_eq!(deleted[0].status, TargetStatus::Changed);
    assert!(gcp.replay.resource(Api::Compute, "projects/acme-dev/zones/europe-west1-b/instances/bastion").is_none());
    let again = gcp.act(call("gcp.compute.delete", &[], vec![bastion])).await.expect("called");
    assert_eq!(again[0].status, TargetStatus::Unchanged);
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn an_operation_that_ends_in_error_fails_its_target_with_googles_code() {
    let gcp = gcp().await;
    let batch_1 = gcp.one("gcp.compute.instances", &[("project", text(DEV))], "batch-1").await;
    gcp.replay.fail(
        Fault::on("compute.instances.start")
            .operation_error("ZONE_RESOURCE_POOL_EXHAUSTED", "no e2 capacity in us-central1-a"),
    );
    let results = gcp.act(call("gcp.compute.start", &[], vec![batch_1])).await.expect("called");
    let TargetStatus::Failed { error } = &results[0].status else { panic!("failed: {:?}", results[0].status) };
    assert!(error.contains("ZONE_RESOURCE_POOL_EXHAUSTED: no e2 capacity"), "{error}");
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn disks_are_listed_everywhere_and_an_attached_one_is_not_deleted() {
    let gcp = gcp_for(&[DEV]).await;
    let disks = gcp.query("gcp.compute.disks", &[]).await.expect("listed");
    let unattached = gcp
        .query("gcp.compute.disks", &[("attached", escher_compiler::plan::Value::Bool(false))])
        .await
        .expect("listed");
    assert_eq!(names(&unattached), ["data-archive", "shared-data"]);
    let shared = unattached.iter().find(|d| field(d, "name") == "shared-data").expect("regional");
    assert_eq!((field(shared, "region"), shared_zone(shared)), ("us-central1", None));
    let boot = disks.iter().find(|d| field(d, "name") == "web-1").expect("web-1's boot disk").clone();
    gcp.replay.clear_log();
    let results = gcp.act(call("gcp.compute.delete_disks", &[], vec![boot, shared.clone()])).await.expect("called");
    assert!(matches!(&results[0].status, TargetStatus::Failed { error } if error.contains("in use")));
    assert_eq!(results[1].status, TargetStatus::Changed);
    assert!(gcp.replay.resource(Api::Compute, "projects/acme-dev/regions/us-central1/disks/shared-data").is_none());
    insta::assert_snapshot!("delete_disks_requests", gcp.requests());
    gcp.replay.assert_clean();
}

fn shared_zone(disk: &escher_compiler::plan::Value) -> Option<&str> {
    escher_runtime::provider::resource_field(disk, "zone")
}

#[tokio::test]
async fn snapshots_are_made_with_the_batch_label_and_found_again_in_doubt() {
    let gcp = gcp_for(&[DEV]).await;
    let archive = gcp.one("gcp.compute.disks", &[], "data-archive").await;
    let made = gcp
        .act(call("gcp.compute.create_snapshots", &[("name_prefix", text("nightly"))], vec![archive.clone()]))
        .await
        .expect("called");
    assert_eq!(made[0].status, TargetStatus::Changed);
    let snapshots = gcp.query("gcp.compute.snapshots", &[("labels", labels(&[]))]).await.expect("listed");
    let ours: Vec<_> = snapshots.iter().filter(|s| field(s, "name").starts_with("nightly-data-archive-")).collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(field(ours[0], "source_disk"), "data-archive");

    let mut again = call("gcp.compute.create_snapshots", &[("name_prefix", text("nightly"))], vec![archive]);
    again.in_doubt = true;
    gcp.replay.clear_log();
    let resumed = gcp.act(again).await.expect("called");
    assert_eq!(resumed[0].status, TargetStatus::Changed);
    assert!(
        !gcp.calls().iter().any(|c| c.contains("createSnapshot")),
        "found again, not made twice: {:?}",
        gcp.calls()
    );

    let century = escher_compiler::plan::Value::Duration { duration_ms: 100 * 365 * 86_400_000 };
    assert!(gcp.query("gcp.compute.snapshots", &[("older_than", century)]).await.expect("listed").is_empty());
    let all = gcp.query("gcp.compute.snapshots", &[]).await.expect("listed");
    let deleted = gcp.act(call("gcp.compute.delete_snapshots", &[], all)).await.expect("called");
    assert!(deleted.iter().all(|r| r.status == TargetStatus::Changed));
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn open_firewall_rules_are_enabled_ingress_from_anywhere_and_close_and_open_again() {
    let gcp = gcp().await;
    let open = gcp.query("gcp.compute.open_firewall_rules", &[]).await.expect("listed");
    assert_eq!(names(&open), ["allow-ssh-anywhere"]);
    let rule = &open[0];
    assert_eq!((field(rule, "protocol"), field(rule, "source"), field(rule, "region")), ("tcp", "0.0.0.0/0", "global"));
    let on_443 = gcp
        .query(
            "gcp.compute.open_firewall_rules",
            &[("ports", escher_compiler::plan::Value::List(vec![escher_compiler::plan::Value::Int(443)]))],
        )
        .await
        .expect("listed");
    assert!(on_443.is_empty());
    let closed = gcp.act(call("gcp.compute.disable_firewall_rules", &[], open.clone())).await.expect("called");
    assert_eq!(closed[0].status, TargetStatus::Changed);
    assert_eq!(
        gcp.replay.resource(Api::Compute, "projects/acme-dev/global/firewalls/allow-ssh-anywhere").expect("rule")["disabled"],
        true
    );
    let opened = gcp.act(call("gcp.compute.enable_firewall_rules", &[], open)).await.expect("called");
    assert_eq!(opened[0].status, TargetStatus::Changed);
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn a_dry_run_reads_and_predicts_and_sends_nothing_else() {
    let gcp = gcp_for(&[DEV]).await;
    let instances = gcp.query("gcp.compute.instances", &[]).await.expect("listed");
    let disks = gcp.query("gcp.compute.disks", &[]).await.expect("listed");
    gcp.replay.clear_log();
    let mut stop = call("gcp.compute.stop", &[], instances.clone());
    stop.dry_run = true;
    let predicted = gcp.act(stop).await.expect("simulated");
    for result in &predicted {
        let expected =
            if field(&result.resource, "name") == "batch-1" { TargetStatus::Unchanged } else { TargetStatus::Changed };
        assert_eq!(result.status, expected, "{}", field(&result.resource, "name"));
    }
    let mut delete = call("gcp.compute.delete_disks", &[], disks);
    delete.dry_run = true;
    let predicted = gcp.act(delete).await.expect("simulated");
    let boot = predicted.iter().find(|r| field(&r.resource, "name") == "web-1").expect("web-1");
    assert!(matches!(&boot.status, TargetStatus::Failed { error } if error.contains("in use")));
    assert!(gcp.replay.log().iter().all(|l| l.http_method == "GET"), "{:?}", gcp.calls());
    gcp.replay.assert_clean();
}
