//! Scenario 3: public storage lockdown on moto. The real `examples/public_storage_lockdown.esc` runs with the AWS
//! provider serving AWS and the simulator's demo estate serving its Azure and GCP steps; it blocks public access
//! on the public buckets and leaves the bucket listed in `allowed_public` open. That example sets no encryption,
//! so the real `examples/encryption_enforcement.esc` runs next: it sets default encryption on the buckets that
//! lacked it. The final state is read from S3 itself, bucket by bucket; compliant buckets must be exactly as
//! they were (their KMS configuration included).
//!
//! The examples list every bucket of the moto account, not only this test's: other tests' leftovers may be
//! changed too (the caps are raised to allow for them); assertions are on this test's buckets only.

use std::sync::Arc;

use crate::services::s3;
use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::provider::Provider;
use escher_sim::Sim;

const KMS_KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";

async fn create(name: &str, region: &str) {
    let mut request = s3(region).create_bucket().bucket(name);
    if region != "us-east-1" {
        let location = CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(region));
        request = request.create_bucket_configuration(location.build());
    }
    request.send().await.expect("bucket created");
}

async fn public_acl(name: &str, region: &str) {
    s3(region).put_bucket_acl().bucket(name).acl(BucketCannedAcl::PublicRead).send().await.expect("acl set");
}

async fn public_policy(name: &str, region: &str) {
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{name}/*"}}]}}"#
    );
    s3(region).put_bucket_policy().bucket(name).policy(policy).send().await.expect("policy set");
}

async fn kms(name: &str, region: &str) {
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::AwsKms)
        .kms_master_key_id(KMS_KEY)
        .build()
        .expect("rule");
    let rule =
        ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).bucket_key_enabled(true);
    let config = ServerSideEncryptionConfiguration::builder().rules(rule.build()).build().expect("config");
    s3(region)
        .put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(config)
        .send()
        .await
        .expect("encryption set");
}

/// All four public access block flags, or `None` when the bucket has no block.
async fn block(name: &str, region: &str) -> Option<PublicAccessBlockConfiguration> {
    s3(region)
        .get_public_access_block()
        .bucket(name)
        .send()
        .await
        .ok()
        .and_then(|out| out.public_access_block_configuration)
}

fn fully_blocked(config: &Option<PublicAccessBlockConfiguration>) -> bool {
    config.as_ref().is_some_and(|c| {
        [c.block_public_acls(), c.ignore_public_acls(), c.block_public_policy(), c.restrict_public_buckets()]
            == [Some(true); 4]
    })
}

/// The bucket's default encryption configuration, whole, or `None`.
async fn encryption(name: &str, region: &str) -> Option<ServerSideEncryptionConfiguration> {
    s3(region)
        .get_bucket_encryption()
        .bucket(name)
        .send()
        .await
        .ok()
        .and_then(|o| o.server_side_encryption_configuration)
}

fn algorithm(config: &Option<ServerSideEncryptionConfiguration>) -> Option<String> {
    config
        .as_ref()
        .and_then(|c| c.rules().first())
        .and_then(|r| r.apply_server_side_encryption_by_default())
        .map(|d| d.sse_algorithm().as_str().to_string())
}

fn assert_succeeded(report: &escher_runtime::report::RunReport) {
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    for step in &report.steps {
        assert!(matches!(step.status, StepStatus::Succeeded | StepStatus::Skipped), "{}: {step:#?}", step.node);
        assert!(step.failed.is_empty(), "{}: {:?}", step.node, step.failed);
    }
}

#[tokio::test]
async fn lockdown_blocks_the_public_buckets_and_enforcement_encrypts_those_without_encryption() {
    let id = crate::services::unique("lock");
    let open_acl = format!("{id}-open-acl");
    let open_policy_kms = format!("{id}-open-kms");
    let website = format!("{id}-website");
    let private_kms = format!("{id}-private-kms");
    let private_plain = format!("{id}-private-plain");
    create(&open_acl, "us-east-1").await;
    public_acl(&open_acl, "us-east-1").await;
    create(&open_policy_kms, "eu-west-1").await;
    public_policy(&open_policy_kms, "eu-west-1").await;
    kms(&open_policy_kms, "eu-west-1").await;
    create(&website, "us-east-1").await;
    public_policy(&website, "us-east-1").await;
    create(&private_kms, "eu-west-1").await;
    kms(&private_kms, "eu-west-1").await;
    create(&private_plain, "eu-west-1").await;
    let kms_before = encryption(&private_kms, "eu-west-1").await;
    let open_kms_before = encryption(&open_policy_kms, "eu-west-1").await;
    assert_eq!(algorithm(&kms_before).as_deref(), Some("aws:kms"));
    let block_before = block(&private_kms, "eu-west-1").await;

    let aws: Arc<dyn Provider> = crate::support::provider(&["us-east-1", "eu-west-1"]);
    let sim: Arc<dyn Provider> = Arc::new(Sim::demo());

    let source = std::fs::read_to_string(crate::support::example("public_storage_lockdown.esc")).expect("example read");
    let lockdown = crate::support::plan(
        "public_storage_lockdown.esc",
        &source,
        &[("allowed_public", website.as_str()), ("max_per_cloud", "100")],
    );
    let report = crate::support::run(lockdown, vec![aws.clone(), sim.clone()], false).await;
    assert_succeeded(&report);

    assert!(fully_blocked(&block(&open_acl, "us-east-1").await), "the public-ACL bucket is blocked");
    assert!(fully_blocked(&block(&open_policy_kms, "eu-west-1").await), "the public-policy bucket is blocked");
    assert!(!fully_blocked(&block(&website, "us-east-1").await), "the bucket public on purpose stays open");
    assert_eq!(block(&private_kms, "eu-west-1").await, block_before, "a private bucket's block is untouched");
    assert!(!fully_blocked(&block(&private_plain, "eu-west-1").await), "a private bucket is not a target");

    let source = std::fs::read_to_string(crate::support::example("encryption_enforcement.esc")).expect("example read");
    let enforcement = crate::support::plan("encryption_enforcement.esc", &source, &[("max_buckets", "100")]);
    let report = crate::support::run(enforcement, vec![aws, sim], false).await;
    assert_succeeded(&report);

    for (name, region) in [(&open_acl, "us-east-1"), (&website, "us-east-1"), (&private_plain, "eu-west-1")] {
        let config = encryption(name, region).await;
        assert_eq!(algorithm(&config).as_deref(), Some("AES256"), "{name} lacked encryption and now has AES256");
    }
    assert_eq!(encryption(&private_kms, "eu-west-1").await, kms_before, "a compliant bucket keeps its KMS config");
    assert_eq!(encryption(&open_policy_kms, "eu-west-1").await, open_kms_before, "KMS kept on the locked bucket");
}
