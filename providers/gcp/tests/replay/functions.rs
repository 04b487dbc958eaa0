//! Cloud Functions: both generations listed through v2; a 2nd-gen function changed through v2, a 1st-gen one
//! through v1 when v2 refuses.

use escher_compiler::plan::Value;
use escher_gcp_replay::Api;
use escher_runtime::provider::TargetStatus;

use crate::support::{DEV, call, field, gcp, gcp_for, labels, names, text};

#[tokio::test]
async fn functions_of_both_generations_are_listed() {
    let gcp = gcp().await;
    let all = gcp.query("gcp.functions.list", &[]).await.expect("listed");
    assert_eq!(names(&all), ["legacy-webhook", "thumbnailer"]);
    let thumbnailer = all.iter().find(|f| field(f, "name") == "thumbnailer").expect("thumbnailer");
    assert_eq!(
        [
            field(thumbnailer, "id"),
            field(thumbnailer, "region"),
            field(thumbnailer, "generation"),
            field(thumbnailer, "runtime")
        ],
        ["projects/acme-dev/locations/us-central1/functions/thumbnailer", "us-central1", "gen2", "python312"]
    );
    let in_europe = gcp.query("gcp.functions.list", &[("region", text("europe-west1"))]).await.expect("listed");
    assert_eq!(names(&in_europe), ["legacy-webhook"]);
    insta::assert_snapshot!("functions_list_requests", gcp.requests());
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn a_second_gen_function_changes_through_v2_and_a_first_gen_one_through_v1() {
    let gcp = gcp_for(&[DEV]).await;
    let all = gcp.query("gcp.functions.list", &[]).await.expect("listed");
    gcp.replay.clear_log();
    let capped = gcp
        .act(call("gcp.functions.set_max_instances", &[("max_instances", Value::Int(5))], all.clone()))
        .await
        .expect("called");
    assert!(capped.iter().all(|r| r.status == TargetStatus::Changed), "{capped:?}");
    let thumbnailer = gcp
        .replay
        .resource(Api::Functions, "projects/acme-dev/locations/us-central1/functions/thumbnailer")
        .expect("v2");
    assert_eq!(thumbnailer["serviceConfig"]["maxInstanceCount"], 5);
    let again = gcp.query("gcp.functions.list", &[("region", text("europe-west1"))]).await.expect("listed");
    assert_eq!(escher_runtime::provider::resource_int(&again[0], "max_instances"), Some(5));
    insta::assert_snapshot!("functions_max_instances_requests", gcp.requests());

    let labelled = gcp
        .act(call("gcp.functions.label", &[("labels", labels(&[("owner", "media")]))], all.clone()))
        .await
        .expect("called");
    assert!(labelled.iter().all(|r| r.status == TargetStatus::Changed));
    let deleted = gcp.act(call("gcp.functions.delete", &[], all.clone())).await.expect("called");
    assert!(deleted.iter().all(|r| r.status == TargetStatus::Changed));
    assert!(gcp.query("gcp.functions.list", &[]).await.expect("listed").is_empty());
    let gone = gcp.act(call("gcp.functions.delete", &[], all)).await.expect("called");
    assert!(gone.iter().all(|r| r.status == TargetStatus::Unchanged));
    gcp.replay.assert_clean();
}
