//! RDS through the provider against moto: listings (every page, tag filters), each action and its repeat, dry
//! runs, per-target failures, and a listing that cannot be read failing rather than coming back empty.

use crate::services::*;
use escher_compiler::plan::Value;
use escher_runtime::provider::{Provider, ProviderError, TargetStatus};

const REGION: &str = "us-east-1";

/// The instance records of one suite, through the provider.
async fn listed_suite(aws: &escher_aws::AwsProvider, suite: &str) -> Vec<Value> {
    let query = call(
        "aws.rds.instances",
        &[("regions", strings(&[REGION])), ("tags", map(&[("suite", suite)]))],
        vec![],
        false,
    );
    listed(aws.call(&query).await.expect("instances listed"))
}

async fn one(aws: &escher_aws::AwsProvider, suite: &str) -> Value {
    let found = listed_suite(aws, suite).await;
    assert_eq!(found.len(), 1, "one instance in suite {suite}: {found:?}");
    found[0].clone()
}

async fn status_of(name: &str) -> (String, String) {
    let out = rds(REGION).describe_db_instances().db_instance_identifier(name).send().await.expect("described");
    let db = &out.db_instances()[0];
    (db.db_instance_status().unwrap_or("").to_string(), db.db_instance_class().unwrap_or("").to_string())
}

#[tokio::test]
async fn instances_are_listed_over_every_page_with_their_fields_and_only_with_the_tags_asked() {
    let suite = unique("rdslist");
    let names: Vec<String> = (0..23).map(|i| format!("{suite}-{i}")).collect();
    for name in &names {
        postgres(REGION, name, ("suite", &suite)).await;
    }
    postgres(REGION, &unique("rdsother"), ("suite", "another-suite")).await;
    // Pages of 20 (RDS's smallest): 23 instances of this suite need two pages at least.
    let config = escher_aws::AwsConfig { regions: vec![REGION.into()], page_size: Some(20), ..Default::default() };
    let aws = escher_aws::AwsProvider::new(escher_aws::AwsContext::from_sdk_config(sdk_config(REGION), config));
    let found = listed_suite(&aws, &suite).await;
    let mut seen: Vec<String> = found.iter().map(|r| str_of(r, "name").to_string()).collect();
    seen.sort();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(seen, expected);
    let first = find(&found, "name", &names[0]).expect("the first instance is listed");
    assert_eq!(str_of(first, "kind"), "aws.rds.Instance");
    assert_eq!(str_of(first, "id"), format!("arn:aws:rds:{REGION}:{ACCOUNT}:db:{}", names[0]));
    assert_eq!(str_of(first, "cloud"), "aws");
    assert_eq!(str_of(first, "account"), ACCOUNT);
    assert_eq!(str_of(first, "region"), REGION);
    assert_eq!(str_of(first, "state"), "available");
    assert_eq!(str_of(first, "engine"), "postgres");
    assert_eq!(str_of(first, "instance_class"), "db.t3.micro");
    assert_eq!(field(first, "storage_gb"), &Value::Int(20));
    assert_eq!(field(first, "tags"), &map(&[("suite", &suite)]));
    assert!(str_of(first, "created").ends_with('Z'), "created is RFC 3339 UTC: {first:?}");
}

#[tokio::test]
async fn stop_start_modify_tag_and_reboot_change_the_instance_and_a_repeat_leaves_it_unchanged() {
    let (suite, name) = (unique("rdsact"), unique("rdsact-db"));
    postgres(REGION, &name, ("suite", &suite)).await;
    let aws = provider(&[REGION]);
    let act = |action: &str, args: Vec<(&str, Value)>, target: Value| call(action, &args, vec![target], false);

    let target = one(&aws, &suite).await;
    let stopped = results(aws.call(&act("aws.rds.stop", vec![], target.clone())).await.expect("stop answered"));
    assert_eq!(statuses(&stopped), ["changed"]);
    assert_eq!(str_of(&stopped[0].resource, "state"), "stopped");
    assert_eq!(status_of(&name).await.0, "stopped");
    let again = results(aws.call(&act("aws.rds.stop", vec![], target.clone())).await.expect("stop answered"));
    assert_eq!(statuses(&again), ["unchanged"]);

    let started = results(aws.call(&act("aws.rds.start", vec![], target.clone())).await.expect("start answered"));
    assert_eq!(statuses(&started), ["changed"]);
    assert_eq!(status_of(&name).await.0, "available");

    let class = vec![("instance_class", text("db.t3.large"))];
    let modified =
        results(aws.call(&act("aws.rds.modify_class", class.clone(), target.clone())).await.expect("modify"));
    assert_eq!(statuses(&modified), ["changed"]);
    assert_eq!(status_of(&name).await, ("available".to_string(), "db.t3.large".to_string()));
    let same = results(aws.call(&act("aws.rds.modify_class", class, target.clone())).await.expect("modify"));
    assert_eq!(statuses(&same), ["unchanged"]);

    let tags = vec![("tags", map(&[("owner", "dba")]))];
    let tagged = results(aws.call(&act("aws.rds.tag", tags.clone(), target.clone())).await.expect("tag"));
    assert_eq!(statuses(&tagged), ["changed"]);
    assert_eq!(field(&one(&aws, &suite).await, "tags"), &map(&[("owner", "dba"), ("suite", &suite)]));
    let retag = results(aws.call(&act("aws.rds.tag", tags, target.clone())).await.expect("tag"));
    assert_eq!(statuses(&retag), ["unchanged"]);

    let rebooted = results(aws.call(&act("aws.rds.reboot", vec![], target)).await.expect("reboot answered"));
    assert_eq!(statuses(&rebooted), ["changed"]);
    assert_eq!(status_of(&name).await.0, "available");
}

