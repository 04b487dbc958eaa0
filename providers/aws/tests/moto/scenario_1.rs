//! Scenario 1: the real `examples/nightly_shutdown.esc` stops exactly the running EC2 instances tagged for the
//! environment, in its two regions, and no others. Its Azure and GCP steps go to the simulator; the AWS part runs
//! on moto through the AWS provider, and the final state is read back with DescribeInstances.

use std::sync::Arc;

use crate::support::*;
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::provider::Provider;

#[tokio::test]
async fn nightly_shutdown_stops_exactly_the_running_dev_instances_in_both_regions() {
    let (east, west) = ("sa-east-1", "ap-southeast-2");
    let mut dev = Vec::new();
    let mut others = Vec::new();
    for region in [east, west] {
        let ec2 = ec2(region);
        dev.extend(launch(&ec2, 2, &[("env", "dev"), ("Name", "web")]).await);
        others.extend(launch(&ec2, 1, &[("env", "test")]).await);
        others.extend(launch(&ec2, 1, &[("team", "dev")]).await);
    }
    // A dev instance in a region the playbook does not look in stays running.
    let elsewhere = launch(&ec2("ca-west-1"), 1, &[("env", "dev")]).await;

    let path = example("nightly_shutdown.esc");
    let source = std::fs::read_to_string(&path).expect("the example exists");
    let plan = plan(&path, &source, &[("regions", &format!("{east},{west}"))]);
    let aws: Arc<dyn Provider> = provider(&[east, west]);
    let sim: Arc<dyn Provider> = Arc::new(escher_sim::Sim::demo());
    let report = run(plan, vec![aws, sim], false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let stop = report.steps.iter().find(|s| s.node == "stop_ec2").expect("the EC2 step ran");
    assert_eq!(stop.status, StepStatus::Succeeded);
    for id in &dev {
        assert!(stop.changed.contains(id), "{id} was not stopped: {stop:?}");
    }

    let mut after = states(&ec2(east), &[dev.clone(), others.clone()].concat()).await;
    after.extend(states(&ec2(west), &[dev.clone(), others.clone()].concat()).await);
    for id in &dev {
        assert_eq!(after.get(id).map(String::as_str), Some("stopped"), "{id}: {after:?}");
    }
    for id in &others {
        assert_eq!(after.get(id).map(String::as_str), Some("running"), "{id} is not dev and must run: {after:?}");
    }
    assert_eq!(states(&ec2("ca-west-1"), &elsewhere).await.values().next().map(String::as_str), Some("running"));
}
