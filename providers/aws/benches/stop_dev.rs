//! The issue's performance figure: on moto, 2,000 EC2 instances of which 1,000 are tagged `env=dev`; how long
//! Escher takes to stop every running dev instance (list + stop, through the compiler, the runtime and the AWS
//! provider, cold start included: context, plan, runtime, first credentials), and how many API calls it makes.
//!
//! Run against a moto of its own (it empties moto first so the region holds exactly the bench's instances):
//! `scripts/emulators.sh start && . target/emulators.env && cargo bench -p escher-aws --bench stop_dev`
//! (`--profile dev` for a debug build). Prints the figures; fails when `ESCHER_TEST_MOTO` is unset.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_ec2::types::{Filter, InstanceType, ResourceType, Tag, TagSpecification};
use escher_aws::{AwsConfig, AwsContext, AwsProvider};
use escher_compiler::plan::RiskLevel;
use escher_compiler::{CompileOptions, NoImports, compile};
use escher_runtime::approval::ApproveUpTo;
use escher_runtime::{RunOptions, Runtime};

const REGION: &str = "mx-central-1";
const TOTAL: i32 = 2_000;
const DEV: i32 = 1_000;
const PER_CALL: i32 = 250;

fn sdk_config(moto: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(moto)
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "bench",
        )))
        .time_source(aws_smithy_async::time::SystemTimeSource::new())
        .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
        .build()
}

async fn seed(ec2: &aws_sdk_ec2::Client) {
    for batch in 0..TOTAL / PER_CALL {
        let env = if batch * PER_CALL < DEV { "dev" } else { "prod" };
        let spec = TagSpecification::builder()
            .resource_type(ResourceType::Instance)
            .tags(Tag::builder().key("env").value(env).build())
            .build();
        ec2.run_instances()
            .image_id("ami-12c6146b")
            .instance_type(InstanceType::T3Micro)
            .min_count(PER_CALL)
            .max_count(PER_CALL)
            .tag_specifications(spec)
            .send()
            .await
            .expect("moto runs instances");
    }
}

async fn count(ec2: &aws_sdk_ec2::Client, env: &str, state: &str) -> usize {
    let mut pages = ec2
        .describe_instances()
        .filters(Filter::builder().name("tag:env").values(env).build())
        .filters(Filter::builder().name("instance-state-name").values(state).build())
        .into_paginator()
        .send();
    let mut n = 0;
    while let Some(page) = pages.next().await {
        n += page.expect("moto lists").reservations().iter().map(|r| r.instances().len()).sum::<usize>();
    }
    n
}

#[tokio::main]
async fn main() {
    let moto = std::env::var("ESCHER_TEST_MOTO").expect("ESCHER_TEST_MOTO must name moto (scripts/emulators.sh start)");
    assert!(reset_moto(&moto), "moto did not reset");
    let ec2 = aws_sdk_ec2::Client::new(&sdk_config(&moto));
    let seeding = Instant::now();
    seed(&ec2).await;
    println!("seeded {TOTAL} instances ({DEV} env=dev) in {REGION} in {:.1} s", seeding.elapsed().as_secs_f64());

    let started = Instant::now();
    let config = AwsConfig { regions: vec![REGION.into()], ..AwsConfig::default() };
    let provider = Arc::new(AwsProvider::new(AwsContext::from_sdk_config(sdk_config(&moto), config)));
    let source = format!(
        r#"playbook stop_dev {{
  let dev = aws.ec2.instances(regions = ["{REGION}"], tags = {{ env: "dev" }}, state = "running")
  step stop = aws.ec2.stop(dev) {{ max_targets = 1000 }}
}}"#
    );
    let compilation = compile("stop_dev.esc", &source, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    let plan = compilation.plan.expect("the bench playbook compiles");
    let dir = tempfile::tempdir().expect("a state dir");
    let runtime = Runtime::builder()
        .state_dir(dir.path())
        .provider(provider.clone())
        .approver(Arc::new(ApproveUpTo { level: RiskLevel::Critical, who: "bench".into() }))
        .identity("bench", "executor")
        .build()
        .expect("a runtime");
    let report = runtime.run(plan, RunOptions::default()).expect("starts").finish().await.expect("finishes");
    let elapsed = started.elapsed();
    let stop = report.steps.iter().find(|s| s.node == "stop").expect("the stop step");
    let calls = provider.context().calls();

    println!("stop every running env=dev instance: {:.2} s wall, status {:?}", elapsed.as_secs_f64(), report.status);
    println!("  instances stopped: {} changed, {} failed", stop.changed.len(), stop.failed.len());
    println!("  API calls: {} in all", calls.total());
    for (operation, n) in calls.by_operation() {
        println!("    {operation}: {n}");
    }
    let baseline = Instant::now();
    let (dev_stopped, prod_running) = (count(&ec2, "dev", "stopped").await, count(&ec2, "prod", "running").await);
    println!(
        "  for scale: two plain filtered DescribeInstances over the same 2,000 take moto {:.2} s",
        baseline.elapsed().as_secs_f64()
    );
    println!("  checked with DescribeInstances: {dev_stopped} dev stopped, {prod_running} prod still running");
    assert_eq!(dev_stopped, DEV as usize);
    assert_eq!(prod_running, (TOTAL - DEV) as usize);
}

/// `POST /moto-api/reset` over a plain TCP connection (no HTTP client crate just for this).
fn reset_moto(moto: &str) -> bool {
    use std::io::{Read, Write};
    let host = moto.trim_start_matches("http://").trim_end_matches('/');
    let Ok(mut stream) = std::net::TcpStream::connect(host) else { return false };
    let request =
        format!("POST /moto-api/reset HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).is_ok() && answer.starts_with("HTTP/1.1 200")
}
