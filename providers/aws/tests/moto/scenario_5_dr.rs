//! Scenario 5: disaster-recovery preparation on moto. The real `examples/production_dr.esc` (every step is AWS)
//! runs with the AWS provider and an approver for its manager approvals. Afterwards, read from the services
//! themselves: every production database has a fresh `dr-` snapshot, every production bucket is versioned and
//! replicates to a versioned `dr-` bucket in the DR region, the critical instance has a `dr-` image, and the
//! Route 53 failover pair is PRIMARY (behind the health check) and SECONDARY. Resources not tagged for production
//! are left as they were.
//!
//! The regions are ones no other test here uses, and the zone is this test's own; buckets are global, so the
//! production-bucket caps are raised in case other runs left `env=prod` buckets behind.

use std::sync::Arc;

use crate::services::{health_check, postgres, rds, route53, s3, unique};
use aws_sdk_ec2::types::Filter;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover, RrType,
};
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration, Tag, Tagging, VersioningConfiguration,
};
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::provider::Provider;

const PRIMARY: &str = "us-east-2";
const DR: &str = "ca-central-1";

async fn bucket(name: &str, region: &str, env: &str, versioned: bool) {
    let client = s3(region);
    let mut create = client.create_bucket().bucket(name);
    if region != "us-east-1" {
        let location = CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(region));
        create = create.create_bucket_configuration(location.build());
    }
    create.send().await.expect("bucket created");
    let tag = Tag::builder().key("env").value(env).build().expect("tag");
    let tagging = Tagging::builder().tag_set(tag).build().expect("tagging");
    client.put_bucket_tagging().bucket(name).tagging(tagging).send().await.expect("tagged");
    if versioned {
        let on = VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build();
        client.put_bucket_versioning().bucket(name).versioning_configuration(on).send().await.expect("versioned");
    }
}

/// A zone with `app.ZONE.` as a failover pair not yet behind a health check; returns the zone id.
async fn zone(name: &str) -> String {
    let client = route53();
    let created = client.create_hosted_zone().name(name).caller_reference(unique("ref")).send().await.expect("zone");
    let id = created.hosted_zone().expect("a zone").id().trim_start_matches("/hostedzone/").to_string();
    let set = |set_id: &str, role: ResourceRecordSetFailover, ip: &str| {
        let set = ResourceRecordSet::builder()
            .name(format!("app.{name}."))
            .r#type(RrType::A)
            .ttl(60)
            .set_identifier(set_id)
            .failover(role)
            .resource_records(ResourceRecord::builder().value(ip).build().expect("record"))
            .build()
            .expect("set");
        Change::builder().action(ChangeAction::Create).resource_record_set(set).build().expect("change")
    };
    let batch = ChangeBatch::builder()
        .changes(set("primary", ResourceRecordSetFailover::Primary, "10.0.0.1"))
        .changes(set("secondary", ResourceRecordSetFailover::Secondary, "10.1.0.1"))
        .build()
        .expect("batch");
    client.change_resource_record_sets().hosted_zone_id(&id).change_batch(batch).send().await.expect("records");
    id
}

async fn snapshots_of(name: &str) -> Vec<String> {
    let out = rds(PRIMARY).describe_db_snapshots().db_instance_identifier(name).snapshot_type("manual").send();
    let out = out.await.expect("snapshots");
    out.db_snapshots().iter().filter_map(|s| s.db_snapshot_identifier().map(str::to_string)).collect()
}

fn versioning(name: &str) -> Option<String> {
    crate::services::bucket_versioning(name)
}

