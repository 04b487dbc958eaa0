//! Cloud SQL: instances listed per project, started and stopped by activation policy, restarted, backed up (once,
//! even in doubt), re-tiered and deleted; a running operation in the way is retried.

use escher_gcp_replay::{Api, Fault};
use escher_runtime::provider::{Provider, TargetStatus};

use crate::support::{DEV, call, field, gcp, gcp_for, labels, names, text};

#[tokio::test]
async fn instances_are_read_as_declared() {
    let gcp = gcp().await;
    let all = gcp.query("gcp.sql.instances", &[]).await.expect("listed");
    assert_eq!(names(&all), ["legacy-mysql", "orders-db", "orders-db-prod"]);
    let orders = all.iter().find(|r| field(r, "name") == "orders-db").expect("orders-db");
    assert_eq!(
        [field(orders, "id"), field(orders, "state"), field(orders, "engine"), field(orders, "tier")],
        ["acme-dev:orders-db", "runnable", "postgres", "db-custom-2-7680"]
    );
    let legacy = all.iter().find(|r| field(r, "name") == "legacy-mysql").expect("legacy-mysql");
    assert_eq!((field(legacy, "state"), field(legacy, "engine")), ("stopped", "mysql"));
    let dev = gcp.query("gcp.sql.instances", &[("labels", labels(&[("env", "dev")]))]).await.expect("listed");
    assert_eq!(names(&dev), ["orders-db"]);
    insta::assert_snapshot!("sql_list_requests", gcp.requests());
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn stop_and_start_set_the_activation_policy_and_follow_the_operation() {
    let gcp = gcp_for(&[DEV]).await;
    let orders = gcp.one("gcp.sql.instances", &[], "orders-db").await;
    let legacy = gcp.one("gcp.sql.instances", &[], "legacy-mysql").await;
    gcp.replay.clear_log();
    let stopped = gcp.act(call("gcp.sql.stop", &[], vec![orders.clone(), legacy.clone()])).await.expect("called");
    assert_eq!(
        (stopped[0].status.clone(), stopped[1].status.clone()),
        (TargetStatus::Changed, TargetStatus::Unchanged)
    );
    let now = gcp.replay.resource(Api::SqlAdmin, "projects/acme-dev/instances/orders-db").expect("orders-db");
    assert_eq!(now["settings"]["activationPolicy"], "NEVER");
    insta::assert_snapshot!("sql_stop_requests", gcp.requests());
    let started = gcp.act(call("gcp.sql.start", &[], vec![orders])).await.expect("called");
    assert_eq!(started[0].status, TargetStatus::Changed);
    let now = gcp.replay.resource(Api::SqlAdmin, "projects/acme-dev/instances/orders-db").expect("orders-db");
    assert_eq!(now["settings"]["activationPolicy"], "ALWAYS");
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn restart_tier_and_delete() {
    let gcp = gcp_for(&[DEV]).await;
    let orders = gcp.one("gcp.sql.instances", &[], "orders-db").await;
    let legacy = gcp.one("gcp.sql.instances", &[], "legacy-mysql").await;
    let restarted = gcp.act(call("gcp.sql.restart", &[], vec![orders.clone(), legacy.clone()])).await.expect("called");
    assert_eq!(restarted[0].status, TargetStatus::Changed);
    assert!(matches!(&restarted[1].status, TargetStatus::Failed { error } if error.contains("must be running")));
    let tiered =
        gcp.act(call("gcp.sql.set_tier", &[("tier", text("db-custom-4-15360"))], vec![orders])).await.expect("called");
    assert_eq!(tiered[0].status, TargetStatus::Changed);
    let now = gcp.replay.resource(Api::SqlAdmin, "projects/acme-dev/instances/orders-db").expect("orders-db");
    assert_eq!(now["settings"]["tier"], "db-custom-4-15360");
    let deleted = gcp.act(call("gcp.sql.delete", &[], vec![legacy.clone()])).await.expect("called");
    assert_eq!(deleted[0].status, TargetStatus::Changed);
    assert!(gcp.replay.resource(Api::SqlAdmin, "projects/acme-dev/instances/legacy-mysql").is_none());
    let again = gcp.act(call("gcp.sql.delete", &[], vec![legacy])).await.expect("called");
    assert_eq!(again[0].status, TargetStatus::Unchanged);
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn a_backup_in_doubt_is_found_by_its_mark_and_not_made_twice() {
    let gcp = gcp_for(&[DEV]).await;
    let orders = gcp.one("gcp.sql.instances", &[], "orders-db").await;
    let made = gcp
        .act(call("gcp.sql.backup", &[("description", text("before upgrade"))], vec![orders.clone()]))
        .await
        .expect("called");
    assert_eq!(made[0].status, TargetStatus::Changed);
    let mut again = call("gcp.sql.backup", &[("description", text("before upgrade"))], vec![orders]);
    again.in_doubt = true;
    gcp.replay.clear_log();
    let resumed = gcp.act(again).await.expect("called");
    assert_eq!(resumed[0].status, TargetStatus::Changed);
    let calls = gcp.calls();
    assert!(
        calls.iter().any(|c| c.contains("sql.backupRuns.list"))
            && !calls.iter().any(|c| c.contains("sql.backupRuns.insert")),
        "{calls:?}"
    );
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn an_operation_in_progress_is_retried_by_the_runtime() {
    let gcp = gcp_for(&[DEV]).await;
    let orders = gcp.one("gcp.sql.instances", &[], "orders-db").await;
    gcp.replay.fail(Fault::on("sql.instances.patch").operation_in_progress());
    let refused = gcp.provider.call(&call("gcp.sql.stop", &[], vec![orders])).await;
    let error = refused.expect_err("the call fails whole");
    assert!(error.is_retryable() && error.to_string().contains("operationInProgress"), "{error}");
    gcp.replay.assert_clean();
}