#[tokio::test]
async fn a_snapshot_is_taken_once_per_batch_listed_restored_and_deleted() {
    let (suite, name) = (unique("rdssnap"), unique("rdssnap-db"));
    postgres(REGION, &name, ("suite", &suite)).await;
    let aws = provider(&[REGION]);
    let target = one(&aws, &suite).await;
    let mut snapshot = call("aws.rds.create_snapshots", &[("name_prefix", text("dr"))], vec![target.clone()], false);
    let taken = results(aws.call(&snapshot).await.expect("snapshot answered"));
    assert_eq!(statuses(&taken), ["changed"]);
    let snapshot_name = str_of(&taken[0].resource, "snapshot").to_string();
    assert!(snapshot_name.starts_with(&format!("dr-{name}-")), "snapshot named PREFIX-INSTANCE-TIME: {snapshot_name}");

    // The same batch again in doubt (a retry after a timeout, a resume) finds its snapshot instead of taking another.
    snapshot.in_doubt = true;
    let retried = results(aws.call(&snapshot).await.expect("snapshot answered"));
    assert_eq!(str_of(&retried[0].resource, "snapshot"), snapshot_name);
    let of_instance = rds(REGION).describe_db_snapshots().db_instance_identifier(&name).snapshot_type("manual").send();
    let of_instance = of_instance.await.expect("listed");
    assert_eq!(of_instance.db_snapshots().len(), 1, "one manual snapshot for one batch: {of_instance:?}");
    // Another batch, even in doubt and within the same second, takes its own (names go to the millisecond).
    snapshot.idempotency_key = unique("another-batch");
    let other_batch = results(aws.call(&snapshot).await.expect("snapshot answered"));
    assert_ne!(str_of(&other_batch[0].resource, "snapshot"), snapshot_name, "another batch takes its own");

    let query = call("aws.rds.snapshots", &[("regions", strings(&[REGION]))], vec![], false);
    let snapshots = listed(aws.call(&query).await.expect("snapshots listed"));
    let listed_snapshot = find(&snapshots, "name", &snapshot_name).expect("the new snapshot is listed").clone();
    assert_eq!(str_of(&listed_snapshot, "kind"), "aws.rds.Snapshot");
    assert_eq!(str_of(&listed_snapshot, "instance_name"), name);
    assert_eq!(str_of(&listed_snapshot, "snapshot_type"), "manual");
    assert_eq!(str_of(&listed_snapshot, "state"), "available");
    let old = call(
        "aws.rds.snapshots",
        &[("regions", strings(&[REGION])), ("older_than", Value::Duration { duration_ms: 86_400_000 })],
        vec![],
        false,
    );
    let old = listed(aws.call(&old).await.expect("snapshots listed"));
    assert!(find(&old, "name", &snapshot_name).is_none(), "a snapshot taken now is not older than a day");

    let restore =
        call("aws.rds.restore_snapshots", &[("name_prefix", text("copy"))], vec![listed_snapshot.clone()], false);
    let restored = results(aws.call(&restore).await.expect("restore answered"));
    assert_eq!(statuses(&restored), ["changed"], "{restored:?}");
    assert_eq!(status_of(&format!("copy-{snapshot_name}")).await.0, "available");

    let delete = call("aws.rds.delete_snapshots", &[], vec![listed_snapshot], false);
    assert_eq!(statuses(&results(aws.call(&delete).await.expect("delete answered"))), ["changed"]);
    let gone = rds(REGION).describe_db_snapshots().db_snapshot_identifier(&snapshot_name).send().await;
    assert!(gone.is_err(), "the snapshot is deleted");
    assert_eq!(statuses(&results(aws.call(&delete).await.expect("delete answered"))), ["unchanged"]);
}