async fn replication_destinations(name: &str, region: &str) -> Vec<String> {
    match s3(region).get_bucket_replication().bucket(name).send().await {
        Ok(out) => out
            .replication_configuration()
            .map(|c| c.rules().iter().filter_map(|r| r.destination()).map(|d| d.bucket().to_string()).collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn production_dr_snapshots_versions_replicates_images_and_sets_the_failover_pair() {
    let id = unique("dr");
    let (prod_db_a, prod_db_b, dev_db) = (format!("{id}-db-a"), format!("{id}-db-b"), format!("{id}-db-dev"));
    postgres(PRIMARY, &prod_db_a, ("env", "prod")).await;
    postgres(PRIMARY, &prod_db_b, ("env", "prod")).await;
    postgres(PRIMARY, &dev_db, ("env", "dev")).await;
    let (prod_plain, prod_versioned, dev_bucket) =
        (format!("{id}-assets"), format!("{id}-uploads"), format!("{id}-scratch"));
    bucket(&prod_plain, PRIMARY, "prod", false).await;
    bucket(&prod_versioned, "us-east-1", "prod", true).await;
    bucket(&dev_bucket, PRIMARY, "dev", false).await;
    let ec2 = crate::support::ec2(PRIMARY);
    let critical = crate::support::launch(&ec2, 1, &[("env", "prod"), ("tier", "critical")]).await;
    let web = crate::support::launch(&ec2, 1, &[("env", "prod"), ("tier", "web")]).await;
    let zone_name = format!("{id}.example");
    let zone_id = zone(&zone_name).await;
    let check = health_check().await;

    let source = std::fs::read_to_string(crate::support::example("production_dr.esc")).expect("example read");
    let record_name = format!("app.{zone_name}.");
    let plan = crate::support::plan(
        "production_dr.esc",
        &source,
        &[
            ("primary_region", PRIMARY),
            ("dr_region", DR),
            ("zone", zone_name.as_str()),
            ("record_name", record_name.as_str()),
            ("health_check_id", check.as_str()),
            ("max_buckets", "50"),
        ],
    );
    let aws: Arc<dyn Provider> = crate::support::provider(&[PRIMARY]);
    let report = crate::support::run(plan, vec![aws], false).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    for step in &report.steps {
        assert_eq!(step.status, StepStatus::Succeeded, "{}: {step:#?}", step.node);
        assert!(step.failed.is_empty(), "{}: {:?}", step.node, step.failed);
    }

    for db in [&prod_db_a, &prod_db_b] {
        let taken = snapshots_of(db).await;
        assert_eq!(taken.len(), 1, "{db}: one snapshot: {taken:?}");
        assert!(taken[0].starts_with(&format!("dr-{db}-")), "{db}: named dr-INSTANCE-TIME: {taken:?}");
    }
    assert!(snapshots_of(&dev_db).await.is_empty(), "the dev database is not snapshotted");

    for (bucket, region) in [(&prod_plain, PRIMARY), (&prod_versioned, "us-east-1")] {
        assert_eq!(versioning(bucket), Some("Enabled".to_string()), "{bucket} versioned");
        let destination = format!("dr-{bucket}");
        assert_eq!(replication_destinations(bucket, region).await, [format!("arn:aws:s3:::{destination}")]);
        let location = s3("us-east-1").get_bucket_location().bucket(&destination).send().await.expect("dr bucket");
        assert_eq!(location.location_constraint().map(|c| c.as_str()), Some(DR), "{destination} is in the DR region");
        assert_eq!(versioning(&destination), Some("Enabled".to_string()), "{destination}");
    }
    assert_eq!(versioning(&dev_bucket), None, "the dev bucket is untouched");
    assert!(replication_destinations(&dev_bucket, PRIMARY).await.is_empty());

    let images = |instance: &str| {
        let filter = Filter::builder().name("name").values(format!("dr-{instance}-*")).build();
        ec2.describe_images().owners("self").filters(filter).send()
    };
    let critical_images = images(&critical[0]).await.expect("images listed");
    assert_eq!(critical_images.images().len(), 1, "one image of the critical instance");
    assert!(images(&web[0]).await.expect("images listed").images().is_empty(), "no image of the web instance");

    let sets = route53().list_resource_record_sets().hosted_zone_id(&zone_id).send().await.expect("records");
    let pair = |set_id: &str| {
        sets.resource_record_sets()
            .iter()
            .find(|s| s.set_identifier() == Some(set_id))
            .cloned()
            .unwrap_or_else(|| panic!("the {set_id} record exists"))
    };
    let (primary, secondary) = (pair("primary"), pair("secondary"));
    assert_eq!(primary.failover(), Some(&ResourceRecordSetFailover::Primary));
    assert_eq!(primary.health_check_id(), Some(check.as_str()), "the primary is behind the health check");
    assert_eq!(primary.resource_records()[0].value(), "10.0.0.1");
    assert_eq!(secondary.failover(), Some(&ResourceRecordSetFailover::Secondary));
    assert_eq!(secondary.health_check_id(), None);
}
