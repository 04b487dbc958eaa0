//! Bucket settings, one bucket at a time: each reads the setting first and leaves a bucket that already has it
//! unchanged. The result is the bucket's record read again afterwards.

use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    BucketVersioningStatus, PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging, VersioningConfiguration,
};
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::inspect::{self, Settings};
use super::list::{bucket_name, current};
use crate::context::AwsContext;
use crate::errors::classify;
use crate::outcome::{Done, home};
use escher_runtime::provider::args::Args;

/// What one bucket action needs: the bucket's name, a client of its region, and its settings before.
pub(crate) struct Bucket<'a> {
    pub ctx: &'a AwsContext,
    pub target: &'a Value,
    pub name: &'a str,
    pub client: Client,
    pub before: Settings,
}

impl<'a> Bucket<'a> {
    pub(crate) async fn open(ctx: &'a AwsContext, target: &'a Value) -> Result<Bucket<'a>, ProviderError> {
        let (account, region) = home(target);
        let client = ctx.s3(account, region).await?;
        let name = bucket_name(target);
        let before = inspect::settings(&client, name).await?;
        Ok(Bucket { ctx, target, name, client, before })
    }

    /// The record as it is now.
    pub(crate) async fn now(&self) -> Result<Value, ProviderError> {
        current(self.ctx, self.target).await?.ok_or_else(|| {
            ProviderError::Rejected(format!("NoSuchBucket: bucket {} disappeared during the action", self.name))
        })
    }

    pub(crate) async fn changed(&self) -> Result<Done, ProviderError> {
        Ok(Done::Changed(self.now().await?))
    }

    pub(crate) async fn unchanged(&self) -> Result<Done, ProviderError> {
        Ok(Done::Unchanged(self.now().await?))
    }
}

fn invalid(what: &str, error: impl std::fmt::Display) -> ProviderError {
    ProviderError::Invalid(format!("{what}: {error}"))
}

pub(crate) async fn block_public_access(bucket: &Bucket<'_>) -> Result<Done, ProviderError> {
    if bucket.before.blocked() {
        return bucket.unchanged().await;
    }
    let all = PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    bucket
        .client
        .put_public_access_block()
        .bucket(bucket.name)
        .public_access_block_configuration(all)
        .send()
        .await
        .map_err(|e| classify("s3 PutPublicAccessBlock", &e))?;
    bucket.changed().await
}

/// The algorithms S3 default encryption takes.
pub(crate) const ALGORITHMS: &[&str] = &["AES256", "aws:kms", "aws:kms:dsse"];

/// Sets the default encryption rule; a bucket already encrypted this way (same algorithm, and the same key
/// when one is given) is unchanged.
pub(crate) async fn enable_default_encryption(bucket: &Bucket<'_>, args: &Args<'_>) -> Result<Done, ProviderError> {
    let algorithm = args.opt_str("algorithm")?.unwrap_or("AES256");
    let key = args.opt_str("kms_key_id")?;
    let same = bucket.before.encryption.as_ref().is_some_and(|(current, current_key)| {
        current == algorithm && key.is_none_or(|k| current_key.as_deref() == Some(k))
    });
    if same {
        return bucket.unchanged().await;
    }
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::from(algorithm))
        .set_kms_master_key_id(key.map(str::to_string))
        .build()
        .map_err(|e| invalid("default encryption", e))?;
    let rule = ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).build();
    let config =
        ServerSideEncryptionConfiguration::builder().rules(rule).build().map_err(|e| invalid("encryption", e))?;
    bucket
        .client
        .put_bucket_encryption()
        .bucket(bucket.name)
        .server_side_encryption_configuration(config)
        .send()
        .await
        .map_err(|e| classify("s3 PutBucketEncryption", &e))?;
    bucket.changed().await
}

pub(crate) async fn put_versioning(
    client: &Client,
    name: &str,
    status: BucketVersioningStatus,
) -> Result<(), ProviderError> {
    client
        .put_bucket_versioning()
        .bucket(name)
        .versioning_configuration(VersioningConfiguration::builder().status(status).build())
        .send()
        .await
        .map_err(|e| classify("s3 PutBucketVersioning", &e))?;
    Ok(())
}

pub(crate) async fn enable_versioning(bucket: &Bucket<'_>) -> Result<Done, ProviderError> {
    if bucket.before.versioned() {
        return bucket.unchanged().await;
    }
    put_versioning(&bucket.client, bucket.name, BucketVersioningStatus::Enabled).await?;
    bucket.changed().await
}

/// Suspends versioning (versions already stored stay). A bucket never versioned, or already suspended, is
/// unchanged. S3 refuses while replication is configured, and so does this, before calling.
pub(crate) async fn suspend_versioning(bucket: &Bucket<'_>) -> Result<Done, ProviderError> {
    if !bucket.before.versioned() {
        return bucket.unchanged().await;
    }
    if !bucket.before.replication.is_empty() {
        return Err(ProviderError::Rejected(format!(
            "InvalidBucketState: bucket {} replicates to {}, so its versioning cannot be suspended",
            bucket.name,
            bucket.before.replication.join(", ")
        )));
    }
    put_versioning(&bucket.client, bucket.name, BucketVersioningStatus::Suspended).await?;
    bucket.changed().await
}

/// Adds or overwrites tags, keeping the bucket's others (S3 replaces the whole tag set on each put).
pub(crate) async fn tag(bucket: &Bucket<'_>, args: &Args<'_>) -> Result<Done, ProviderError> {
    let wanted = args.tags("tags")?;
    let mut tags: std::collections::BTreeMap<String, String> = bucket.before.tags.iter().cloned().collect();
    if wanted.iter().all(|(k, v)| tags.get(k) == Some(v)) {
        return bucket.unchanged().await;
    }
    tags.extend(wanted);
    let set = tags
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(|e| invalid("tag", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let tagging = Tagging::builder().set_tag_set(Some(set)).build().map_err(|e| invalid("tags", e))?;
    bucket
        .client
        .put_bucket_tagging()
        .bucket(bucket.name)
        .tagging(tagging)
        .send()
        .await
        .map_err(|e| classify("s3 PutBucketTagging", &e))?;
    bucket.changed().await
}
