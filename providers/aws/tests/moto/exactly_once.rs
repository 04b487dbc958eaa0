//! The runtime's exactly-once contract (`escher_runtime::provider::contract`) met by the AWS provider on moto:
//! creations carry the batch's idempotency key and a call in doubt finds what an earlier call made, and `is_done`
//! tells an action's effect from its target's record. Each count is read with plain SDK calls, not through the
//! provider.

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use escher_compiler::plan::Value;
use escher_runtime::provider::contract::{creation_is_idempotent, done_is_told_from_the_record};
use escher_runtime::provider::{IDEMPOTENCY_TAG, Provider, ProviderCall, ProviderResponse, TargetResult, TargetStatus};

use crate::support::{call, ec2, field, launch, provider, query, tags, text, unique};

const REGION: &str = "eu-south-2";
const ELSEWHERE: &str = "ap-east-1";

/// A call as the runtime makes it, under a key no other test uses.
fn keyed(action: &str, args: Vec<(&str, Value)>, targets: Vec<Value>) -> ProviderCall {
    ProviderCall { idempotency_key: unique("run:step:0"), ..call(action, args, targets, false) }
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The per-target results of an action call.
async fn results(provider: &dyn Provider, call: &ProviderCall) -> Vec<TargetResult> {
    match provider.call(call).await {
        Ok(ProviderResponse::Targets(results)) => results,
        other => panic!("{} answered {other:?}", call.action),
    }
}

/// A 4 GiB volume tagged `suite`, as the provider lists it.
async fn volume(provider: &dyn Provider, suite: &str) -> Value {
    let tagged = TagSpecification::builder()
        .resource_type(ResourceType::Volume)
        .tags(Tag::builder().key("suite").value(suite).build())
        .build();
    ec2(REGION)
        .create_volume()
        .availability_zone(format!("{REGION}a"))
        .size(4)
        .tag_specifications(tagged)
        .send()
        .await
        .expect("moto creates a volume");
    let listed = query(provider, "aws.ec2.volumes", vec![("tags", tags(&[("suite", suite)]))]).await;
    assert_eq!(listed.len(), 1, "one volume in suite {suite}: {listed:?}");
    listed[0].clone()
}

/// The snapshots of `region` matching `filters`, counted straight from DescribeSnapshots.
async fn snapshots(region: &str, filters: Vec<Filter>) -> Result<usize, String> {
    let answer = ec2(region).describe_snapshots().owner_ids("self").set_filters(Some(filters)).send().await;
    answer.map(|out| out.snapshots().len()).map_err(|e| format!("DescribeSnapshots: {e:?}"))
}

/// A completed snapshot of a fresh volume, as the provider lists it.
async fn snapshot(provider: &dyn Provider, suite: &str) -> Value {
    let volume = volume(provider, suite).await;
    let taken = ec2(REGION).create_snapshot().volume_id(field(&volume, "id")).send().await;
    let id = taken.expect("moto takes a snapshot").snapshot_id().unwrap_or_default().to_string();
    let listed = query(provider, "aws.ec2.snapshots", vec![("regions", Value::List(vec![text(REGION)]))]).await;
    listed.into_iter().find(|s| field(s, "id") == id).expect("the snapshot is listed")
}

#[tokio::test]
async fn ec2_snapshots_are_taken_once_per_key() {
    let provider = provider(&[REGION]);
    let volume = volume(provider.as_ref(), &unique("once-snap")).await;
    let volume_id = field(&volume, "id").to_string();
    let snap = keyed("aws.ec2.create_snapshots", vec![("description", text("once"))], vec![volume]);
    let of_volume = || snapshots(REGION, vec![filter("volume-id", &volume_id)]);
    creation_is_idempotent(provider.as_ref(), &snap, of_volume).await.expect("create_snapshots creates once per key");
    let keyed = vec![filter("volume-id", &volume_id), filter(&format!("tag:{IDEMPOTENCY_TAG}"), &snap.idempotency_key)];
    assert_eq!(snapshots(REGION, keyed).await, Ok(1), "the first call's snapshot carries its key");
}

#[tokio::test]
async fn ec2_snapshot_copies_are_made_once_per_key() {
    let provider = provider(&[REGION]);
    let source = snapshot(provider.as_ref(), &unique("once-copy")).await;
    let source_id = field(&source, "id").to_string();
    let copy = keyed("aws.ec2.copy_snapshots", vec![("destination_region", text(ELSEWHERE))], vec![source]);
    let copies = || snapshots(ELSEWHERE, vec![filter("tag:escher:source", &source_id)]);
    creation_is_idempotent(provider.as_ref(), &copy, copies).await.expect("copy_snapshots copies once per key");
}

#[tokio::test]
async fn ec2_volumes_are_restored_once_per_key() {
    let provider = provider(&[REGION]);
    let source = snapshot(provider.as_ref(), &unique("once-restore")).await;
    let source_id = field(&source, "id").to_string();
    let restore =
        keyed("aws.ec2.restore_volumes", vec![("availability_zone", text(&format!("{REGION}b")))], vec![source]);
    let restored = || async {
        let answer = ec2(REGION).describe_volumes().filters(filter("snapshot-id", &source_id)).send().await;
        answer.map(|out| out.volumes().len()).map_err(|e| format!("DescribeVolumes: {e:?}"))
    };
    creation_is_idempotent(provider.as_ref(), &restore, restored).await.expect("restore_volumes restores once per key");
}

#[tokio::test]
async fn an_ec2_image_is_made_once_by_a_call_in_doubt() {
    let suite = unique("once-image");
    launch(&ec2(REGION), 1, &[("suite", &suite)]).await;
    let provider = provider(&[REGION]);
    let instance = query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("suite", &suite)]))]).await;
    let instance_id = field(&instance[0], "id").to_string();
    let image = keyed("aws.ec2.create_images", vec![("name_prefix", text(&suite))], instance);
    let images = || async {
        let answer =
            ec2(REGION).describe_images().owners("self").filters(filter("tag:escher:source", &instance_id)).send();
        answer.await.map(|out| out.images().len()).expect("moto lists images")
    };
    // Not the whole contract: a call under a new key in the same second would ask AWS for an image name it has
    // already given (`PREFIX-INSTANCE-TIMESTAMP`, to the second), which AWS refuses and moto does not.
    for in_doubt in [false, true] {
        let made = results(provider.as_ref(), &ProviderCall { in_doubt, ..image.clone() }).await;
        assert_eq!(made[0].status, TargetStatus::Changed, "{made:?}");
        assert_eq!(images().await, 1, "one image after the call (in doubt: {in_doubt})");
    }
}

