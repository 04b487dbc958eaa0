//! `is_done` for the bucket settings, read off the bucket's record: public access blocked, default encryption
//! (algorithm, and key when one is given), versioning, tags, and the replication destination. The record names
//! only the first replication destination, so a bucket that replicates elsewhere first cannot tell (`None`).

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderCall;
use escher_runtime::provider::args::Args;

use crate::done::{has_field, tags_set};
use crate::record::{field, str_field};

pub(crate) fn is_done(action: &str, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    match action {
        "aws.s3.block_public_access" => has_field(resource, "public_access_blocked", &Value::Bool(true)),
        "aws.s3.enable_default_encryption" => encrypted(&args, resource),
        "aws.s3.enable_versioning" => has_field(resource, "versioning", &Value::Bool(true)),
        "aws.s3.suspend_versioning" => has_field(resource, "versioning", &Value::Bool(false)),
        "aws.s3.enable_replication" => replicates(&args, resource),
        "aws.s3.tag" => tags_set(&args, resource),
        _ => None,
    }
}

/// Encrypted with the algorithm asked for, and with the key when one is named (as the action judges "already").
fn encrypted(args: &Args<'_>, resource: Option<&Value>) -> Option<bool> {
    let algorithm = args.opt_str("algorithm").ok()?.unwrap_or("AES256");
    let key = args.opt_str("kms_key_id").ok()?;
    Some(resource.is_some_and(|bucket| {
        str_field(bucket, "encryption") == algorithm && key.is_none_or(|k| str_field(bucket, "kms_key_id") == k)
    }))
}

/// Replicating to `PREFIX` + the bucket's name.
fn replicates(args: &Args<'_>, resource: Option<&Value>) -> Option<bool> {
    let prefix = args.opt_str("destination_prefix").ok()?.unwrap_or("");
    let Some(bucket) = resource else { return Some(false) };
    let wanted = format!("{prefix}{}", str_field(bucket, "name"));
    match field(bucket, "replication_destination") {
        None | Some(Value::Null) => Some(false),
        Some(Value::String(destination)) if *destination == wanted => Some(true),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::done::tests::{call, record, text};

    fn bucket(fields: &[(&str, Value)]) -> Value {
        let mut all = vec![("id", text("logs")), ("name", text("logs"))];
        all.extend(fields.iter().cloned());
        record(&all, &[])
    }

    fn done(action: &str, args: &[(&str, Value)], now: Option<&Value>) -> Option<bool> {
        is_done(action, &call(action, args, vec![bucket(&[])]), now)
    }

    #[test]
    fn flags_are_told_from_the_record() {
        let open = bucket(&[("public_access_blocked", Value::Bool(false)), ("versioning", Value::Bool(false))]);
        let closed = bucket(&[("public_access_blocked", Value::Bool(true)), ("versioning", Value::Bool(true))]);
        assert_eq!(done("aws.s3.block_public_access", &[], Some(&open)), Some(false));
        assert_eq!(done("aws.s3.block_public_access", &[], Some(&closed)), Some(true));
        assert_eq!(done("aws.s3.enable_versioning", &[], Some(&open)), Some(false));
        assert_eq!(done("aws.s3.enable_versioning", &[], Some(&closed)), Some(true));
        assert_eq!(done("aws.s3.suspend_versioning", &[], Some(&closed)), Some(false));
        assert_eq!(done("aws.s3.suspend_versioning", &[], Some(&open)), Some(true));
        assert_eq!(done("aws.s3.enable_versioning", &[], None), Some(false));
    }

    #[test]
    fn encryption_needs_the_algorithm_and_the_key_when_named() {
        let kms = bucket(&[("encryption", text("aws:kms")), ("kms_key_id", text("key-1"))]);
        let plain = bucket(&[("encryption", text("AES256")), ("kms_key_id", Value::Null)]);
        let action = "aws.s3.enable_default_encryption";
        assert_eq!(done(action, &[], Some(&plain)), Some(true), "AES256 by default");
        assert_eq!(done(action, &[], Some(&kms)), Some(false));
        assert_eq!(done(action, &[("algorithm", text("aws:kms"))], Some(&kms)), Some(true));
        let key_2 = [("algorithm", text("aws:kms")), ("kms_key_id", text("key-2"))];
        assert_eq!(done(action, &key_2, Some(&kms)), Some(false));
    }

    #[test]
    fn replication_is_told_only_from_its_own_destination() {
        let args = [("destination_prefix", text("dr-"))];
        let action = "aws.s3.enable_replication";
        assert_eq!(done(action, &args, Some(&bucket(&[("replication_destination", Value::Null)]))), Some(false));
        assert_eq!(done(action, &args, Some(&bucket(&[("replication_destination", text("dr-logs"))]))), Some(true));
        assert_eq!(done(action, &args, Some(&bucket(&[("replication_destination", text("other"))]))), None);
    }

    #[test]
    fn tags_are_told_from_the_record() {
        let args = [("tags", Value::Record([("owner".to_string(), text("ops"))].into()))];
        assert_eq!(done("aws.s3.tag", &args, Some(&bucket(&[]))), Some(false));
        assert_eq!(done("aws.s3.tag", &args, Some(&record(&[], &[("owner", "ops")]))), Some(true));
        assert_eq!(done("aws.s3.buckets", &[], None), None);
    }
}