#[tokio::test]
async fn delete_takes_the_final_snapshot_and_deleting_again_is_unchanged() {
    let (suite, name) = (unique("rdsdel"), unique("rdsdel-db"));
    postgres(REGION, &name, ("suite", &suite)).await;
    let aws = provider(&[REGION]);
    let target = one(&aws, &suite).await;
    let described = aws.describe(std::slice::from_ref(&target)).await.expect("described");
    assert_eq!(described.iter().map(|r| str_of(r, "state")).collect::<Vec<_>>(), ["available"]);
    let delete = call("aws.rds.delete", &[], vec![target.clone()], false);
    let deleted = results(aws.call(&delete).await.expect("delete answered"));
    assert_eq!(statuses(&deleted), ["changed"]);
    assert!(listed_suite(&aws, &suite).await.is_empty(), "the instance is gone");
    let finals = rds(REGION).describe_db_snapshots().db_snapshot_identifier(format!("{name}-final")).send().await;
    assert!(finals.is_ok_and(|out| out.db_snapshots().len() == 1), "the final snapshot INSTANCE-final exists");
    assert_eq!(statuses(&results(aws.call(&delete).await.expect("delete answered"))), ["unchanged"]);
    assert!(aws.describe(&[target]).await.expect("described").is_empty(), "describe leaves a deleted instance out");
}

#[tokio::test]
async fn a_dry_run_reports_every_target_not_simulated_and_changes_nothing() {
    let (suite, name) = (unique("rdsdry"), unique("rdsdry-db"));
    postgres(REGION, &name, ("suite", &suite)).await;
    let aws = provider(&[REGION]);
    let target = one(&aws, &suite).await;
    for (action, args) in [
        ("aws.rds.stop", vec![]),
        ("aws.rds.modify_class", vec![("instance_class", text("db.t3.large"))]),
        ("aws.rds.delete", vec![("skip_final_snapshot", Value::Bool(true))]),
    ] {
        let answered = results(aws.call(&call(action, &args, vec![target.clone()], true)).await.expect("dry run"));
        assert!(
            matches!(&answered[0].status, TargetStatus::NotSimulated { reason } if reason.contains("RDS")),
            "{action}: {answered:?}"
        );
    }
    assert_eq!(status_of(&name).await, ("available".to_string(), "db.t3.micro".to_string()));
    let bad = call("aws.rds.modify_class", &[("instance_class", text("m5.large"))], vec![target], true);
    assert!(matches!(aws.call(&bad).await, Err(ProviderError::Invalid(_))), "a wrong class is refused in dry runs too");
}

#[tokio::test]
async fn a_missing_instance_fails_its_own_target_and_the_others_still_change() {
    let (suite, name) = (unique("rdsmiss"), unique("rdsmiss-db"));
    postgres(REGION, &name, ("suite", &suite)).await;
    let aws = provider(&[REGION]);
    let real = one(&aws, &suite).await;
    let missing = escher_compiler::plan::Value::Record(
        [
            ("id", text(&format!("arn:aws:rds:{REGION}:{ACCOUNT}:db:nowhere-{name}"))),
            ("name", text(&format!("nowhere-{name}"))),
            ("account", text(ACCOUNT)),
            ("region", text(REGION)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    );
    let answered = results(aws.call(&call("aws.rds.stop", &[], vec![missing, real], false)).await.expect("answered"));
    assert_eq!(statuses(&answered), ["failed", "changed"]);
    assert!(matches!(&answered[0].status, TargetStatus::Failed { error } if error.contains("not found")));
}

#[tokio::test]
async fn a_listing_whose_second_page_fails_is_an_error_never_a_partial_list() {
    // A region of its own, so the first page is surely followed by another.
    let region = "ap-south-1";
    let suite = unique("rdspage");
    for i in 0..21 {
        rds(region)
            .create_db_instance()
            .db_instance_identifier(format!("{suite}-{i}"))
            .db_instance_class("db.t3.micro")
            .engine("postgres")
            .master_username("admin")
            .master_user_password("password123")
            .allocated_storage(20)
            .send()
            .await
            .expect("moto creates the DB instance");
    }
    // The first request (page one) goes through; every later one is cut off.
    let (url, seen) = crate::support::proxy::start(&endpoint(), 1);
    let config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .endpoint_url(url)
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new("testing", "testing", None, None, "tests"),
        ))
        .build();
    let settings = escher_aws::AwsConfig {
        regions: vec![region.into()],
        accounts: vec![escher_aws::AccountConfig { id: ACCOUNT.into(), role_arn: None, external_id: None, name: None }],
        page_size: Some(20),
        ..Default::default()
    };
    let aws = escher_aws::AwsProvider::new(escher_aws::AwsContext::from_sdk_config(config, settings));
    let query = call("aws.rds.instances", &[("regions", strings(&[region]))], vec![], false);
    let error = aws.call(&query).await.expect_err("a page that fails fails the listing");
    assert!(error.is_retryable(), "a connection cut off may be retried: {error}");
    assert!(seen.load(std::sync::atomic::Ordering::SeqCst) >= 2, "the second page was asked for");
}
