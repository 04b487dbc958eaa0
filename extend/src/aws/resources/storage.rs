//! The state bucket, the parameter path and the log group; and `extend.json` in the bucket.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration, Delete,
    ExpirationStatus, LifecycleRule, LifecycleRuleFilter, NoncurrentVersionExpiration, ObjectIdentifier,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
};
use aws_sdk_ssm::types::ParameterType;

use super::{LOG_RETENTION_DAYS, OLD_VERSIONS_DAYS, failed, is_code};
use crate::aws::{AwsExtension, Found};
use crate::{ExtendError, RECORD_KEY, Record};

const LIFECYCLE_RULE: &str = "escher-old-versions";
/// The parameter that marks the path as this Extended Laptop's, naming its state.
const STATE_PARAMETER: &str = "state";

pub async fn observe_bucket(on: &AwsExtension) -> Result<Found, ExtendError> {
    let (s3, bucket) = (&on.clients.s3, &on.names.bucket);
    match s3.head_bucket().bucket(bucket).send().await {
        Err(error) if error.as_service_error().is_some_and(|error| error.is_not_found()) => return Ok(Found::Missing),
        Err(error) => return Err(ExtendError::cloud("s3:HeadBucket", &error)),
        Ok(_) => {}
    }
    let mut differences = Vec::new();
    let versioning =
        s3.get_bucket_versioning().bucket(bucket).send().await.map_err(failed("s3:GetBucketVersioning"))?;
    if versioning.status() != Some(&BucketVersioningStatus::Enabled) {
        differences.push("versioning is not enabled".to_string());
    }
    match s3.get_bucket_encryption().bucket(bucket).send().await {
        Ok(answer)
            if answer.server_side_encryption_configuration().is_some_and(|config| !config.rules().is_empty()) => {}
        Ok(_) => differences.push("no default encryption".to_string()),
        Err(error) if is_code(&error, &["ServerSideEncryptionConfigurationNotFoundError"]) => {
            differences.push("no default encryption".to_string())
        }
        Err(error) => return Err(ExtendError::cloud("s3:GetBucketEncryption", &error)),
    }
    match s3.get_public_access_block().bucket(bucket).send().await {
        Ok(answer) => {
            let blocked = answer.public_access_block_configuration().is_some_and(|config| {
                [
                    config.block_public_acls(),
                    config.ignore_public_acls(),
                    config.block_public_policy(),
                    config.restrict_public_buckets(),
                ]
                .iter()
                .all(|flag| *flag == Some(true))
            });
            if !blocked {
                differences.push("public access is not fully blocked".to_string());
            }
        }
        Err(error) if is_code(&error, &["NoSuchPublicAccessBlockConfiguration"]) => {
            differences.push("public access is not blocked".to_string())
        }
        Err(error) => return Err(ExtendError::cloud("s3:GetPublicAccessBlock", &error)),
    }
    match s3.get_bucket_lifecycle_configuration().bucket(bucket).send().await {
        Ok(answer) if answer.rules().iter().any(|rule| rule.id() == Some(LIFECYCLE_RULE)) => {}
        Ok(_) => differences.push(format!("lifecycle rule `{LIFECYCLE_RULE}` is missing")),
        Err(error) if is_code(&error, &["NoSuchLifecycleConfiguration"]) => {
            differences.push(format!("lifecycle rule `{LIFECYCLE_RULE}` is missing"))
        }
        Err(error) => return Err(ExtendError::cloud("s3:GetBucketLifecycleConfiguration", &error)),
    }
    Ok(Found::Present { id: on.names.bucket_arn(), differences })
}

pub async fn create_bucket(on: &AwsExtension) -> Result<String, ExtendError> {
    let (s3, names) = (&on.clients.s3, &on.names);
    let mut create = s3.create_bucket().bucket(&names.bucket);
    // us-east-1 is the one region that must not be named as a location constraint.
    if names.region != "us-east-1" {
        let location = BucketLocationConstraint::from(names.region.as_str());
        create = create
            .create_bucket_configuration(CreateBucketConfiguration::builder().location_constraint(location).build());
    }
    match create.send().await {
        Ok(_) => {}
        // Created by an earlier run that was killed before it looked again.
        Err(error) if is_code(&error, &["BucketAlreadyOwnedByYou"]) => {}
        Err(error) => return Err(ExtendError::cloud("s3:CreateBucket", &error)),
    }
    configure_bucket(on).await
}

