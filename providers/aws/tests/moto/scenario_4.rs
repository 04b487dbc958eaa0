//! Scenario 4: the real `examples/resize.esc` template changes an instance's type and leaves it running.

use crate::support::*;
use escher_runtime::events::RunStatus;

#[tokio::test]
async fn resize_changes_the_type_and_leaves_the_instance_running() {
    let region = "ap-southeast-3";
    let id = launch(&ec2(region), 1, &[("suite", &unique("resize"))]).await.remove(0);
    let neighbour = launch(&ec2(region), 1, &[("suite", &unique("neighbour"))]).await.remove(0);

    let path = example("resize.esc");
    let source = std::fs::read_to_string(&path).expect("the example exists");
    let plan = plan(&path, &source, &[("region", region), ("instance_id", &id), ("instance_type", "m7i.large")]);
    let report = run(plan, vec![provider(&[region])], false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");

    let answer =
        ec2(region).describe_instances().instance_ids(&id).instance_ids(&neighbour).send().await.expect("describe");
    for instance in answer.reservations().iter().flat_map(|r| r.instances()) {
        let state = instance.state().and_then(|s| s.name()).map(|n| n.as_str().to_string());
        let kind = instance.instance_type().map(|t| t.as_str().to_string());
        assert_eq!(state.as_deref(), Some("running"), "{instance:?}");
        if instance.instance_id() == Some(id.as_str()) {
            assert_eq!(kind.as_deref(), Some("m7i.large"));
        } else {
            assert_eq!(kind.as_deref(), Some("t3.micro"), "the neighbour is left alone");
        }
    }
}
