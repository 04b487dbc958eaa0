//! EC2 actions against moto, called as the runtime calls the provider; every outcome is checked with a plain
//! describe call, not with the provider's own answer alone.

use crate::support::*;
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, TargetStatus};

/// The instance records the provider lists for a suite tag.
async fn instances(provider: &dyn Provider, suite: &str) -> Vec<Value> {
    query(provider, "aws.ec2.instances", vec![("tags", tags(&[("suite", suite)]))]).await
}

#[tokio::test]
async fn a_batch_with_a_bad_target_reports_which_failed() {
    let region = "us-west-1";
    let suite = unique("batch");
    let launched = launch(&ec2(region), 3, &[("suite", &suite)]).await;
    let provider = provider(&[region]);
    let mut targets = instances(provider.as_ref(), &suite).await;
    // An instance that does not exist (terminated and gone long ago): AWS refuses the whole request for it.
    let mut ghost = targets[0].clone();
    if let Value::Record(fields) = &mut ghost {
        fields.insert("id".into(), text("i-0123456789abcdef0"));
    }
    targets.push(ghost);
    let results = act(provider.as_ref(), "aws.ec2.stop", targets, vec![], false).await;
    assert_eq!(results.len(), 4);
    for result in &results {
        match result.id.as_str() {
            "i-0123456789abcdef0" => assert!(
                matches!(&result.status, TargetStatus::Failed { error } if error.contains("InvalidInstanceID")),
                "{result:?}"
            ),
            _ => assert_eq!(result.status, TargetStatus::Changed, "{result:?}"),
        }
    }
    let now = states(&ec2(region), &launched).await;
    assert!(now.values().all(|s| s == "stopped"), "{now:?}");

    // Stopping them again changes nothing.
    let again = act(provider.as_ref(), "aws.ec2.stop", instances(provider.as_ref(), &suite).await, vec![], false).await;
    assert!(again.iter().all(|r| r.status == TargetStatus::Unchanged), "{again:?}");

    let started =
        act(provider.as_ref(), "aws.ec2.start", instances(provider.as_ref(), &suite).await, vec![], false).await;
    assert!(started.iter().all(|r| r.status == TargetStatus::Changed), "{started:?}");
    assert!(states(&ec2(region), &launched).await.values().all(|s| s == "running"));
}

#[tokio::test]
async fn dry_runs_change_nothing() {
    let region = "us-west-2";
    let suite = unique("dry");
    let launched = launch(&ec2(region), 2, &[("suite", &suite)]).await;
    let provider = provider(&[region]);
    let targets = instances(provider.as_ref(), &suite).await;
    let results = act(provider.as_ref(), "aws.ec2.stop", targets.clone(), vec![], true).await;
    assert!(results.iter().all(|r| r.status == TargetStatus::Changed), "{results:?}");
    assert!(results.iter().all(|r| field(&r.resource, "state") == "stopping"));
    let tagged =
        act(provider.as_ref(), "aws.ec2.tag", targets.clone(), vec![("tags", tags(&[("owner", "x")]))], true).await;
    assert!(tagged.iter().all(|r| r.status == TargetStatus::Changed), "{tagged:?}");
    let gone = act(provider.as_ref(), "aws.ec2.terminate", targets, vec![], true).await;
    assert!(gone.iter().all(|r| r.status == TargetStatus::Changed), "{gone:?}");
    assert!(states(&ec2(region), &launched).await.values().all(|s| s == "running"));
    let listed = instances(provider.as_ref(), &suite).await;
    assert!(listed.iter().all(|r| match r {
        Value::Record(f) => !matches!(f.get("tags"), Some(Value::Record(t)) if t.contains_key("owner")),
        _ => false,
    }));
}

#[tokio::test]
async fn tags_are_set_and_removed() {
    let region = "eu-central-1";
    let suite = unique("tags");
    launch(&ec2(region), 2, &[("suite", &suite)]).await;
    let provider = provider(&[region]);
    let targets = instances(provider.as_ref(), &suite).await;
    let set = act(provider.as_ref(), "aws.ec2.tag", targets, vec![("tags", tags(&[("owner", "ops")]))], false).await;
    assert!(set.iter().all(|r| r.status == TargetStatus::Changed));
    let owned =
        query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("suite", &suite), ("owner", "ops")]))])
            .await;
    assert_eq!(owned.len(), 2);
    let removed = act(provider.as_ref(), "aws.ec2.untag", owned, vec![("keys", strings(&["owner"]))], false).await;
    assert!(removed.iter().all(|r| r.status == TargetStatus::Changed));
    let still =
        query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("suite", &suite), ("owner", "ops")]))])
            .await;
    assert!(still.is_empty());
}

