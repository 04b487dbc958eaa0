//! Scenario 6: a dry run changes nothing; a failure mid-run with `on_failure = rollback` puts the earlier step's
//! targets back. The failure is real: moto refuses to delete a volume still attached to an instance
//! (`VolumeInUse`), as AWS does.

use crate::support::*;
use aws_sdk_ec2::types::Filter;
use escher_runtime::events::{RunStatus, StepStatus};

fn playbook(region: &str, suite: &str) -> String {
    format!(
        r#"playbook stop_and_clean {{
  let vms = aws.ec2.instances(regions = ["{region}"], tags = {{ suite: "{suite}" }}, state = "running")
  let volumes = aws.ec2.volumes(regions = ["{region}"], tags = {{ suite: "{suite}" }})
  step stop = aws.ec2.stop(vms) {{ max_targets = 5 }}
  step clean after (stop) = aws.ec2.delete_volumes(volumes) {{
    max_targets = 5,
    irreversible = true,
    on_failure = rollback,
  }}
}}"#
    )
}

#[tokio::test]
async fn a_dry_run_changes_nothing() {
    let region = "ap-southeast-4";
    let suite = unique("dry");
    let ids = launch(&ec2(region), 3, &[("suite", &suite)]).await;
    let report = run(plan("dry.esc", &playbook(region, &suite), &[]), vec![provider(&[region])], true).await;
    let stop = report.steps.iter().find(|s| s.node == "stop").expect("the stop step");
    assert_eq!(stop.changed.len(), 3, "the dry run says what would stop: {stop:?}");
    let now = states(&ec2(region), &ids).await;
    assert!(now.values().all(|s| s == "running"), "a dry run stopped something: {now:?}");
}

#[tokio::test]
async fn a_failure_with_rollback_restores_the_previous_states() {
    let region = "ca-west-1";
    let suite = unique("rollback");
    let ec2 = ec2(region);
    let ids = launch(&ec2, 2, &[("suite", &suite)]).await;
    let zone = ec2
        .describe_instances()
        .instance_ids(&ids[0])
        .send()
        .await
        .expect("describe")
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find_map(|i| i.placement().and_then(|p| p.availability_zone()).map(str::to_string))
        .expect("a zone");
    let volume = ec2
        .create_volume()
        .availability_zone(&zone)
        .size(1)
        .tag_specifications(
            aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::Volume)
                .tags(aws_sdk_ec2::types::Tag::builder().key("suite").value(&suite).build())
                .build(),
        )
        .send()
        .await
        .expect("moto creates a volume");
    let volume_id = volume.volume_id().unwrap_or_default().to_string();
    ec2.attach_volume().volume_id(&volume_id).instance_id(&ids[0]).device("/dev/sdf").send().await.expect("attach");

    let report = run(plan("rollback.esc", &playbook(region, &suite), &[]), vec![provider(&[region])], false).await;
    assert_ne!(report.status, RunStatus::Succeeded, "{report:#?}");
    let clean = report.steps.iter().find(|s| s.node == "clean").expect("the clean step");
    assert_eq!(clean.status, StepStatus::Failed, "{clean:?}");
    assert!(clean.failed.iter().any(|f| f.id == volume_id), "{clean:?}");

    let now = states(&ec2, &ids).await;
    assert!(now.values().all(|s| s == "running"), "the rollback did not start them again: {now:?}");
    let left = ec2
        .describe_volumes()
        .filters(Filter::builder().name("volume-id").values(&volume_id).build())
        .send()
        .await
        .expect("moto lists volumes");
    assert_eq!(left.volumes().len(), 1);
}