#[tokio::test]
async fn a_rule_put_back_in_doubt_is_found_by_its_key_not_authorized_twice() {
    let client = ec2(REGION);
    let group = client.create_security_group().group_name(unique("once-sg")).description("t").send().await;
    let group_id = group.expect("a group").group_id().unwrap_or_default().to_string();
    client
        .authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_protocol("tcp")
        .from_port(5432)
        .to_port(5432)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .expect("moto authorizes");
    let provider = provider(&[REGION]);
    let open = query(provider.as_ref(), "aws.ec2.open_ingress_rules", vec![]).await;
    let rule: Vec<Value> = open.into_iter().filter(|r| field(r, "group_id") == group_id).collect();
    let revoked = results(provider.as_ref(), &keyed("aws.ec2.revoke_ingress", vec![], rule.clone())).await;
    assert_eq!(revoked[0].status, TargetStatus::Changed, "{revoked:?}");

    // Not the whole contract: AWS holds one rule per group, protocol, ports and source, so a new key cannot
    // authorize it again (`InvalidPermission.Duplicate`, reported unchanged).
    let put_back = keyed("aws.ec2.authorize_ingress", vec![], rule);
    let first = results(provider.as_ref(), &put_back).await;
    assert_eq!(first[0].status, TargetStatus::Changed, "{first:?}");
    let again = results(provider.as_ref(), &ProviderCall { in_doubt: true, ..put_back }).await;
    assert_eq!(again[0].status, TargetStatus::Changed, "a call in doubt reports the rule it made: {again:?}");
    assert_eq!(field(&again[0].resource, "id"), field(&first[0].resource, "id"), "the same rule");
    let rules = client
        .describe_security_group_rules()
        .filters(filter("group-id", &group_id))
        .send()
        .await
        .expect("moto lists rules");
    let inbound = rules.security_group_rules().iter().filter(|r| r.is_egress() != Some(true)).count();
    assert_eq!(inbound, 1);
}

