//! A bucket's region and settings, read into an `aws.s3.Bucket` record: public access block, default encryption,
//! versioning, replication, tags, and whether its policy or ACL lets anyone in. S3 answers "no such
//! configuration" with an error code, which here means "not set", never a failure; any other error fails the
//! read, so a bucket is never reported private or unencrypted because a call failed.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{BucketVersioningStatus, Type};
use aws_smithy_types::DateTime;
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use crate::errors::classify;
use crate::record::Rec;

pub(crate) const BUCKET: &str = "aws.s3.Bucket";

/// The grantee groups that make an ACL public.
const PUBLIC_GROUPS: &[&str] =
    &["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

/// Everything a bucket record says, as read from S3.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    /// BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets (`None`: not set).
    pub block: [Option<bool>; 4],
    /// `(algorithm, KMS key)` of the default encryption rule.
    pub encryption: Option<(String, Option<String>)>,
    pub versioning: Option<BucketVersioningStatus>,
    /// Destination bucket ARNs of the enabled replication rules.
    pub replication: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub policy_public: bool,
    pub acl_public: bool,
}

impl Settings {
    pub(crate) fn blocked(&self) -> bool {
        self.block.iter().all(|flag| *flag == Some(true))
    }

    /// Anyone can read it: a public policy not restricted by the block, or a public ACL not ignored by it.
    pub(crate) fn public(&self) -> bool {
        let [_, ignore_public_acls, _, restrict_public_buckets] = self.block;
        (self.policy_public && restrict_public_buckets != Some(true))
            || (self.acl_public && ignore_public_acls != Some(true))
    }

    pub(crate) fn versioned(&self) -> bool {
        self.versioning == Some(BucketVersioningStatus::Enabled)
    }
}

/// The region holding a bucket, or `None` when it does not exist. S3 names us-east-1 by no constraint and
/// eu-west-1 by the legacy `EU`.
pub(crate) async fn region(client: &Client, bucket: &str) -> Result<Option<String>, ProviderError> {
    match client.get_bucket_location().bucket(bucket).send().await {
        Ok(out) => Ok(Some(match out.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1".to_string(),
            Some("EU") => "eu-west-1".to_string(),
            Some(other) => other.to_string(),
        })),
        Err(error) if error.code() == Some("NoSuchBucket") => Ok(None),
        Err(error) => Err(classify("s3 GetBucketLocation", &error)),
    }
}

/// Treats the listed error codes as "not configured".
fn absent<T, E: ProvideErrorMetadata>(result: Result<T, E>, codes: &[&str]) -> Result<Option<T>, E> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) if error.code().is_some_and(|code| codes.contains(&code)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Reads every setting of a bucket, with a client of its region, the calls in parallel.
pub(crate) async fn settings(client: &Client, bucket: &str) -> Result<Settings, ProviderError> {
    let (block, encryption, versioning, replication, tags, policy, acl) = tokio::join!(
        client.get_public_access_block().bucket(bucket).send(),
        client.get_bucket_encryption().bucket(bucket).send(),
        client.get_bucket_versioning().bucket(bucket).send(),
        client.get_bucket_replication().bucket(bucket).send(),
        client.get_bucket_tagging().bucket(bucket).send(),
        client.get_bucket_policy_status().bucket(bucket).send(),
        client.get_bucket_acl().bucket(bucket).send(),
    );
    let block = absent(block, &["NoSuchPublicAccessBlockConfiguration"])
        .map_err(|e| classify("s3 GetPublicAccessBlock", &e))?
        .and_then(|out| out.public_access_block_configuration)
        .map_or([None; 4], |b| {
            [b.block_public_acls, b.ignore_public_acls, b.block_public_policy, b.restrict_public_buckets]
        });
    let encryption = absent(encryption, &["ServerSideEncryptionConfigurationNotFoundError"])
        .map_err(|e| classify("s3 GetBucketEncryption", &e))?
        .and_then(|out| out.server_side_encryption_configuration)
        .and_then(|config| config.rules.into_iter().find_map(|rule| rule.apply_server_side_encryption_by_default))
        .map(|default| (default.sse_algorithm.as_str().to_string(), default.kms_master_key_id));
    let versioning = match versioning {
        Ok(out) => out.status,
        Err(error) => match undecoded_versioning(&error) {
            Some(status) => status,
            None => return Err(classify("s3 GetBucketVersioning", &error)),
        },
    };
    let replication = absent(replication, &["ReplicationConfigurationNotFoundError"])
        .map_err(|e| classify("s3 GetBucketReplication", &e))?
        .and_then(|out| out.replication_configuration)
        .map(|config| {
            config
                .rules
                .into_iter()
                .filter(|rule| rule.status.as_str() == "Enabled")
                .filter_map(|rule| rule.destination.map(|d| d.bucket))
                .collect()
        })
        .unwrap_or_default();
    let tags = absent(tags, &["NoSuchTagSet"])
        .map_err(|e| classify("s3 GetBucketTagging", &e))?
        .map(|out| out.tag_set.into_iter().map(|t| (t.key, t.value)).collect())
        .unwrap_or_default();
    let policy_public = absent(policy, &["NoSuchBucketPolicy"])
        .map_err(|e| classify("s3 GetBucketPolicyStatus", &e))?
        .and_then(|out| out.policy_status.and_then(|s| s.is_public))
        .unwrap_or(false);
    let acl_public = acl.map_err(|e| classify("s3 GetBucketAcl", &e))?.grants().iter().any(|grant| {
        grant
            .grantee()
            .is_some_and(|g| g.r#type() == &Type::Group && g.uri().is_some_and(|uri| PUBLIC_GROUPS.contains(&uri)))
    });
    Ok(Settings { block, encryption, versioning, replication, tags, policy_public, acl_public })
}

/// The versioning status read from a successful answer the SDK could not decode. moto answers with the root
/// element `GetBucketVersioningResponse` where S3 writes `VersioningConfiguration`, which the SDK refuses; the
/// status inside is the same. Anything but a 200 with a body stays an error.
fn undecoded_versioning<E>(
    error: &aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> Option<Option<BucketVersioningStatus>> {
    let raw = error.raw_response().filter(|raw| raw.status().as_u16() == 200)?;
    let body = String::from_utf8_lossy(raw.body().bytes()?).into_owned();
    if !body.contains("GetBucketVersioningResponse") {
        return None;
    }
    Some(
        body.split("<Status>").nth(1).and_then(|rest| rest.split("</Status>").next()).map(BucketVersioningStatus::from),
    )
}

/// The bucket's record. `created` comes from ListBuckets (no per-bucket call tells it).
pub(crate) fn record(name: &str, account: &str, region: &str, created: &str, settings: &Settings) -> Value {
    let (algorithm, key) = match &settings.encryption {
        Some((algorithm, key)) => (Some(algorithm.clone()), key.clone()),
        None => (None, None),
    };
    let destination = settings.replication.first().map(|arn| arn.trim_start_matches("arn:aws:s3:::").to_string());
    Rec::new(BUCKET, name, name, account, region)
        .tags(settings.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .str("name", name)
        .bool("public", settings.public())
        .bool("encrypted", algorithm.is_some())
        .opt_str("encryption", algorithm)
        .opt_str("kms_key_id", key)
        .bool("versioning", settings.versioned())
        .bool("public_access_blocked", settings.blocked())
        .opt_str("replication_destination", destination)
        .str("created", created)
        .build()
}

/// A bucket's creation time as record text.
pub(crate) fn created(date: Option<&DateTime>) -> String {
    crate::record::timestamp_secs(date.map_or(0, DateTime::secs))
}
