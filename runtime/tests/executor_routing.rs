//! A cloud-agnostic step over resources of three clouds: each cloud's provider receives its targets as the
//! action the stdlib declares implements the agnostic one there (`implements = ...`), with the arguments
//! renamed as that declaration says. A cloud-agnostic query reaches each cloud's provider the same way, as the
//! query implementing it there, with its arguments renamed and fixed; the answers are joined in cloud order.

mod executor_support;

use std::collections::BTreeMap;
use std::sync::Arc;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::events::RunStatus;
use escher_runtime::{Limits, RunOptions, Runtime};
use executor_support::*;

const STOP_AND_TAG_EVERYWHERE: &str = r#"
playbook everywhere {
  let vms = compute.instances(tags = { env: "dev" }, state = "running")
  step stop = compute.stop(vms) { max_targets = 10 }
  step tag = compute.tag(stop.changed, tags = { stopped: "tonight" }) { max_targets = 10 }
}
"#;

const LIST_EVERYWHERE: &str = r#"
playbook everywhere {
  let vms = compute.instances(tags = { env: "dev" })
  let plain = security.unencrypted_disks()
  step machines = report.table("Dev machines", vms)
  step disks = report.table("Unencrypted disks", plain)
}
"#;

/// A running dev machine of `cloud`.
fn machine(id: &str, cloud: &str) -> Value {
    record(&[
        ("id", Value::String(id.into())),
        ("name", Value::String(format!("vm-{id}"))),
        ("cloud", Value::String(cloud.into())),
        ("region", Value::String("region-1".into())),
        ("account", Value::String(format!("{cloud}-account"))),
        ("state", Value::String("running".into())),
        ("tags", Value::Record(BTreeMap::from([("env".to_string(), Value::String("dev".into()))]))),
    ])
}

/// Three providers, one per cloud, each holding one machine of its cloud, and a runtime over them.
fn three_clouds(dir: &std::path::Path) -> ([Arc<FakeCloud>; 3], Runtime) {
    let aws = FakeCloud::named("aws", &[Cloud::Aws], vec![machine("i-1", "aws")]);
    let azure = FakeCloud::named("azure", &[Cloud::Azure], vec![machine("vm-2", "azure")]);
    let gcp = FakeCloud::named("gcp", &[Cloud::Gcp], vec![machine("gce-3", "gcp")]);
    let runtime = Runtime::builder()
        .provider(aws.clone())
        .provider(azure.clone())
        .provider(gcp.clone())
        .approver(Decide::approving())
        .event_sink(Arc::new(Collect::default()))
        .state_dir(dir)
        .limits(Limits::default())
        .identity("tester", "executor")
        .build()
        .expect("a runtime");
    ([aws, azure, gcp], runtime)
}

#[tokio::test(start_paused = true)]
async fn an_agnostic_query_reaches_each_clouds_provider_as_that_clouds_declared_query_in_cloud_order() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let ([aws, azure, gcp], runtime) = three_clouds(dir.path());
    // The last cloud answers first: the joined list keeps the order of the clouds all the same.
    aws.set_latency(std::time::Duration::from_millis(30));
    azure.set_latency(std::time::Duration::from_millis(20));
    let handle = runtime.run(plan(LIST_EVERYWHERE), RunOptions::default()).expect("it starts");
    let report = handle.finish().await.expect("it ends");
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");

    let dev = Value::Record(BTreeMap::from([("env".to_string(), Value::String("dev".into()))]));
    let unencrypted = BTreeMap::from([("encrypted".to_string(), Value::Bool(false))]);
    let asked = |cloud: &Arc<FakeCloud>| -> Vec<(String, BTreeMap<String, Value>)> {
        cloud.calls().into_iter().map(|call| (call.action, call.args)).collect()
    };
    let listing = |action: &str, args: BTreeMap<String, Value>| (action.to_string(), args);
    let tags = |name: &str| BTreeMap::from([(name.to_string(), dev.clone())]);
    let mut aws_asked = asked(&aws);
    aws_asked.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        aws_asked,
        [listing("aws.ec2.instances", tags("tags")), listing("aws.ec2.volumes", unencrypted.clone())]
    );
    let mut azure_asked = asked(&azure);
    azure_asked.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(azure_asked, [listing("azure.disk.list", unencrypted.clone()), listing("azure.vm.list", tags("tags"))]);
    // GCP calls tags labels: the agnostic `tags` reach it as `labels`.
    let mut gcp_asked = asked(&gcp);
    gcp_asked.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        gcp_asked,
        [listing("gcp.compute.disks", unencrypted), listing("gcp.compute.instances", tags("labels"))]
    );

    let listed = |node: &str| ids(&report.steps.iter().find(|step| step.node == node).expect("the query").output);
    assert_eq!(listed("vms"), ["i-1", "vm-2", "gce-3"]);
    assert_eq!(listed("plain"), ["i-1", "vm-2", "gce-3"]);
}

#[tokio::test(start_paused = true)]
async fn an_agnostic_step_reaches_each_clouds_provider_as_that_clouds_declared_action() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let ([aws, azure, gcp], runtime) = three_clouds(dir.path());
    let handle = runtime.run(plan(STOP_AND_TAG_EVERYWHERE), RunOptions::default()).expect("it starts");
    let report = handle.finish().await.expect("it ends");
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");

    let acted = |cloud: &Arc<FakeCloud>| -> Vec<(String, Vec<String>)> {
        cloud
            .calls()
            .into_iter()
            .filter(|call| !call.targets.is_empty())
            .map(|call| (call.action, call.targets))
            .collect()
    };
    let pair = |action: &str, id: &str| (action.to_string(), vec![id.to_string()]);
    assert_eq!(acted(&aws), [pair("aws.ec2.stop", "i-1"), pair("aws.ec2.tag", "i-1")]);
    assert_eq!(acted(&azure), [pair("azure.vm.deallocate", "vm-2"), pair("azure.vm.tag", "vm-2")]);
    assert_eq!(acted(&gcp), [pair("gcp.compute.stop", "gce-3"), pair("gcp.compute.label", "gce-3")]);

    // GCP calls tags labels: the agnostic `tags` reach it as `labels`, and nothing else is renamed.
    let label = gcp.calls_of("gcp.compute.label").remove(0);
    let tonight = Value::Record(BTreeMap::from([("stopped".to_string(), Value::String("tonight".into()))]));
    assert_eq!(label.args.get("labels"), Some(&tonight));
    assert_eq!(label.args.get("tags"), None);
    assert_eq!(azure.calls_of("azure.vm.tag").remove(0).args.get("tags"), Some(&tonight));
}