#[tokio::test]
async fn images_snapshots_volumes_and_copies() {
    let (region, elsewhere) = ("eu-west-2", "us-east-2");
    let suite = unique("storage-actions");
    launch(&ec2(region), 1, &[("suite", &suite)]).await;
    let provider = provider(&[region]);
    let instance = instances(provider.as_ref(), &suite).await;
    let imaged =
        act(provider.as_ref(), "aws.ec2.create_images", instance.clone(), vec![("name_prefix", text(&suite))], false)
            .await;
    assert_eq!(imaged[0].status, TargetStatus::Changed, "{imaged:?}");
    let images = ec2(region).describe_images().owners("self").send().await.expect("moto lists images");
    let image = images
        .images()
        .iter()
        .find(|i| i.name().is_some_and(|n| n.starts_with(&suite)))
        .expect("the image exists")
        .clone();

    let volume = ec2(region)
        .create_volume()
        .availability_zone(format!("{region}a"))
        .size(4)
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
    let volumes = query(provider.as_ref(), "aws.ec2.volumes", vec![("tags", tags(&[("suite", &suite)]))]).await;
    let snapped =
        act(provider.as_ref(), "aws.ec2.create_snapshots", volumes.clone(), vec![("description", text(&suite))], false)
            .await;
    assert_eq!(snapped[0].status, TargetStatus::Changed, "{snapped:?}");
    let snaps = ec2(region)
        .describe_snapshots()
        .owner_ids("self")
        .filters(aws_sdk_ec2::types::Filter::builder().name("volume-id").values(&volume_id).build())
        .send()
        .await
        .expect("moto lists snapshots");
    assert_eq!(snaps.snapshots().len(), 1);
    let snapshot_id = snaps.snapshots()[0].snapshot_id().unwrap_or_default().to_string();
    let snapshot = query(provider.as_ref(), "aws.ec2.snapshots", vec![])
        .await
        .into_iter()
        .find(|s| field(s, "id") == snapshot_id)
        .expect("the snapshot is listed");

    let copied = act(
        provider.as_ref(),
        "aws.ec2.copy_snapshots",
        vec![snapshot.clone()],
        vec![("destination_region", text(elsewhere))],
        false,
    )
    .await;
    assert_eq!(copied[0].status, TargetStatus::Changed, "{copied:?}");
    let copies = ec2(elsewhere).describe_snapshots().owner_ids("self").send().await.expect("moto lists snapshots");
    assert!(
        copies.snapshots().iter().any(|s| s.description().is_some_and(|d| d.contains(&snapshot_id))),
        "no copy in {elsewhere}"
    );

    let restored = act(
        provider.as_ref(),
        "aws.ec2.restore_volumes",
        vec![snapshot.clone()],
        vec![("availability_zone", text(&format!("{region}b")))],
        false,
    )
    .await;
    assert_eq!(restored[0].status, TargetStatus::Changed, "{restored:?}");
    let from_snapshot = ec2(region)
        .describe_volumes()
        .filters(aws_sdk_ec2::types::Filter::builder().name("snapshot-id").values(&snapshot_id).build())
        .send()
        .await
        .expect("moto lists volumes");
    assert_eq!(from_snapshot.volumes().len(), 1);

    let deleted = act(provider.as_ref(), "aws.ec2.delete_volumes", volumes, vec![], false).await;
    assert_eq!(deleted[0].status, TargetStatus::Changed, "{deleted:?}");
    let deleted_snap = act(provider.as_ref(), "aws.ec2.delete_snapshots", vec![snapshot.clone()], vec![], false).await;
    assert_eq!(deleted_snap[0].status, TargetStatus::Changed, "{deleted_snap:?}");
    // Deleting what is gone is unchanged, not a failure.
    let again = act(provider.as_ref(), "aws.ec2.delete_snapshots", vec![snapshot], vec![], false).await;
    assert_eq!(again[0].status, TargetStatus::Unchanged, "{again:?}");
    let left = ec2(region)
        .describe_volumes()
        .filters(aws_sdk_ec2::types::Filter::builder().name("volume-id").values(&volume_id).build())
        .send()
        .await
        .expect("moto lists volumes");
    assert!(left.volumes().is_empty());

    let image_id = image.image_id().unwrap_or_default().to_string();
    let image_records = query(provider.as_ref(), "aws.ec2.images", vec![]).await;
    let record = image_records.into_iter().find(|i| field(i, "id") == image_id).expect("the image is listed");
    let gone = act(provider.as_ref(), "aws.ec2.deregister_images", vec![record], vec![], false).await;
    assert_eq!(gone[0].status, TargetStatus::Changed, "{gone:?}");
    let images = ec2(region).describe_images().owners("self").send().await.expect("moto lists images");
    assert!(images.images().iter().all(|i| i.image_id() != Some(image_id.as_str())));
}

