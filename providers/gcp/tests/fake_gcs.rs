//! Cloud Storage listing and versioning on a real emulator, fake-gcs-server (`ESCHER_TEST_GCS`; the test fails
//! when it is unset), through `escher_gcp_replay::StorageFront`, which answers the bucket IAM reads
//! fake-gcs-server lacks and forwards everything else. Labels and public access prevention, which it does not
//! keep either, are tested on the replay (`tests/replay/storage.rs`).

use escher_compiler::plan::Value;
use escher_gcp::{Endpoints, Environment, GcpConfig, GcpContext, GcpProvider, ProjectConfig};
use escher_gcp_replay::StorageFront;
use escher_runtime::provider::{Provider, ProviderCall, ProviderResponse, TargetStatus, resource_bool, resource_field};

fn emulator() -> String {
    std::env::var("ESCHER_TEST_GCS").ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!("ESCHER_TEST_GCS is not set: start the emulators (scripts/emulators.sh start && . target/emulators.env)")
    })
}

fn call(action: &str, args: &[(&str, Value)], targets: Vec<Value>) -> ProviderCall {
    let mut call =
        ProviderCall::discovery_query(action, args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    call.targets = targets;
    call.idempotency_key = "run-1:step:0".into();
    call
}

#[tokio::test]
async fn buckets_are_listed_and_versioned_on_fake_gcs_server() {
    let upstream = emulator();
    let bucket = format!("escher-gcs-{}-{}", std::process::id(), chrono_free_nanos());
    let created = reqwest::Client::new()
        .post(format!("{upstream}/storage/v1/b?project=acme-dev"))
        .header("Content-Type", "application/json")
        .body(serde_json::json!({"name": bucket}).to_string())
        .send()
        .await
        .expect("fake-gcs-server answers");
    assert!(created.status().is_success(), "creating {bucket}: {}", created.status());

    let front = StorageFront::start(&upstream).await;
    let key = format!("{}/tests/fixtures/credentials/service-account.json", env!("CARGO_MANIFEST_DIR"));
    let config = GcpConfig {
        projects: vec![ProjectConfig { id: "acme-dev".into() }],
        endpoints: Endpoints { storage: Some(front.endpoint()), ..Endpoints::default() },
        page_size: Some(1),
        ..GcpConfig::default()
    };
    let env = Environment::from_pairs([("GOOGLE_APPLICATION_CREDENTIALS", key)]);
    let provider = GcpProvider::new(GcpContext::connect(config, &env).await.expect("signed in"));

    let ProviderResponse::Value(Value::List(buckets)) =
        provider.call(&call("gcp.storage.buckets", &[], Vec::new())).await.expect("listed")
    else {
        panic!("a list")
    };
    let ours =
        buckets.iter().find(|b| resource_field(b, "name") == Some(bucket.as_str())).expect("our bucket is listed");
    assert_eq!((resource_bool(ours, "versioning"), resource_bool(ours, "public")), (Some(false), Some(false)));
    // fake-gcs-server puts every bucket in US-CENTRAL1; the record spells locations in lower case.
    assert_eq!(resource_field(ours, "region"), Some("us-central1"));

    let ProviderResponse::Targets(results) =
        provider.call(&call("gcp.storage.enable_versioning", &[], vec![ours.clone()])).await.expect("called")
    else {
        panic!("per target")
    };
    assert_eq!(results[0].status, TargetStatus::Changed);
    let now = provider.describe(std::slice::from_ref(ours)).await.expect("read again");
    assert_eq!(resource_bool(&now[0], "versioning"), Some(true), "fake-gcs-server keeps it");
    let forwarded = front.forwarded();
    assert!(
        forwarded.iter().any(|r| r.starts_with("PATCH /storage/v1/b/") && r.contains("ifMetagenerationMatch=")),
        "{forwarded:?}"
    );
    assert!(forwarded.iter().filter(|r| r.starts_with("GET /storage/v1/b?")).count() >= 1);
}

/// A suffix that differs between runs against a long-lived emulator.
fn chrono_free_nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()) % 1_000_000
}
