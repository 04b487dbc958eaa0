//! Scenario 2: waste cleanup deletes unattached volumes and snapshots older than the threshold, and keeps the
//! rest. Part one runs the real `examples/waste_cleanup.esc` (in two regions no other test uses): unattached
//! volumes are snapshotted then deleted, `keep`-tagged ones stay, stopped dev instances are imaged then
//! terminated, running ones stay, and snapshots younger than the 90-day retention stay. moto stamps a snapshot
//! with the time it was made and the example's retention is at least a week, so part two checks "older than"
//! with a real age instead: a snapshot made 4 s before another, and a playbook deleting those older than 3 s.

use std::time::Duration;

use crate::support::*;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use escher_runtime::events::RunStatus;

fn tagged(kind: ResourceType, pairs: &[(&str, &str)]) -> TagSpecification {
    let mut spec = TagSpecification::builder().resource_type(kind);
    for (k, v) in pairs {
        spec = spec.tags(Tag::builder().key(*k).value(*v).build());
    }
    spec.build()
}

async fn volume(ec2: &aws_sdk_ec2::Client, region: &str, pairs: &[(&str, &str)]) -> String {
    let answer = ec2
        .create_volume()
        .availability_zone(format!("{region}a"))
        .size(2)
        .set_tag_specifications((!pairs.is_empty()).then(|| vec![tagged(ResourceType::Volume, pairs)]))
        .send()
        .await
        .expect("moto creates a volume");
    answer.volume_id().unwrap_or_default().to_string()
}

async fn snapshot(ec2: &aws_sdk_ec2::Client, volume_id: &str, pairs: &[(&str, &str)]) -> String {
    let answer = ec2
        .create_snapshot()
        .volume_id(volume_id)
        .set_tag_specifications((!pairs.is_empty()).then(|| vec![tagged(ResourceType::Snapshot, pairs)]))
        .send()
        .await
        .expect("moto snapshots");
    answer.snapshot_id().unwrap_or_default().to_string()
}

async fn volume_exists(ec2: &aws_sdk_ec2::Client, id: &str) -> bool {
    let answer = ec2
        .describe_volumes()
        .filters(Filter::builder().name("volume-id").values(id).build())
        .send()
        .await
        .expect("moto lists volumes");
    !answer.volumes().is_empty()
}

async fn snapshots_of(ec2: &aws_sdk_ec2::Client, filter: &str, value: &str) -> Vec<String> {
    let answer = ec2
        .describe_snapshots()
        .owner_ids("self")
        .filters(Filter::builder().name(filter).values(value).build())
        .send()
        .await
        .expect("moto lists snapshots");
    answer.snapshots().iter().filter_map(|s| s.snapshot_id().map(str::to_string)).collect()
}

#[tokio::test]
async fn waste_cleanup_removes_waste_and_keeps_the_rest() {
    let regions = ["ap-northeast-3", "af-south-1"];
    let mut waste = Vec::new();
    let mut kept = Vec::new();
    let mut recent = Vec::new();
    let mut running = Vec::new();
    for region in regions {
        let ec2 = ec2(region);
        waste.push((region, volume(&ec2, region, &[]).await));
        let keep = volume(&ec2, region, &[("keep", "yes")]).await;
        recent.push((region, snapshot(&ec2, &keep, &[]).await));
        kept.push((region, keep));
        running.push((region, launch(&ec2, 1, &[("env", "dev")]).await.remove(0)));
    }
    let idle = launch(&ec2(regions[0]), 1, &[("env", "dev")]).await.remove(0);
    ec2(regions[0]).stop_instances().instance_ids(&idle).send().await.expect("moto stops");

    let path = example("waste_cleanup.esc");
    let source = std::fs::read_to_string(&path).expect("the example exists");
    let plan = plan(&path, &source, &[("regions", &regions.join(","))]);
    let report = run(plan, vec![provider(&regions)], false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");

    for (region, id) in &waste {
        assert!(!volume_exists(&ec2(region), id).await, "unattached {id} in {region} was not deleted");
        assert_eq!(snapshots_of(&ec2(region), "volume-id", id).await.len(), 1, "{id} was not snapshotted first");
    }
    for (region, id) in &kept {
        assert!(volume_exists(&ec2(region), id).await, "{id} is tagged keep");
    }
    for (region, id) in &recent {
        assert_eq!(snapshots_of(&ec2(region), "snapshot-id", id).await, vec![id.clone()], "{id} is recent");
    }
    for (region, id) in &running {
        assert_eq!(states(&ec2(region), std::slice::from_ref(id)).await.get(id).map(String::as_str), Some("running"));
    }
    let idle_now = states(&ec2(regions[0]), std::slice::from_ref(&idle)).await;
    assert_eq!(idle_now.get(&idle).map(String::as_str), Some("terminated"), "the stopped dev instance");
    let images = ec2(regions[0]).describe_images().owners("self").send().await.expect("moto lists images");
    let prefix = format!("waste-cleanup-{idle}-");
    assert!(images.images().iter().any(|i| i.name().is_some_and(|n| n.starts_with(&prefix))), "imaged first");
}

#[tokio::test]
async fn snapshots_older_than_the_threshold_are_deleted() {
    let region = "ap-northeast-3";
    let suite = unique("age");
    let ec2 = ec2(region);
    let source_volume = volume(&ec2, region, &[("keep", "yes"), ("suite", &suite)]).await;
    let old = snapshot(&ec2, &source_volume, &[("suite", &suite)]).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let young = snapshot(&ec2, &source_volume, &[("suite", &suite)]).await;

    let source = format!(
        r#"playbook prune {{
  let old = aws.ec2.snapshots(regions = ["{region}"], tags = {{ suite: "{suite}" }}, older_than = 3s)
  step delete = aws.ec2.delete_snapshots(old) {{ max_targets = 5, irreversible = true }}
}}"#
    );
    let report = run(plan("prune.esc", &source, &[]), vec![provider(&[region])], false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let left = snapshots_of(&ec2, "tag:suite", &suite).await;
    assert_eq!(left, vec![young.clone()], "only {old} is older than 3 s");
}
