//! S3 through the provider against moto: buckets read in their own region with their public-access block,
//! default encryption, versioning, replication and public state; each action and its repeat; replication's
//! preconditions; dry runs.

use crate::services::*;
use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
    VersioningConfiguration,
};
use escher_aws::AwsProvider;
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, TargetStatus};

/// A bucket in `region` tagged `suite=SUITE`.
async fn bucket(name: &str, region: &str, suite: &str) {
    let client = s3(region);
    let mut create = client.create_bucket().bucket(name);
    if region != "us-east-1" {
        let location = CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(region));
        create = create.create_bucket_configuration(location.build());
    }
    create.send().await.expect("moto creates the bucket");
    let tag = Tag::builder().key("suite").value(suite).build().expect("tag");
    client
        .put_bucket_tagging()
        .bucket(name)
        .tagging(Tagging::builder().tag_set(tag).build().expect("tagging"))
        .send()
        .await
        .expect("bucket tagged");
}

async fn versioning(name: &str, region: &str, status: BucketVersioningStatus) {
    s3(region)
        .put_bucket_versioning()
        .bucket(name)
        .versioning_configuration(VersioningConfiguration::builder().status(status).build())
        .send()
        .await
        .expect("versioning set");
}

async fn kms_encryption(name: &str, region: &str, key: &str) {
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::AwsKms)
        .kms_master_key_id(key)
        .build()
        .expect("rule");
    let config = ServerSideEncryptionConfiguration::builder()
        .rules(ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).build())
        .build()
        .expect("config");
    s3(region)
        .put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(config)
        .send()
        .await
        .expect("encryption set");
}

async fn suite_buckets(aws: &AwsProvider, suite: &str, extra: &[(&str, Value)]) -> Vec<Value> {
    let mut args = vec![("tags", map(&[("suite", suite)]))];
    args.extend(extra.iter().cloned());
    listed(aws.call(&call("aws.s3.buckets", &args, vec![], false)).await.expect("buckets listed"))
}

async fn the_bucket(aws: &AwsProvider, suite: &str, name: &str) -> Value {
    let found = suite_buckets(aws, suite, &[]).await;
    find(&found, "name", name).unwrap_or_else(|| panic!("bucket {name} is listed: {found:?}")).clone()
}

fn act(action: &str, args: &[(&str, Value)], target: &Value) -> escher_runtime::provider::ProviderCall {
    call(action, args, vec![target.clone()], false)
}

