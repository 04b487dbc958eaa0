//! Per-call overhead of the GCP provider on the replay of Google's APIs (127.0.0.1, plain HTTP, the real token
//! code with an authorized user): `gcp.compute.instances` over 2 projects and 3 zones, then `gcp.compute.stop`
//! over every instance. Prints requests per target, time per request and token fetches. Run:
//! `cargo bench -p escher-gcp --bench calls` (figures in docs/performance.md).

use std::time::{Duration, Instant};

use escher_compiler::plan::Value;
use escher_gcp::{Endpoints, Environment, GcpConfig, GcpContext, GcpProvider, ProjectConfig};
use escher_gcp_replay::{Estate, Replay};
use escher_runtime::provider::{Provider, ProviderCall, ProviderResponse, TargetStatus};

const PROJECTS: [&str; 2] = ["acme-dev", "acme-prod"];
const ZONES: [&str; 3] = ["us-central1-a", "us-central1-b", "europe-west1-b"];
const PER_ZONE: usize = 40;

fn call(action: &str, targets: Vec<Value>) -> ProviderCall {
    let mut call = ProviderCall::discovery_query(action, Default::default());
    call.targets = targets;
    call.idempotency_key = "bench:step:0".into();
    call
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let mut estate = Estate::empty();
        for project in PROJECTS {
            for zone in ZONES {
                for i in 0..PER_ZONE {
                    let name = format!("vm-{}-{i:03}", &zone[zone.len() - 1..]);
                    estate = estate.instance(project, zone, &name, "e2-medium", "RUNNING", &[("env", "bench")]);
                }
            }
        }
        let replay = Replay::start(estate).await;
        replay.set_page_size(100);
        let endpoints = replay.endpoints();
        let dir = tempfile::tempdir().expect("tempdir");
        let adc = dir.path().join("adc.json");
        let user = serde_json::json!({"type": "authorized_user", "client_id": "bench", "client_secret": "bench",
            "refresh_token": "bench", "token_uri": endpoints.oauth_token});
        std::fs::write(&adc, user.to_string()).expect("written");
        let config = GcpConfig {
            projects: PROJECTS.iter().map(|id| ProjectConfig { id: id.to_string() }).collect(),
            endpoints: Endpoints { compute: Some(endpoints.compute.clone()), ..Endpoints::default() },
            poll_interval_ms: Some(0),
            ..GcpConfig::default()
        };
        let env = Environment::from_pairs([("GOOGLE_APPLICATION_CREDENTIALS", adc.display().to_string())]);
        let provider = GcpProvider::new(GcpContext::connect(config, &env).await.expect("signed in"));
        replay.clear_log();

        let started = Instant::now();
        let ProviderResponse::Value(Value::List(instances)) =
            provider.call(&call("gcp.compute.instances", Vec::new())).await.expect("listed")
        else {
            panic!("not a list")
        };
        let listing = started.elapsed();
        let list_requests = replay.log().len();
        let total = PROJECTS.len() * ZONES.len() * PER_ZONE;
        assert_eq!(instances.len(), total);

        let started = Instant::now();
        let ProviderResponse::Targets(results) = provider.call(&call("gcp.compute.stop", instances)).await.expect("called")
        else {
            panic!("not targets")
        };
        let acting = started.elapsed();
        assert!(results.iter().all(|r| r.status == TargetStatus::Changed));
        let act_requests = replay.log().len() - list_requests;
        replay.assert_clean();

        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "list {total} instances in {} projects x {} zones: {list_requests} requests, {:.1} ms, {:.2} ms per request",
            PROJECTS.len(),
            ZONES.len(),
            ms(listing),
            ms(listing) / list_requests as f64
        );
        println!(
            "stop {total} instances: {act_requests} requests, {:.2} per target (read, stop, operation waits), {:.1} ms, {:.3} ms per request, {:.3} ms per target",
            act_requests as f64 / total as f64,
            ms(acting),
            ms(acting) / act_requests as f64,
            ms(acting) / total as f64
        );
        println!("token fetches: {}", replay.token_fetches());
    });
}
