//! A cloud-agnostic step over resources of three clouds: each cloud's provider receives its targets as the
//! action the stdlib declares implements the agnostic one there (`implements = ...`), with the arguments
//! renamed as that declaration says.

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

#[tokio::test(start_paused = true)]
async fn an_agnostic_step_reaches_each_clouds_provider_as_that_clouds_declared_action() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let aws = FakeCloud::named("aws", &[Cloud::Aws], vec![machine("i-1", "aws")]);
    let azure = FakeCloud::named("azure", &[Cloud::Azure], vec![machine("vm-2", "azure")]);
    let gcp = FakeCloud::named("gcp", &[Cloud::Gcp], vec![machine("gce-3", "gcp")]);
    let runtime = Runtime::builder()
        .provider(aws.clone())
        .provider(azure.clone())
        .provider(gcp.clone())
        .approver(Decide::approving())
        .event_sink(Arc::new(Collect::default()))
        .state_dir(dir.path())
        .limits(Limits::default())
        .identity("tester", "executor")
        .build()
        .expect("a runtime");
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
