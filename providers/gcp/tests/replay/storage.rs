//! Cloud Storage: buckets with their IAM policy, public access removed, versioning on and off, labels.

use escher_compiler::plan::Value;
use escher_gcp_replay::Api;
use escher_runtime::provider::{TargetStatus, resource_bool};

use crate::support::{call, field, gcp, labels, names};

#[tokio::test]
async fn buckets_are_public_when_iam_grants_all_users() {
    let gcp = gcp().await;
    let all = gcp.query("gcp.storage.buckets", &[]).await.expect("listed");
    assert_eq!(names(&all), ["acme-dev-backups", "acme-dev-public-assets", "acme-prod-logs"]);
    let public = gcp.query("gcp.storage.buckets", &[("public", Value::Bool(true))]).await.expect("listed");
    assert_eq!(names(&public), ["acme-dev-public-assets"]);
    let backups = all.iter().find(|b| field(b, "name") == "acme-dev-backups").expect("backups");
    assert_eq!(resource_bool(backups, "versioning"), Some(true));
    assert_eq!(resource_bool(backups, "customer_managed_key"), Some(true));
    assert_eq!(field(backups, "region"), "us-central1");
    insta::assert_snapshot!("storage_list_requests", gcp.requests());
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn public_access_versioning_and_labels_are_patched_on_the_metageneration_read() {
    let gcp = gcp().await;
    let public = gcp.query("gcp.storage.buckets", &[("public", Value::Bool(true))]).await.expect("listed");
    gcp.replay.clear_log();
    let closed = gcp.act(call("gcp.storage.remove_public_access", &[], public.clone())).await.expect("called");
    assert_eq!(closed[0].status, TargetStatus::Changed);
    let bucket = gcp.replay.resource(Api::Storage, "b/acme-dev-public-assets").expect("bucket");
    assert_eq!(bucket["iamConfiguration"]["publicAccessPrevention"], "enforced");
    insta::assert_snapshot!("storage_remove_public_access_requests", gcp.requests());
    let again = gcp.act(call("gcp.storage.remove_public_access", &[], public.clone())).await.expect("called");
    assert_eq!(again[0].status, TargetStatus::Unchanged);

    let versioned = gcp.act(call("gcp.storage.enable_versioning", &[], public.clone())).await.expect("called");
    assert_eq!(versioned[0].status, TargetStatus::Changed);
    assert_eq!(
        gcp.replay.resource(Api::Storage, "b/acme-dev-public-assets").expect("bucket")["versioning"]["enabled"],
        true
    );
    let unversioned = gcp.act(call("gcp.storage.disable_versioning", &[], public.clone())).await.expect("called");
    assert_eq!(unversioned[0].status, TargetStatus::Changed);
    let labelled =
        gcp.act(call("gcp.storage.label", &[("labels", labels(&[("owner", "web")]))], public)).await.expect("called");
    assert_eq!(labelled[0].status, TargetStatus::Changed);
    let bucket = gcp.replay.resource(Api::Storage, "b/acme-dev-public-assets").expect("bucket");
    assert_eq!((bucket["labels"]["owner"].as_str(), bucket["labels"]["env"].as_str()), (Some("web"), Some("dev")));
    gcp.replay.assert_clean();
}
