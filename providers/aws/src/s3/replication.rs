//! `aws.s3.enable_replication`: replicate new objects of a bucket to `PREFIX` + its name in another region. S3
//! needs versioning on both buckets and an IAM role it assumes to copy objects. The declaration takes no role, so
//! the bucket's existing replication role is kept, else the account's `escher-s3-replication` role is used (see
//! docs/aws.md for the policy it needs). Existing rules of the bucket are kept: the new rule is added after them.

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration, DeleteMarkerReplication,
    DeleteMarkerReplicationStatus, Destination, PublicAccessBlockConfiguration, ReplicationConfiguration,
    ReplicationRule, ReplicationRuleFilter, ReplicationRuleStatus, Tag, Tagging,
};
use escher_runtime::provider::{IDEMPOTENCY_TAG, ProviderError};

use super::actions::{Bucket, put_versioning};
use super::inspect;
use crate::errors::classify;
use crate::outcome::Done;
use crate::record::str_field;
use escher_runtime::provider::args::Args;

/// The role name used when the bucket has no replication role yet.
pub(crate) const DEFAULT_ROLE: &str = "escher-s3-replication";

fn invalid(what: &str, error: impl std::fmt::Display) -> ProviderError {
    ProviderError::Invalid(format!("{what}: {error}"))
}

pub(crate) async fn enable_replication(bucket: &Bucket<'_>, args: &Args<'_>, key: &str) -> Result<Done, ProviderError> {
    let region = args.str("destination_region")?;
    let prefix = args.opt_str("destination_prefix")?.unwrap_or("");
    let name = bucket.name;
    if !bucket.before.versioned() {
        return Err(ProviderError::Rejected(format!(
            "InvalidRequest: versioning must be enabled on bucket {name} before it can replicate \
             (run aws.s3.enable_versioning first)"
        )));
    }
    let destination = format!("{prefix}{name}");
    if destination == name {
        return Err(ProviderError::Invalid(format!(
            "bucket {name} cannot replicate to itself: give a destination_prefix"
        )));
    }
    let destination_arn = format!("arn:aws:s3:::{destination}");
    if bucket.before.replication.contains(&destination_arn) {
        return bucket.unchanged().await;
    }
    prepare_destination(bucket, &destination, region, key).await?;
    let existing = match bucket.client.get_bucket_replication().bucket(name).send().await {
        Ok(out) => out.replication_configuration,
        Err(e) if e.code() == Some("ReplicationConfigurationNotFoundError") => None,
        Err(e) => return Err(classify("s3 GetBucketReplication", &e)),
    };
    let account = str_field(bucket.target, "account");
    let (role, mut rules) = match existing {
        Some(config) => (config.role, config.rules),
        None => (format!("arn:aws:iam::{account}:role/{DEFAULT_ROLE}"), Vec::new()),
    };
    let priority = rules.iter().filter_map(|r| r.priority).max().unwrap_or(0) + 1;
    let rule = ReplicationRule::builder()
        .id(rule_id(&destination))
        .priority(priority)
        .status(ReplicationRuleStatus::Enabled)
        .filter(ReplicationRuleFilter::builder().prefix("").build())
        .delete_marker_replication(
            DeleteMarkerReplication::builder().status(DeleteMarkerReplicationStatus::Disabled).build(),
        )
        .destination(Destination::builder().bucket(&destination_arn).build().map_err(|e| invalid("destination", e))?)
        .build()
        .map_err(|e| invalid("replication rule", e))?;
    rules.push(rule);
    let config = ReplicationConfiguration::builder()
        .role(role)
        .set_rules(Some(rules))
        .build()
        .map_err(|e| invalid("replication configuration", e))?;
    bucket
        .client
        .put_bucket_replication()
        .bucket(name)
        .replication_configuration(config)
        .send()
        .await
        .map_err(|e| classify("s3 PutBucketReplication", &e))?;
    bucket.changed().await
}

/// Rule ids are at most 255 characters.
fn rule_id(destination: &str) -> String {
    format!("escher-dr-{destination}").chars().take(255).collect()
}

/// Makes sure the destination bucket exists in `region` with versioning on. A missing one is created private
/// (all public access blocked), versioned and tagged `escher:replica-of` and with the batch's idempotency `key`;
/// an existing one elsewhere or without versioning is refused rather than changed, since it may hold someone
/// else's data. Bucket names are unique, so a call made again finds the bucket it created by name.
async fn prepare_destination(
    bucket: &Bucket<'_>,
    destination: &str,
    region: &str,
    key: &str,
) -> Result<(), ProviderError> {
    let account = Some(str_field(bucket.target, "account")).filter(|a| !a.is_empty());
    let client = bucket.ctx.s3(account, region).await?;
    match inspect::region(&client, destination).await? {
        Some(found) if found != region => Err(ProviderError::Rejected(format!(
            "InvalidRequest: destination bucket {destination} is in {found}, not {region}"
        ))),
        Some(_) => {
            let settings = inspect::settings(&client, destination).await?;
            let ours = settings.tags.iter().any(|(k, v)| k == "escher:replica-of" && v == bucket.name);
            if settings.versioned() {
                Ok(())
            } else if ours {
                // Created by an earlier attempt that stopped before turning versioning on.
                put_versioning(&client, destination, BucketVersioningStatus::Enabled).await
            } else {
                Err(ProviderError::Rejected(format!(
                    "InvalidRequest: destination bucket {destination} must have versioning enabled"
                )))
            }
        }
        None => {
            let mut create = client.create_bucket().bucket(destination);
            if region != "us-east-1" {
                let location = BucketLocationConstraint::from(region);
                create = create.create_bucket_configuration(
                    CreateBucketConfiguration::builder().location_constraint(location).build(),
                );
            }
            match create.send().await {
                Ok(_) => {}
                // Created by an earlier attempt of this batch.
                Err(e) if e.code() == Some("BucketAlreadyOwnedByYou") => {}
                Err(e) => return Err(classify("s3 CreateBucket", &e)),
            }
            let private = PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build();
            client
                .put_public_access_block()
                .bucket(destination)
                .public_access_block_configuration(private)
                .send()
                .await
                .map_err(|e| classify("s3 PutPublicAccessBlock", &e))?;
            let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().map_err(|e| invalid("tag", e));
            let tags = Tagging::builder()
                .tag_set(tag("escher:replica-of", bucket.name)?)
                .tag_set(tag(IDEMPOTENCY_TAG, key)?)
                .build()
                .map_err(|e| invalid("tags", e))?;
            client
                .put_bucket_tagging()
                .bucket(destination)
                .tagging(tags)
                .send()
                .await
                .map_err(|e| classify("s3 PutBucketTagging", &e))?;
            put_versioning(&client, destination, BucketVersioningStatus::Enabled).await
        }
    }
}