/// Versioning, default encryption, the public access block and the lifecycle rule, each written whole.
pub async fn configure_bucket(on: &AwsExtension) -> Result<String, ExtendError> {
    let (s3, bucket) = (&on.clients.s3, &on.names.bucket);
    s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build())
        .send()
        .await
        .map_err(failed("s3:PutBucketVersioning"))?;
    let by_default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::Aes256)
        .build()
        .map_err(failed("s3:PutBucketEncryption"))?;
    let encryption = ServerSideEncryptionConfiguration::builder()
        .rules(ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(by_default).build())
        .build()
        .map_err(failed("s3:PutBucketEncryption"))?;
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(encryption)
        .send()
        .await
        .map_err(failed("s3:PutBucketEncryption"))?;
    let private = PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(private)
        .send()
        .await
        .map_err(failed("s3:PutPublicAccessBlock"))?;
    let rule = LifecycleRule::builder()
        .id(LIFECYCLE_RULE)
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("").build())
        .noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder().noncurrent_days(OLD_VERSIONS_DAYS).build(),
        )
        .build()
        .map_err(failed("s3:PutBucketLifecycleConfiguration"))?;
    let lifecycle = BucketLifecycleConfiguration::builder()
        .rules(rule)
        .build()
        .map_err(failed("s3:PutBucketLifecycleConfiguration"))?;
    s3.put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(lifecycle)
        .send()
        .await
        .map_err(failed("s3:PutBucketLifecycleConfiguration"))?;
    Ok(on.names.bucket_arn())
}

/// Empties the bucket, every version and delete marker, then deletes it.
pub async fn delete_bucket(on: &AwsExtension) -> Result<(), ExtendError> {
    let (s3, bucket) = (&on.clients.s3, &on.names.bucket);
    loop {
        let listed = s3.list_object_versions().bucket(bucket).send().await.map_err(failed("s3:ListObjectVersions"))?;
        let versions = listed.versions().iter().map(|version| (version.key(), version.version_id()));
        let markers = listed.delete_markers().iter().map(|marker| (marker.key(), marker.version_id()));
        let objects: Vec<ObjectIdentifier> = versions
            .chain(markers)
            .filter_map(|(key, version)| {
                ObjectIdentifier::builder().key(key?).set_version_id(version.map(str::to_string)).build().ok()
            })
            .collect();
        if objects.is_empty() {
            break;
        }
        let delete =
            Delete::builder().set_objects(Some(objects)).quiet(true).build().map_err(failed("s3:DeleteObjects"))?;
        s3.delete_objects().bucket(bucket).delete(delete).send().await.map_err(failed("s3:DeleteObjects"))?;
    }
    s3.delete_bucket().bucket(bucket).send().await.map_err(failed("s3:DeleteBucket"))?;
    Ok(())
}

pub async fn write_record(on: &AwsExtension, record: &Record) -> Result<(), ExtendError> {
    on.clients
        .s3
        .put_object()
        .bucket(&on.names.bucket)
        .key(RECORD_KEY)
        .content_type("application/json")
        .body(ByteStream::from(record.to_json()))
        .send()
        .await
        .map_err(failed("s3:PutObject"))?;
    Ok(())
}

pub async fn read_record(on: &AwsExtension) -> Result<Option<Record>, ExtendError> {
    let object = match on.clients.s3.get_object().bucket(&on.names.bucket).key(RECORD_KEY).send().await {
        Ok(object) => object,
        Err(error) if is_code(&error, &["NoSuchKey", "NoSuchBucket"]) => return Ok(None),
        Err(error) => return Err(ExtendError::cloud("s3:GetObject", &error)),
    };
    let bytes = object.body.collect().await.map_err(failed("s3:GetObject"))?.into_bytes();
    serde_json::from_slice(&bytes).map(Some).map_err(|error| {
        ExtendError::Refused(format!("{}/{RECORD_KEY} is not an Extended Laptop record: {error}", on.names.state_url()))
    })
}

pub async fn delete_record(on: &AwsExtension) -> Result<(), ExtendError> {
    match on.clients.s3.delete_object().bucket(&on.names.bucket).key(RECORD_KEY).send().await {
        Ok(_) => Ok(()),
        Err(error) if is_code(&error, &["NoSuchBucket"]) => Ok(()),
        Err(error) => Err(ExtendError::cloud("s3:DeleteObject", &error)),
    }
}

