//! EC2 listings against moto: filters, regions, every page read, and a page that fails failing the listing.

use crate::support::*;
use escher_aws::{AwsConfig, AwsContext, AwsProvider};
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, ProviderError};

#[tokio::test]
async fn every_page_comes_back() {
    let region = "ap-south-1";
    let suite = unique("pages");
    launch_each(&ec2(region), 13, &[("suite", &suite)]).await;
    let config = AwsConfig { regions: vec![region.into()], page_size: Some(5), ..AwsConfig::default() };
    let provider = std::sync::Arc::new(AwsProvider::new(context_with(config)));
    let found = query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("suite", &suite)]))]).await;
    assert_eq!(found.len(), 13);
    let pages = provider.context().calls().by_operation().get("EC2.DescribeInstances").copied().unwrap_or(0);
    assert!(pages >= 3, "13 instances at 5 a page take 3 pages, saw {pages} requests");
}

#[tokio::test]
async fn tags_state_and_regions_filter_the_listing() {
    let (a, b) = ("eu-west-3", "eu-south-1");
    let env = unique("env");
    let in_a = launch(&ec2(a), 2, &[("env", &env)]).await;
    let in_b = launch(&ec2(b), 1, &[("env", &env)]).await;
    launch(&ec2(a), 1, &[("env", "other")]).await;
    ec2(a).stop_instances().instance_ids(&in_a[0]).send().await.expect("moto stops");
    let provider = provider(&[a, b]);

    let all = query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("env", &env)]))]).await;
    assert_eq!(all.len(), 3);
    let running = query(
        provider.as_ref(),
        "aws.ec2.instances",
        vec![("tags", tags(&[("env", &env)])), ("state", text("running"))],
    )
    .await;
    let mut want = vec![in_a[1].clone(), in_b[0].clone()];
    want.sort();
    assert_eq!(ids(&running), want);
    let only_b = query(
        provider.as_ref(),
        "aws.ec2.instances",
        vec![("tags", tags(&[("env", &env)])), ("regions", strings(&[b]))],
    )
    .await;
    assert_eq!(ids(&only_b), in_b);
    let record = &only_b[0];
    assert_eq!(field(record, "kind"), "aws.ec2.Instance");
    assert_eq!(field(record, "cloud"), "aws");
    assert_eq!(field(record, "region"), b);
    assert_eq!(field(record, "account"), "123456789012");
    assert_eq!(field(record, "instance_type"), "t3.micro");
    assert!(field(record, "launch_time").ends_with('Z'), "{record:?}");

    // Without regions, every configured region: what `compute.instances` lists on AWS, where it is this query.
    let everywhere = query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("env", &env)]))]).await;
    assert_eq!(everywhere.len(), 3);
}

#[tokio::test]
async fn a_page_that_fails_fails_the_listing() {
    let region = "ap-southeast-1";
    let suite = unique("failing");
    launch_each(&ec2(region), 12, &[("suite", &suite)]).await;
    // Requests: GetCallerIdentity, then the first page; every later request is cut off.
    let (url, seen) = crate::support::proxy::start(&moto(), 2);
    let mut sdk = sdk_config("us-east-1").to_builder();
    sdk.set_endpoint_url(Some(url));
    let config = AwsConfig { regions: vec![region.into()], page_size: Some(5), ..AwsConfig::default() };
    let provider = std::sync::Arc::new(AwsProvider::new(AwsContext::from_sdk_config(sdk.build(), config)));
    let answer =
        provider.call(&call("aws.ec2.instances", vec![("tags", tags(&[("suite", &suite)]))], Vec::new(), false)).await;
    match answer {
        Err(ProviderError::Unavailable(message)) => assert!(message.contains("DescribeInstances"), "{message}"),
        other => panic!("a listing whose second page failed answered {other:?}"),
    }
    assert!(seen.load(std::sync::atomic::Ordering::SeqCst) >= 3, "the second page was asked for");
}

#[tokio::test]
async fn volumes_snapshots_and_open_rules() {
    let region = "ca-central-1";
    let ec2 = ec2(region);
    let suite = unique("storage");
    let spec = |kind| {
        aws_sdk_ec2::types::TagSpecification::builder()
            .resource_type(kind)
            .tags(aws_sdk_ec2::types::Tag::builder().key("suite").value(&suite).build())
            .build()
    };
    let volume = ec2
        .create_volume()
        .availability_zone(format!("{region}a"))
        .size(8)
        .tag_specifications(spec(aws_sdk_ec2::types::ResourceType::Volume))
        .send()
        .await
        .expect("moto creates a volume");
    let volume_id = volume.volume_id().unwrap_or_default().to_string();
    ec2.create_snapshot()
        .volume_id(&volume_id)
        .tag_specifications(spec(aws_sdk_ec2::types::ResourceType::Snapshot))
        .send()
        .await
        .expect("moto snapshots");
    let provider = provider(&[region]);
    let unattached = query(
        provider.as_ref(),
        "aws.ec2.volumes",
        vec![("tags", tags(&[("suite", &suite)])), ("attached", Value::Bool(false))],
    )
    .await;
    assert_eq!(ids(&unattached), vec![volume_id.clone()]);
    assert_eq!(field(&unattached[0], "availability_zone"), format!("{region}a"));
    let attached = query(
        provider.as_ref(),
        "aws.ec2.volumes",
        vec![("tags", tags(&[("suite", &suite)])), ("attached", Value::Bool(true))],
    )
    .await;
    assert!(attached.is_empty());
    let snapshots = query(provider.as_ref(), "aws.ec2.snapshots", vec![("tags", tags(&[("suite", &suite)]))]).await;
    assert_eq!(snapshots.len(), 1);
    assert_eq!(field(&snapshots[0], "volume_id"), volume_id);
    let old = query(
        provider.as_ref(),
        "aws.ec2.snapshots",
        vec![("tags", tags(&[("suite", &suite)])), ("older_than", Value::Duration { duration_ms: 3_600_000 })],
    )
    .await;
    assert!(old.is_empty(), "a snapshot taken now is not an hour old");

    let group = ec2
        .create_security_group()
        .group_name(&suite)
        .description("escher test")
        .send()
        .await
        .expect("moto creates a group");
    let group_id = group.group_id().unwrap_or_default().to_string();
    for (port, cidr) in [(22, "0.0.0.0/0"), (5432, "10.0.0.0/8")] {
        ec2.authorize_security_group_ingress()
            .group_id(&group_id)
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .cidr_ip(cidr)
            .send()
            .await
            .expect("moto authorizes");
    }
    let open =
        query(provider.as_ref(), "aws.ec2.open_ingress_rules", vec![("ports", Value::List(vec![Value::Int(22)]))])
            .await;
    let mine: Vec<&Value> = open.iter().filter(|r| field(r, "group_id") == group_id).collect();
    assert_eq!(mine.len(), 1, "{open:?}");
    assert_eq!(field(mine[0], "source"), "0.0.0.0/0");
    assert_eq!(field(mine[0], "group_name"), suite);
    let on_80 =
        query(provider.as_ref(), "aws.ec2.open_ingress_rules", vec![("ports", Value::List(vec![Value::Int(80)]))])
            .await;
    assert!(on_80.iter().all(|r| field(r, "group_id") != group_id));
}