#[tokio::test]
async fn buckets_are_read_in_their_region_with_their_settings_and_filtered() {
    let suite = unique("s3list");
    let (open, policy, locked, kms) =
        (format!("{suite}-open"), format!("{suite}-policy"), format!("{suite}-locked"), format!("{suite}-kms"));
    bucket(&open, "us-east-1", &suite).await;
    s3("us-east-1").put_bucket_acl().bucket(&open).acl(BucketCannedAcl::PublicRead).send().await.expect("acl set");
    bucket(&policy, "eu-west-1", &suite).await;
    let document = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{policy}/*"}}]}}"#
    );
    s3("eu-west-1").put_bucket_policy().bucket(&policy).policy(document).send().await.expect("policy set");
    bucket(&locked, "eu-west-1", &suite).await;
    let aws = provider(&["us-east-1"]);
    let block = act("aws.s3.block_public_access", &[], &the_bucket(&aws, &suite, &locked).await);
    results(aws.call(&block).await.expect("blocked"));
    bucket(&kms, "us-west-2", &suite).await;
    kms_encryption(&kms, "us-west-2", "arn:aws:kms:us-west-2:123456789012:key/abc").await;
    versioning(&kms, "us-west-2", BucketVersioningStatus::Enabled).await;

    let all = suite_buckets(&aws, &suite, &[]).await;
    assert_eq!(all.len(), 4, "{all:?}");
    let record = |name: &str| find(&all, "name", name).expect("listed").clone();
    let open = record(&open);
    assert_eq!(str_of(&open, "kind"), "aws.s3.Bucket");
    assert_eq!(str_of(&open, "region"), "us-east-1");
    assert_eq!(str_of(&open, "account"), ACCOUNT);
    assert_eq!(field(&open, "public"), &Value::Bool(true), "a public-read ACL makes it public");
    assert_eq!(field(&open, "public_access_blocked"), &Value::Bool(false));
    let policy = record(&policy);
    assert_eq!(str_of(&policy, "region"), "eu-west-1");
    assert_eq!(field(&policy, "public"), &Value::Bool(true), "a policy open to * makes it public");
    let locked = record(&locked);
    assert_eq!(field(&locked, "public"), &Value::Bool(false));
    assert_eq!(field(&locked, "public_access_blocked"), &Value::Bool(true));
    let kms = record(&kms);
    assert_eq!(str_of(&kms, "region"), "us-west-2");
    assert_eq!(field(&kms, "encrypted"), &Value::Bool(true));
    assert_eq!(str_of(&kms, "encryption"), "aws:kms");
    assert_eq!(field(&kms, "versioning"), &Value::Bool(true));
    assert_eq!(field(&kms, "tags"), &map(&[("suite", &suite)]));

    let public = suite_buckets(&aws, &suite, &[("public", Value::Bool(true))]).await;
    let mut names: Vec<&str> = public.iter().map(|b| str_of(b, "name")).collect();
    names.sort();
    assert_eq!(names, [str_of(&open, "name"), str_of(&policy, "name")]);
    let encrypted = suite_buckets(&aws, &suite, &[("encrypted", Value::Bool(true))]).await;
    assert!(encrypted.iter().any(|b| str_of(b, "name") == str_of(&kms, "name")));
    assert!(encrypted.iter().all(|b| field(b, "encrypted") == &Value::Bool(true)));
}

#[tokio::test]
async fn public_access_is_blocked_encryption_set_and_repeats_leave_buckets_unchanged() {
    let suite = unique("s3act");
    let name = format!("{suite}-b");
    bucket(&name, "eu-west-1", &suite).await;
    s3("eu-west-1").put_bucket_acl().bucket(&name).acl(BucketCannedAcl::PublicRead).send().await.expect("acl set");
    let aws = provider(&["us-east-1"]);
    let target = the_bucket(&aws, &suite, &name).await;
    assert_eq!(field(&target, "public"), &Value::Bool(true));

    let block = act("aws.s3.block_public_access", &[], &target);
    let blocked = results(aws.call(&block).await.expect("block answered"));
    assert_eq!(statuses(&blocked), ["changed"]);
    assert_eq!(field(&blocked[0].resource, "public"), &Value::Bool(false));
    let config = s3("eu-west-1").get_public_access_block().bucket(&name).send().await.expect("block read");
    let config = config.public_access_block_configuration().expect("a block");
    assert_eq!(
        [
            config.block_public_acls(),
            config.ignore_public_acls(),
            config.block_public_policy(),
            config.restrict_public_buckets()
        ],
        [Some(true); 4]
    );
    assert_eq!(statuses(&results(aws.call(&block).await.expect("block answered"))), ["unchanged"]);

    let aes = act("aws.s3.enable_default_encryption", &[], &target);
    assert_eq!(statuses(&results(aws.call(&aes).await.expect("encrypt answered"))), ["changed"]);
    let now = the_bucket(&aws, &suite, &name).await;
    assert_eq!((field(&now, "encrypted"), str_of(&now, "encryption")), (&Value::Bool(true), "AES256"));
    assert_eq!(statuses(&results(aws.call(&aes).await.expect("encrypt answered"))), ["unchanged"]);
    let kms = act(
        "aws.s3.enable_default_encryption",
        &[("algorithm", text("aws:kms")), ("kms_key_id", text("alias/data"))],
        &target,
    );
    assert_eq!(statuses(&results(aws.call(&kms).await.expect("encrypt answered"))), ["changed"]);
    let rule = s3("eu-west-1").get_bucket_encryption().bucket(&name).send().await.expect("encryption read");
    let default = rule
        .server_side_encryption_configuration()
        .and_then(|c| c.rules().first())
        .and_then(|r| r.apply_server_side_encryption_by_default())
        .expect("a default rule");
    assert_eq!(
        (default.sse_algorithm(), default.kms_master_key_id()),
        (&ServerSideEncryption::AwsKms, Some("alias/data"))
    );

    let tag = act("aws.s3.tag", &[("tags", map(&[("owner", "data")]))], &target);
    assert_eq!(statuses(&results(aws.call(&tag).await.expect("tag answered"))), ["changed"]);
    assert_eq!(field(&the_bucket(&aws, &suite, &name).await, "tags"), &map(&[("owner", "data"), ("suite", &suite)]));
    assert_eq!(statuses(&results(aws.call(&tag).await.expect("tag answered"))), ["unchanged"]);
}

#[tokio::test]
async fn versioning_is_enabled_then_suspended_and_a_replicating_bucket_keeps_it() {
    let suite = unique("s3ver");
    let name = format!("{suite}-b");
    bucket(&name, "us-east-1", &suite).await;
    let aws = provider(&["us-east-1"]);
    let target = the_bucket(&aws, &suite, &name).await;
    let enable = act("aws.s3.enable_versioning", &[], &target);
    assert_eq!(statuses(&results(aws.call(&enable).await.expect("answered"))), ["changed"]);
    let read = bucket_versioning(&name);
    assert_eq!(read.as_deref(), Some("Enabled"));
    assert_eq!(statuses(&results(aws.call(&enable).await.expect("answered"))), ["unchanged"]);
    let suspend = act("aws.s3.suspend_versioning", &[], &target);
    assert_eq!(statuses(&results(aws.call(&suspend).await.expect("answered"))), ["changed"]);
    let read = bucket_versioning(&name);
    assert_eq!(read.as_deref(), Some("Suspended"));
    assert_eq!(statuses(&results(aws.call(&suspend).await.expect("answered"))), ["unchanged"]);

    results(aws.call(&enable).await.expect("answered"));
    let replicate = act(
        "aws.s3.enable_replication",
        &[("destination_region", text("us-west-2")), ("destination_prefix", text("dr-"))],
        &target,
    );
    assert_eq!(statuses(&results(aws.call(&replicate).await.expect("answered"))), ["changed"]);
    let refused = results(aws.call(&suspend).await.expect("answered"));
    assert!(
        matches!(&refused[0].status, TargetStatus::Failed { error } if error.contains("replicates")),
        "{refused:?}"
    );
    let read = bucket_versioning(&name);
    assert_eq!(read.as_deref(), Some("Enabled"), "versioning stays on");
}

#[tokio::test]
async fn replication_needs_versioning_creates_a_versioned_private_destination_and_keeps_existing_rules() {
    let suite = unique("s3rep");
    let (plain, versioned) = (format!("{suite}-plain"), format!("{suite}-versioned"));
    bucket(&plain, "us-east-1", &suite).await;
    bucket(&versioned, "us-east-1", &suite).await;
    versioning(&versioned, "us-east-1", BucketVersioningStatus::Enabled).await;
    let aws = provider(&["us-east-1"]);
    let args = [("destination_region", text("eu-west-1")), ("destination_prefix", text("dr-"))];

    let unversioned = results(
        aws.call(&act("aws.s3.enable_replication", &args, &the_bucket(&aws, &suite, &plain).await))
            .await
            .expect("answered"),
    );
    assert!(
        matches!(&unversioned[0].status, TargetStatus::Failed { error } if error.contains("versioning")),
        "{unversioned:?}"
    );

    let target = the_bucket(&aws, &suite, &versioned).await;
    let replicate = act("aws.s3.enable_replication", &args, &target);
    let answered = results(aws.call(&replicate).await.expect("answered"));
    assert_eq!(statuses(&answered), ["changed"], "{answered:?}");
    assert_eq!(str_of(&answered[0].resource, "replication_destination"), format!("dr-{versioned}"));
    let destination = format!("dr-{versioned}");
    let location = s3("us-east-1").get_bucket_location().bucket(&destination).send().await.expect("destination exists");
    assert_eq!(location.location_constraint().map(|c| c.as_str()), Some("eu-west-1"));
    let dest_versioning = bucket_versioning(&destination);
    assert_eq!(dest_versioning.as_deref(), Some("Enabled"));
    let dest_block = s3("eu-west-1").get_public_access_block().bucket(&destination).send().await.expect("read");
    assert_eq!(dest_block.public_access_block_configuration().and_then(|c| c.restrict_public_buckets()), Some(true));
    let config = s3("us-east-1").get_bucket_replication().bucket(&versioned).send().await.expect("replication read");
    let config = config.replication_configuration().expect("a configuration");
    assert_eq!(config.role(), format!("arn:aws:iam::{ACCOUNT}:role/escher-s3-replication"));
    let buckets: Vec<&str> = config.rules().iter().filter_map(|r| r.destination()).map(|d| d.bucket()).collect();
    assert_eq!(buckets, [format!("arn:aws:s3:::{destination}")]);
    assert_eq!(statuses(&results(aws.call(&replicate).await.expect("answered"))), ["unchanged"]);

    // A second destination adds a rule after the first.
    let second = act(
        "aws.s3.enable_replication",
        &[("destination_region", text("eu-west-1")), ("destination_prefix", text("dr2-"))],
        &target,
    );
    assert_eq!(statuses(&results(aws.call(&second).await.expect("answered"))), ["changed"]);
    let config = s3("us-east-1").get_bucket_replication().bucket(&versioned).send().await.expect("replication read");
    let rules = config.replication_configuration().map(|c| c.rules().len());
    assert_eq!(rules, Some(2), "the existing rule is kept");

    // A destination that exists in another region is refused, not changed.
    let elsewhere = act(
        "aws.s3.enable_replication",
        &[("destination_region", text("us-west-2")), ("destination_prefix", text("dr-"))],
        &the_bucket(&aws, &suite, &plain).await,
    );
    versioning(&plain, "us-east-1", BucketVersioningStatus::Enabled).await;
    bucket(&format!("dr-{plain}"), "eu-west-1", "elsewhere").await;
    let refused = results(aws.call(&elsewhere).await.expect("answered"));
    assert!(matches!(&refused[0].status, TargetStatus::Failed { error } if error.contains("eu-west-1")), "{refused:?}");
}

#[tokio::test]
async fn a_dry_run_reports_not_simulated_and_changes_nothing() {
    let suite = unique("s3dry");
    let name = format!("{suite}-b");
    bucket(&name, "us-east-1", &suite).await;
    let aws = provider(&["us-east-1"]);
    let target = the_bucket(&aws, &suite, &name).await;
    for action in ["aws.s3.block_public_access", "aws.s3.enable_default_encryption", "aws.s3.enable_versioning"] {
        let answered = results(aws.call(&call(action, &[], vec![target.clone()], true)).await.expect("dry run"));
        assert!(matches!(answered[0].status, TargetStatus::NotSimulated { .. }), "{action}: {answered:?}");
    }
    let now = the_bucket(&aws, &suite, &name).await;
    assert_eq!(now, target, "nothing changed");
    let described = aws.describe(std::slice::from_ref(&target)).await.expect("described");
    assert_eq!(described, std::slice::from_ref(&target), "describe reads the bucket as the listing does");
    let bad = call("aws.s3.enable_default_encryption", &[("algorithm", text("rot13"))], vec![target], true);
    assert!(aws.call(&bad).await.is_err(), "an unknown algorithm is refused in dry runs too");
}
