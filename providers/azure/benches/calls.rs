//! Per-call overhead of the Azure provider on the replay server (127.0.0.1, HTTPS, the real pipeline and token
//! code): a list of 1,000 VMs over 10 pages, then `azure.vm.deallocate` over 200 VMs. Prints requests per target
//! and time per request. Run: `cargo bench -p escher-azure --bench calls` (figures in docs/performance.md).

use std::collections::BTreeMap;
use std::time::Instant;

use escher_arm_replay::{Exchange, Replay, published_vm};
use escher_azure::{AzureConfig, AzureContext, AzureProvider, HostCredential, Secret, SubscriptionConfig};
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, ProviderCall, ProviderResponse, TargetStatus};
use serde_json::json;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "8f3c2a1e-5b7d-4e9a-9c61-2d4f8a0b7e13";
const PAGES: usize = 10;
const PER_PAGE: usize = 100;
const DEALLOCATED: usize = 200;

fn vm_id(i: usize) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-bench/providers/Microsoft.Compute/virtualMachines/vm-{i:04}")
}

fn vm(i: usize) -> serde_json::Value {
    published_vm(&vm_id(i), "running")
}

fn call(action: &str, targets: Vec<Value>) -> ProviderCall {
    ProviderCall {
        run_id: "bench".into(),
        node: "step".into(),
        action: action.into(),
        args: BTreeMap::new(),
        secrets: BTreeMap::new(),
        targets,
        dry_run: false,
        idempotency_key: "bench:step:0".into(),
        in_doubt: false,
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let replay = Replay::start().await;
        replay.serve(Exchange::token(TENANT));
        let list = format!("/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines");
        for page in 0..PAGES {
            let value: Vec<_> = (page * PER_PAGE..(page + 1) * PER_PAGE).map(vm).collect();
            let next = (page + 1 < PAGES).then(|| format!("{}{list}?api-version=2026-04-01&statusOnly=true&$skiptoken={}", escher_arm_replay::RESOURCE_MANAGER, page + 1));
            let mut exchange = Exchange::new("GET", &list, "2026-04-01").query("statusOnly", "true");
            if page > 0 {
                exchange = exchange.query("$skiptoken", &page.to_string());
            }
            replay.serve(exchange.respond(200, Some(json!({"value": value, "nextLink": next}))));
        }
        for i in 0..DEALLOCATED {
            replay.serve(Exchange::new("GET", &vm_id(i), "2026-04-01").query("$expand", "instanceView").respond(200, Some(vm(i))));
            replay.serve(Exchange::new("POST", &format!("{}/deallocate", vm_id(i)), "2026-04-01"));
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let config = AzureConfig {
            subscriptions: vec![SubscriptionConfig { id: SUB.into(), name: None, tenant_id: None }],
            tenant_id: Some(TENANT.into()),
            resource_manager_endpoint: Some(replay.base().into()),
            authority_host: Some(replay.base().into()),
            ca_file: Some(replay.write_ca(dir.path())),
            ..AzureConfig::default()
        };
        let credential = HostCredential::ClientSecret { client_id: "bench".into(), secret: Secret::new("bench") };
        let provider = AzureProvider::new(AzureContext::with_credential(config, credential).expect("context"));

        let started = Instant::now();
        let ProviderResponse::Value(Value::List(vms)) = provider.call(&call("azure.vm.list", Vec::new())).await.expect("listed")
        else {
            panic!("not a list")
        };
        let listing = started.elapsed();
        let list_requests = replay.calls().len();
        assert_eq!(vms.len(), PAGES * PER_PAGE);

        let targets: Vec<Value> = vms.into_iter().take(DEALLOCATED).collect();
        let started = Instant::now();
        let ProviderResponse::Targets(results) = provider.call(&call("azure.vm.deallocate", targets)).await.expect("called")
        else {
            panic!("not targets")
        };
        let acting = started.elapsed();
        assert!(results.iter().all(|r| r.status == TargetStatus::Changed));
        let act_requests = replay.calls().len() - list_requests;
        replay.assert_clean();

        let per = |d: std::time::Duration, n: usize| d.as_secs_f64() * 1000.0 / n as f64;
        println!("list {} VMs: {list_requests} requests ({} pages), {:.1} ms, {:.2} ms per request", PAGES * PER_PAGE, PAGES, listing.as_secs_f64() * 1000.0, per(listing, list_requests));
        println!(
            "deallocate {DEALLOCATED} VMs: {act_requests} requests, {:.2} requests per target, {:.1} ms, {:.2} ms per request, {:.2} ms per target",
            act_requests as f64 / DEALLOCATED as f64,
            acting.as_secs_f64() * 1000.0,
            per(acting, act_requests),
            per(acting, DEALLOCATED)
        );
    });
}
