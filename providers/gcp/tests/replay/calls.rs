//! How calls fail: each fault of Google's APIs classified once (retried or refused), and a list that lost a page
//! or a zone failing whole rather than coming back short.

use escher_gcp_replay::Fault;
use escher_runtime::provider::{ProviderError, TargetStatus};

use crate::support::{DEV, call, gcp, gcp_for, text};

#[tokio::test]
async fn throttling_and_5xx_are_retryable_and_name_what_was_asked() {
    let gcp = gcp_for(&[DEV]).await;
    for (fault, throttled) in [
        (Fault::on("compute.instances.aggregatedList").status(429), true),
        (Fault::on("compute.instances.aggregatedList").rate_limit_exceeded(), true),
        (Fault::on("compute.instances.aggregatedList").status(503), false),
        (Fault::on("compute.instances.aggregatedList").reset(), false),
    ] {
        gcp.replay.fail(fault);
        let error = gcp.query("gcp.compute.instances", &[]).await.expect_err("failed");
        assert!(error.is_retryable(), "{error}");
        assert_eq!(matches!(error, ProviderError::Throttled { .. }), throttled, "{error}");
        assert!(
            error.to_string().contains("compute.instances.aggregatedList")
                || matches!(error, ProviderError::Timeout(_)),
            "{error}"
        );
    }
    assert!(gcp.query("gcp.compute.instances", &[]).await.is_ok(), "the faults were used up");
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn any_other_4xx_fails_the_target_naming_method_and_target() {
    let gcp = gcp_for(&[DEV]).await;
    let web_1 = gcp.one("gcp.compute.instances", &[], "web-1").await;
    gcp.replay.fail(Fault::on("compute.instances.stop").status(403));
    let results = gcp.act(call("gcp.compute.stop", &[], vec![web_1])).await.expect("called");
    let TargetStatus::Failed { error } = &results[0].status else { panic!("failed: {:?}", results[0].status) };
    assert!(error.contains("compute.instances.stop projects/acme-dev/zones/us-central1-a/instances/web-1"), "{error}");
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn a_failed_page_or_an_unreachable_zone_fails_the_list() {
    let gcp = gcp_for(&[DEV]).await;
    gcp.replay.fail(Fault::on("compute.instances.aggregatedList").page(2));
    let error = gcp.query("gcp.compute.instances", &[]).await.expect_err("a page failed");
    assert!(error.is_retryable(), "{error}");

    gcp.replay.fail(Fault::on("compute.disks.aggregatedList").unreachable_zone("us-central1-b"));
    let error = gcp.query("gcp.compute.disks", &[]).await.expect_err("a zone was not reached");
    assert!(error.to_string().contains("us-central1-b"), "{error}");

    gcp.replay.fail(Fault::on("cloudfunctions.projects.locations.functions.list").unreachable_zone("us-central1-b"));
    let error =
        gcp.query("gcp.functions.list", &[("project", text(DEV))]).await.expect_err("a location was not reached");
    assert!(error.to_string().contains("could not be reached"), "{error}");
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn every_request_carries_the_token_and_only_declared_parameters() {
    let gcp = gcp().await;
    for query in escher_gcp::inventory::QUERIES {
        gcp.query(query, &[]).await.unwrap_or_else(|e| panic!("{query}: {e}"));
    }
    assert!(gcp.replay.log().iter().all(|l| l.authorization.as_deref().is_some_and(|a| a.starts_with("Bearer "))));
    gcp.replay.assert_clean();
}