pub async fn observe_log_group(on: &AwsExtension) -> Result<Found, ExtendError> {
    let name = on.names.log_group();
    let listed = on
        .clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(&name)
        .send()
        .await
        .map_err(failed("logs:DescribeLogGroups"))?;
    let Some(group) = listed.log_groups().iter().find(|group| group.log_group_name() == Some(name.as_str())) else {
        return Ok(Found::Missing);
    };
    let mut differences = Vec::new();
    if group.retention_in_days() != Some(LOG_RETENTION_DAYS) {
        let now = group.retention_in_days().map_or("forever".to_string(), |days| format!("{days} days"));
        differences.push(format!("logs are kept {now}, not {LOG_RETENTION_DAYS} days"));
    }
    Ok(Found::Present { id: group.arn().unwrap_or(&name).to_string(), differences })
}

pub async fn create_log_group(on: &AwsExtension) -> Result<String, ExtendError> {
    match on.clients.logs.create_log_group().log_group_name(on.names.log_group()).send().await {
        Ok(_) => {}
        Err(error) if error.as_service_error().is_some_and(|error| error.is_resource_already_exists_exception()) => {}
        Err(error) => return Err(ExtendError::cloud("logs:CreateLogGroup", &error)),
    }
    configure_log_group(on).await
}

pub async fn configure_log_group(on: &AwsExtension) -> Result<String, ExtendError> {
    on.clients
        .logs
        .put_retention_policy()
        .log_group_name(on.names.log_group())
        .retention_in_days(LOG_RETENTION_DAYS)
        .send()
        .await
        .map_err(failed("logs:PutRetentionPolicy"))?;
    Ok(on.names.log_group_arn())
}

pub async fn delete_log_group(on: &AwsExtension) -> Result<(), ExtendError> {
    match on.clients.logs.delete_log_group().log_group_name(on.names.log_group()).send().await {
        Ok(_) => Ok(()),
        Err(error) if error.as_service_error().is_some_and(|error| error.is_resource_not_found_exception()) => Ok(()),
        Err(error) => Err(ExtendError::cloud("logs:DeleteLogGroup", &error)),
    }
}

fn state_parameter(on: &AwsExtension) -> String {
    format!("{}{STATE_PARAMETER}", on.names.parameter_path())
}

pub async fn observe_parameters(on: &AwsExtension) -> Result<Found, ExtendError> {
    let name = state_parameter(on);
    match on.clients.ssm.get_parameter().name(&name).send().await {
        Ok(answer) => {
            let value = answer.parameter().and_then(|parameter| parameter.value()).unwrap_or_default();
            let differences = if value == on.names.state_url() {
                Vec::new()
            } else {
                vec![format!("`{name}` is `{value}`, not `{}`", on.names.state_url())]
            };
            Ok(Found::Present { id: on.names.parameter_path(), differences })
        }
        Err(error) if error.as_service_error().is_some_and(|error| error.is_parameter_not_found()) => {
            Ok(Found::Missing)
        }
        Err(error) => Err(ExtendError::cloud("ssm:GetParameter", &error)),
    }
}

pub async fn put_parameters(on: &AwsExtension) -> Result<String, ExtendError> {
    on.clients
        .ssm
        .put_parameter()
        .name(state_parameter(on))
        .value(on.names.state_url())
        .r#type(ParameterType::String)
        .overwrite(true)
        .send()
        .await
        .map_err(failed("ssm:PutParameter"))?;
    Ok(on.names.parameter_path())
}

/// Every parameter under the path (the credentials `extend secrets set` stored too).
pub async fn delete_parameters(on: &AwsExtension) -> Result<(), ExtendError> {
    let ssm = &on.clients.ssm;
    let mut names = Vec::new();
    let mut pages =
        ssm.get_parameters_by_path().path(on.names.parameter_path()).recursive(true).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("ssm:GetParametersByPath"))?;
        names.extend(page.parameters().iter().filter_map(|parameter| parameter.name().map(str::to_string)));
    }
    // DeleteParameters takes at most 10 names.
    for batch in names.chunks(10) {
        ssm.delete_parameters().set_names(Some(batch.to_vec())).send().await.map_err(failed("ssm:DeleteParameters"))?;
    }
    Ok(())
}
