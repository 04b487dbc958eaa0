//! What the moto tests share: moto's address (the test FAILS when `ESCHER_TEST_MOTO` is unset: run
//! `scripts/emulators.sh start && . target/emulators.env`), SDK clients for seeding and checking moto directly,
//! and compiling and running playbooks with the AWS provider. Tests share one moto, so each uses its own
//! regions or tag values and asserts only on what it created.

#![allow(dead_code)]

pub mod proxy;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_ec2::types::{Filter, InstanceType, ResourceType, Tag, TagSpecification};
use escher_aws::{AwsConfig, AwsContext, AwsProvider};
use escher_compiler::plan::RiskLevel;
use escher_compiler::plan::{Plan, Value};
use escher_compiler::{CompileOptions, ParamInput, SourceLoader, compile};
use escher_runtime::approval::ApproveUpTo;
use escher_runtime::provider::{Provider, ProviderCall, ProviderResponse, TargetResult};
use escher_runtime::report::RunReport;
use escher_runtime::{RunOptions, Runtime};

/// moto's endpoint.
pub fn moto() -> String {
    match std::env::var("ESCHER_TEST_MOTO") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            panic!("ESCHER_TEST_MOTO is not set: start moto with `scripts/emulators.sh start` and source its env file")
        }
    }
}

/// Dummy credentials of moto's default account (123456789012), moto's endpoint, the given region.
pub fn sdk_config(region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(moto())
        .region(Region::new(region.to_string()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "test",
        )))
        .time_source(aws_smithy_async::time::SystemTimeSource::new())
        .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
        .build()
}

/// An Escher AWS context on moto listing the given regions.
pub fn context(regions: &[&str]) -> AwsContext {
    context_with(AwsConfig { regions: regions.iter().map(|r| r.to_string()).collect(), ..AwsConfig::default() })
}

pub fn context_with(config: AwsConfig) -> AwsContext {
    AwsContext::from_sdk_config(sdk_config("us-east-1"), config)
}

/// A plain EC2 client on moto, to seed and check state without going through Escher.
pub fn ec2(region: &str) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&sdk_config(region))
}

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}-{nanos:x}")
}

/// Launches `count` instances with these tags; returns their ids.
pub async fn launch(ec2: &aws_sdk_ec2::Client, count: i32, tags: &[(&str, &str)]) -> Vec<String> {
    let mut spec = TagSpecification::builder().resource_type(ResourceType::Instance);
    for (k, v) in tags {
        spec = spec.tags(Tag::builder().key(*k).value(*v).build());
    }
    let answer = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .instance_type(InstanceType::T3Micro)
        .min_count(count)
        .max_count(count)
        .tag_specifications(spec.build())
        .send()
        .await
        .expect("moto runs instances");
    answer.instances().iter().filter_map(|i| i.instance_id().map(str::to_string)).collect()
}

/// The state of each given instance, straight from DescribeInstances.
pub async fn states(ec2: &aws_sdk_ec2::Client, ids: &[String]) -> BTreeMap<String, String> {
    let answer = ec2
        .describe_instances()
        .filters(Filter::builder().name("instance-id").set_values(Some(ids.to_vec())).build())
        .send()
        .await
        .expect("moto describes instances");
    answer
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| {
            let state = i.state().and_then(|s| s.name()).map_or("", |n| n.as_str()).to_string();
            (i.instance_id().unwrap_or("").to_string(), state)
        })
        .collect()
}

/// Reads imports from the repository's `examples/` folder.
pub struct Examples;

impl SourceLoader for Examples {
    fn load(&self, importer: &str, path: &str) -> Result<(String, String), String> {
        let base = Path::new(importer).parent().unwrap_or(Path::new(""));
        let full = base.join(path);
        std::fs::read_to_string(&full).map(|text| (full.display().to_string(), text)).map_err(|e| e.to_string())
    }
}

/// The repository's `examples/NAME`.
pub fn example(name: &str) -> String {
    format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Compiles a playbook (text, imports from `examples/`) with parameters; panics with the diagnostics if it fails.
pub fn plan(name: &str, source: &str, params: &[(&str, &str)]) -> Plan {
    let given = params.iter().map(|(k, v)| (k.to_string(), ParamInput::Text(v.to_string()))).collect();
    let compilation = compile(name, source, &CompileOptions::plan(&Examples, given));
    match compilation.plan {
        Some(plan) if !compilation.has_errors() => plan,
        _ => panic!("{name} does not compile: {:#?}", compilation.diagnostics),
    }
}

/// Runs a plan to its end on these providers (the first serving a cloud gets its calls), approving everything, irreversible steps too.
pub async fn run(plan: Plan, providers: Vec<Arc<dyn Provider>>, dry_run: bool) -> RunReport {
    let dir = tempfile::tempdir().expect("a state dir");
    let mut builder = Runtime::builder()
        .state_dir(dir.path())
        .approver(Arc::new(ApproveUpTo { level: RiskLevel::Critical, who: "tester".into() }))
        .identity("tester", "executor");
    for provider in providers {
        builder = builder.provider(provider);
    }
    let runtime = builder.build().expect("a runtime");
    let handle = runtime.run(plan, RunOptions { dry_run }).expect("the run starts");
    handle.finish().await.expect("the run finishes")
}

/// The AWS provider on moto over these regions.
pub fn provider(regions: &[&str]) -> Arc<AwsProvider> {
    Arc::new(AwsProvider::new(context(regions)))
}

/// A provider call as the runtime makes it.
pub fn call(action: &str, args: Vec<(&str, Value)>, targets: Vec<Value>, dry_run: bool) -> ProviderCall {
    ProviderCall {
        run_id: "test".into(),
        node: "test".into(),
        action: action.into(),
        args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        secrets: BTreeMap::new(),
        targets,
        dry_run,
        idempotency_key: "test:test:0".into(),
        in_doubt: false,
    }
}

/// A query's list of records.
pub async fn query(provider: &dyn Provider, action: &str, args: Vec<(&str, Value)>) -> Vec<Value> {
    match provider.call(&call(action, args, Vec::new(), false)).await {
        Ok(ProviderResponse::Value(Value::List(items))) => items,
        other => panic!("{action} answered {other:?}"),
    }
}

/// An action's per-target results.
pub async fn act(
    provider: &dyn Provider,
    action: &str,
    targets: Vec<Value>,
    args: Vec<(&str, Value)>,
    dry_run: bool,
) -> Vec<TargetResult> {
    match provider.call(&call(action, args, targets, dry_run)).await {
        Ok(ProviderResponse::Targets(results)) => results,
        other => panic!("{action} answered {other:?}"),
    }
}

pub fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

pub fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| text(s)).collect())
}

pub fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Record(pairs.iter().map(|(k, v)| (k.to_string(), text(v))).collect())
}

/// A string field of a record.
pub fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    match record {
        Value::Record(fields) => match fields.get(name) {
            Some(Value::String(s)) => s,
            _ => "",
        },
        _ => "",
    }
}

pub fn ids(records: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = records.iter().map(|r| field(r, "id").to_string()).collect();
    ids.sort();
    ids
}

/// Launches `count` instances one reservation each (DescribeInstances pages count reservations, not instances).
pub async fn launch_each(ec2: &aws_sdk_ec2::Client, count: usize, tags: &[(&str, &str)]) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..count {
        ids.extend(launch(ec2, 1, tags).await);
    }
    ids
}