#[tokio::test]
async fn rds_snapshots_are_taken_once_per_key() {
    use crate::services::{postgres, rds};
    let (suite, name) = (unique("once-rds"), unique("once-rds-db"));
    let region = "us-east-1";
    postgres(region, &name, ("suite", &suite)).await;
    let provider = crate::services::provider(&[region]);
    let listed = query(&provider, "aws.rds.instances", vec![("tags", tags(&[("suite", &suite)]))]).await;
    let snap = keyed("aws.rds.create_snapshots", vec![("name_prefix", text("once"))], listed);
    let manual = || async {
        let answer =
            rds(region).describe_db_snapshots().db_instance_identifier(&name).snapshot_type("manual").send().await;
        answer.map(|out| out.db_snapshots().len()).map_err(|e| format!("DescribeDBSnapshots: {e:?}"))
    };
    creation_is_idempotent(&provider, &snap, manual).await.expect("rds create_snapshots creates once per key");
}

#[tokio::test]
async fn ec2_stop_and_tag_are_told_from_the_instance_record() {
    let suite = unique("once-done");
    launch(&ec2(REGION), 2, &[("suite", &suite)]).await;
    let provider = provider(&[REGION]);
    let mine = || query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("suite", &suite)]))]);
    let tag = keyed("aws.ec2.tag", vec![("tags", tags(&[("owner", &suite)]))], mine().await);
    done_is_told_from_the_record(provider.as_ref(), &tag).await.expect("tag is told from the record");
    let stop = keyed("aws.ec2.stop", vec![], mine().await);
    done_is_told_from_the_record(provider.as_ref(), &stop).await.expect("stop is told from the record");
}

#[tokio::test]
async fn a_resize_in_doubt_finishes_one_cut_short_and_is_then_done() {
    let suite = unique("once-resize");
    let launched = launch(&ec2(REGION), 1, &[("suite", &suite)]).await;
    let provider = provider(&[REGION]);
    let planned = query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("suite", &suite)]))]).await;
    let resize = keyed("aws.ec2.resize", vec![("instance_type", text("t3.large"))], planned.clone());
    // An earlier call stopped the instance and changed its type, and its answer was lost before the start.
    let client = ec2(REGION);
    client.stop_instances().instance_ids(&launched[0]).send().await.expect("moto stops");
    let large = aws_sdk_ec2::types::AttributeValue::builder().value("t3.large").build();
    client.modify_instance_attribute().instance_id(&launched[0]).instance_type(large).send().await.expect("modified");
    let cut_short = provider.describe(&planned).await.expect("described");
    assert_eq!(provider.is_done(&resize, cut_short.first()), Some(false), "stopped is not what a resize leaves");

    let finished = results(provider.as_ref(), &ProviderCall { in_doubt: true, ..resize.clone() }).await;
    assert_eq!(finished[0].status, TargetStatus::Changed, "{finished:?}");
    let now = provider.describe(&planned).await.expect("described");
    assert_eq!(field(&now[0], "state"), "running");
    assert_eq!(field(&now[0], "instance_type"), "t3.large");
    assert_eq!(provider.is_done(&resize, now.first()), Some(true));
}
