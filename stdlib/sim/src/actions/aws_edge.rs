//! Amazon Route 53 records and S3 buckets.

use escher_compiler::plan::Value;

use super::spec::{ActionSpec, Applied, Change, refuse, set_fields, set_tags};
use super::txn::Txn;
use crate::record::{self, Record, text};
use escher_runtime::provider::args::Args;

const RECORD: &str = "aws.route53.Record";
const BUCKET: &str = "aws.s3.Bucket";

pub(crate) const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("aws.route53.set_failover", RECORD, set_failover),
    ActionSpec::new("aws.route53.set_values", RECORD, set_values),
    ActionSpec::new("aws.s3.block_public_access", BUCKET, block_public_access),
    ActionSpec::new("aws.s3.enable_default_encryption", BUCKET, enable_default_encryption),
    ActionSpec::new("aws.s3.enable_versioning", BUCKET, enable_versioning),
    ActionSpec::new("aws.s3.suspend_versioning", BUCKET, suspend_versioning),
    ActionSpec::new("aws.s3.enable_replication", BUCKET, enable_replication),
    ActionSpec::new("aws.s3.tag", BUCKET, tag),
];

/// A failover record needs a set identifier; an UPSERT replaces the health check (none when left out).
fn set_failover(txn: &mut Txn, args: &Args, rrset: &Record) -> Applied {
    let role = args.str("role")?;
    let health_check = args.opt_str("health_check_id")?;
    if !matches!(role, "PRIMARY" | "SECONDARY") {
        return refuse(format!("InvalidInput: Failover must be PRIMARY or SECONDARY, not {role}."));
    }
    if record::str_of(rrset, "set_identifier").is_none() {
        return refuse(format!(
            "InvalidChangeBatch: {} has no set identifier, which a failover record needs.",
            record::id(rrset)
        ));
    }
    let health_check = health_check.map_or(Value::Null, text);
    set_fields(txn, rrset, &[("failover", text(role)), ("health_check_id", health_check)])
}

fn set_values(txn: &mut Txn, args: &Args, rrset: &Record) -> Applied {
    let values = args.strings("values")?;
    let ttl = args.opt_int("ttl")?;
    if values.is_empty() {
        return refuse("InvalidChangeBatch: a record set needs at least one value.");
    }
    let mut fields = vec![("values", Value::List(values.into_iter().map(text).collect()))];
    if let Some(ttl) = ttl {
        fields.push(("ttl", Value::Int(ttl)));
    }
    set_fields(txn, rrset, &fields)
}

fn block_public_access(txn: &mut Txn, _: &Args, bucket: &Record) -> Applied {
    set_fields(txn, bucket, &[("public_access_blocked", Value::Bool(true)), ("public", Value::Bool(false))])
}

fn enable_default_encryption(txn: &mut Txn, args: &Args, bucket: &Record) -> Applied {
    let algorithm = args.opt_str("algorithm")?.unwrap_or("AES256");
    let key = args.opt_str("kms_key_id")?;
    if !matches!(algorithm, "AES256" | "aws:kms" | "aws:kms:dsse") {
        return refuse(format!("InvalidArgument: The encryption method {algorithm} is not supported."));
    }
    if key.is_some() && algorithm == "AES256" {
        return refuse("InvalidArgument: a KMS key applies only to aws:kms encryption.");
    }
    set_fields(
        txn,
        bucket,
        &[
            ("encrypted", Value::Bool(true)),
            ("encryption", text(algorithm)),
            ("kms_key_id", key.map_or(Value::Null, text)),
        ],
    )
}

fn enable_versioning(txn: &mut Txn, _: &Args, bucket: &Record) -> Applied {
    set_fields(txn, bucket, &[("versioning", Value::Bool(true))])
}

/// S3 refuses to change versioning while replication is configured.
fn suspend_versioning(txn: &mut Txn, _: &Args, bucket: &Record) -> Applied {
    if record::str_of(bucket, "replication_destination").is_some() {
        return refuse(format!(
            "InvalidBucketState: A replication configuration is present on bucket {}, so you cannot change its versioning state.",
            record::id(bucket)
        ));
    }
    set_fields(txn, bucket, &[("versioning", Value::Bool(false))])
}

/// Replicates to `PREFIX` + the bucket's name in the destination region, creating that bucket (versioned, like
/// its source) when missing.
fn enable_replication(txn: &mut Txn, args: &Args, bucket: &Record) -> Applied {
    let region = args.str("destination_region")?;
    let prefix = args.opt_str("destination_prefix")?.unwrap_or("");
    let name = record::id(bucket);
    if record::bool_of(bucket, "versioning") != Some(true) {
        return refuse(format!(
            "InvalidRequest: Versioning must be 'Enabled' on bucket {name} to apply a replication configuration."
        ));
    }
    let destination = format!("{prefix}{name}");
    if destination == name {
        return refuse("InvalidRequest: the destination bucket must differ from the source bucket.");
    }
    if record::str_of(bucket, "replication_destination") == Some(destination.as_str()) {
        return Ok(Change::Unchanged);
    }
    match txn.get(&destination) {
        Some(existing) if record::field(&existing, "region") != region => {
            return refuse(format!(
                "InvalidRequest: destination bucket {destination} is in {}, not {region}.",
                record::field(&existing, "region")
            ));
        }
        Some(existing) if record::bool_of(&existing, "versioning") != Some(true) => {
            return refuse(format!("InvalidRequest: Destination bucket {destination} must have versioning enabled."));
        }
        Some(_) => {}
        None => {
            let mut copy = bucket.clone();
            copy.insert("id".into(), text(destination.clone()));
            copy.insert("name".into(), text(destination.clone()));
            copy.insert("region".into(), text(region));
            copy.insert("created".into(), txn.now_value());
            copy.insert("public".into(), Value::Bool(false));
            copy.insert("public_access_blocked".into(), Value::Bool(true));
            copy.insert("replication_destination".into(), Value::Null);
            copy.insert("replica_of".into(), text(name));
            txn.put(copy);
        }
    }
    set_fields(txn, bucket, &[("replication_destination", text(destination))])
}

fn tag(txn: &mut Txn, args: &Args, bucket: &Record) -> Applied {
    let tags = args.tags("tags")?;
    if let Some(key) = tags.keys().find(|k| k.starts_with("aws:")) {
        return refuse(format!("InvalidTag: Tag keys starting with 'aws:' are reserved ({key})."));
    }
    set_tags(txn, bucket, &tags)
}
