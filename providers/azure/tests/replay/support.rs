//! The provider, signed in through the real token endpoint, against a replay server of published examples.

use std::collections::BTreeMap;

use escher_arm_replay::{Exchange, Replay, published_vm};
use escher_azure::{AzureConfig, AzureContext, AzureProvider, HostCredential, Secret, SubscriptionConfig};
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, ProviderCall, ProviderError, ProviderResponse, TargetResult};

/// The tenant every test subscription belongs to.
pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

pub struct Azure {
    pub replay: Replay,
    pub provider: AzureProvider,
    _dir: tempfile::TempDir,
}

/// A provider for `subscriptions` (all in [`TENANT`]) on a fresh replay server.
pub async fn azure(subscriptions: &[&str]) -> Azure {
    let replay = Replay::start().await;
    replay.serve(Exchange::token(TENANT));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(&replay, dir.path(), subscriptions);
    let credential =
        HostCredential::ClientSecret { client_id: "escher-tests".into(), secret: Secret::new("not-a-secret") };
    let ctx = AzureContext::with_credential(config, credential).expect("context");
    Azure { replay, provider: AzureProvider::new(ctx), _dir: dir }
}

pub fn config(replay: &Replay, dir: &std::path::Path, subscriptions: &[&str]) -> AzureConfig {
    AzureConfig {
        subscriptions: subscriptions
            .iter()
            .map(|id| SubscriptionConfig { id: id.to_string(), name: None, tenant_id: None })
            .collect(),
        tenant_id: Some(TENANT.into()),
        resource_manager_endpoint: Some(replay.base().to_string()),
        authority_host: Some(replay.base().to_string()),
        ca_file: Some(replay.write_ca(dir)),
        operation_timeout_secs: Some(30),
        poll_interval_secs: Some(0),
        ..AzureConfig::default()
    }
}

pub fn call(action: &str, args: &[(&str, Value)], targets: Vec<Value>) -> ProviderCall {
    ProviderCall {
        run_id: "run-1".into(),
        node: "step".into(),
        action: action.into(),
        args: args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        secrets: BTreeMap::new(),
        targets,
        dry_run: false,
        idempotency_key: "run-1:step:0".into(),
        in_doubt: false,
    }
}

pub fn dry(mut call: ProviderCall) -> ProviderCall {
    call.dry_run = true;
    call
}

impl Azure {
    pub async fn query(&self, action: &str, args: &[(&str, Value)]) -> Result<Vec<Value>, ProviderError> {
        match self.provider.call(&call(action, args, Vec::new())).await? {
            ProviderResponse::Value(Value::List(items)) => Ok(items),
            other => panic!("{action} answered {other:?}"),
        }
    }

    pub async fn act(&self, call: ProviderCall) -> Result<Vec<TargetResult>, ProviderError> {
        match self.provider.call(&call).await? {
            ProviderResponse::Targets(results) => Ok(results),
            other => panic!("{} answered {other:?}", call.action),
        }
    }
}

pub fn text(value: &str) -> Value {
    Value::String(value.into())
}

pub fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    escher_runtime::provider::resource_field(record, name).unwrap_or("")
}

pub fn record(fields: &[(&str, Value)]) -> Value {
    Value::Record(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

/// A target as a query would have listed it: enough to be acted on.
pub fn target(kind: &str, id: &str) -> Value {
    let parts: Vec<&str> = id.split('/').collect();
    record(&[
        ("kind", text(kind)),
        ("id", text(id)),
        ("name", text(parts.last().copied().unwrap_or(""))),
        ("cloud", text("azure")),
        ("subscription", text(parts.get(2).copied().unwrap_or(""))),
    ])
}

pub fn vm_id(subscription: &str, group: &str, name: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}")
}

/// The read of one VM before acting on it: the published VM model asked with `$expand=instanceView`, as the VM
/// the action's own example names, in power state `power`.
pub fn vm_read(subscription: &str, group: &str, name: &str, power: &str) -> Exchange {
    let id = vm_id(subscription, group, name);
    Exchange::example("compute/2026-04-01/VirtualMachine_Get.json", "GET", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}", 200)
        .path(&id)
        .query("$expand", "instanceView")
        .respond(200, Some(published_vm(&id, power)))
        .derived("asked for the action's VM with $expand=instanceView; its instance view's power state set")
}