#[tokio::test]
async fn ingress_rules_are_revoked_and_put_back() {
    let region = "eu-north-1";
    let name = unique("sg");
    let ec2 = ec2(region);
    let group = ec2.create_security_group().group_name(&name).description("t").send().await.expect("a group");
    let group_id = group.group_id().unwrap_or_default().to_string();
    ec2.authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_protocol("tcp")
        .from_port(3389)
        .to_port(3389)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .expect("moto authorizes");
    let provider = provider(&[region]);
    let open =
        query(provider.as_ref(), "aws.ec2.open_ingress_rules", vec![("ports", Value::List(vec![Value::Int(3389)]))])
            .await;
    let mine: Vec<Value> = open.into_iter().filter(|r| field(r, "group_id") == group_id).collect();
    assert_eq!(mine.len(), 1);
    let revoked = act(provider.as_ref(), "aws.ec2.revoke_ingress", mine.clone(), vec![], false).await;
    assert_eq!(revoked[0].status, TargetStatus::Changed, "{revoked:?}");
    let rules = |ec2: aws_sdk_ec2::Client, group_id: String| async move {
        let answer = ec2
            .describe_security_group_rules()
            .filters(aws_sdk_ec2::types::Filter::builder().name("group-id").values(group_id).build())
            .send()
            .await
            .expect("moto lists rules");
        answer.security_group_rules().iter().filter(|r| r.is_egress() != Some(true)).count()
    };
    assert_eq!(rules(ec2.clone(), group_id.clone()).await, 0);
    let back = act(provider.as_ref(), "aws.ec2.authorize_ingress", mine, vec![], false).await;
    assert_eq!(back[0].status, TargetStatus::Changed, "{back:?}");
    assert_eq!(rules(ec2.clone(), group_id.clone()).await, 1);
}

#[tokio::test]
async fn resize_changes_the_type_and_leaves_it_running() {
    let region = "ap-northeast-1";
    let suite = unique("resize");
    let launched = launch(&ec2(region), 1, &[("suite", &suite)]).await;
    let provider = provider(&[region]);
    let targets = instances(provider.as_ref(), &suite).await;
    let results =
        act(provider.as_ref(), "aws.ec2.resize", targets, vec![("instance_type", text("t3.large"))], false).await;
    assert_eq!(results[0].status, TargetStatus::Changed, "{results:?}");
    let now = ec2(region).describe_instances().instance_ids(&launched[0]).send().await.expect("describe");
    let instance = &now.reservations()[0].instances()[0];
    assert_eq!(instance.instance_type().map(|t| t.as_str()), Some("t3.large"));
    assert_eq!(instance.state().and_then(|s| s.name()).map(|n| n.as_str()), Some("running"));
}

#[tokio::test]
async fn describe_leaves_out_what_is_gone() {
    let region = "ap-northeast-2";
    let suite = unique("describe");
    let launched = launch(&ec2(region), 2, &[("suite", &suite)]).await;
    let provider = provider(&[region]);
    let targets = instances(provider.as_ref(), &suite).await;
    ec2(region).stop_instances().instance_ids(&launched[0]).send().await.expect("moto stops");
    let mut ghost = targets[0].clone();
    if let Value::Record(fields) = &mut ghost {
        fields.insert("id".into(), text("i-0fedcba9876543210"));
    }
    let mut asked = targets.clone();
    asked.push(ghost);
    let described = provider.describe(&asked).await.expect("describe answers");
    assert_eq!(ids(&described), {
        let mut l = launched.clone();
        l.sort();
        l
    });
    let stopped = described.iter().find(|r| field(r, "id") == launched[0]).expect("described");
    assert_eq!(field(stopped, "state"), "stopped");
}
