//! Cloud Functions, Cloud SQL and Cloud Storage.

use escher_compiler::plan::Value;

use super::gcp_compute::label;
use super::spec::{ActionSpec, Applied, Change, refuse, remove, set_fields, state};
use super::txn::Txn;
use crate::build::prices;
use crate::estate::ids;
use crate::record::{self, Record, text};
use escher_runtime::provider::args::Args;

const FUNCTION: &str = "gcp.functions.Function";
const INSTANCE: &str = "gcp.sql.Instance";
const BACKUP: &str = "gcp.sql.Backup";
const BUCKET: &str = "gcp.storage.Bucket";

pub(crate) const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("gcp.functions.set_max_instances", FUNCTION, set_max_instances),
    ActionSpec::new("gcp.functions.label", FUNCTION, label),
    ActionSpec::removal("gcp.functions.delete", FUNCTION, remove),
    ActionSpec::new("gcp.sql.start", INSTANCE, sql_start),
    ActionSpec::new("gcp.sql.stop", INSTANCE, sql_stop),
    ActionSpec::new("gcp.sql.restart", INSTANCE, sql_restart),
    ActionSpec::new("gcp.sql.backup", INSTANCE, sql_backup),
    ActionSpec::new("gcp.sql.set_tier", INSTANCE, sql_set_tier),
    ActionSpec::removal("gcp.sql.delete", INSTANCE, remove),
    ActionSpec::new("gcp.storage.remove_public_access", BUCKET, remove_public_access),
    ActionSpec::new("gcp.storage.enable_versioning", BUCKET, enable_versioning),
    ActionSpec::new("gcp.storage.disable_versioning", BUCKET, disable_versioning),
    ActionSpec::new("gcp.storage.label", BUCKET, label),
];

/// What `storage.enable_encryption` does to a bucket, which the stdlib has no GCP action for: Google encrypts
/// every bucket, so it is unchanged.
pub(crate) const INTERNAL: &[ActionSpec] =
    &[ActionSpec::new("gcp.storage.enable_encryption", BUCKET, enable_encryption)];

fn set_max_instances(txn: &mut Txn, args: &Args, function: &Record) -> Applied {
    let max = args.int("max_instances")?;
    if max < 1 {
        return refuse("invalid: max_instances must be at least 1; delete the function to stop it.");
    }
    set_fields(txn, function, &[("max_instances", Value::Int(max))])
}

fn invalid_state(instance: &Record) -> Applied {
    refuse(format!(
        "invalidState: The instance {} is {}, which does not allow this operation.",
        record::field(instance, "name"),
        state(instance)
    ))
}

/// Cloud SQL starts and stops by changing the activation policy, which completes without an intermediate state.
fn sql_start(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "runnable" | "stopped" => set_fields(txn, instance, &[("state", text("runnable"))]),
        _ => invalid_state(instance),
    }
}

fn sql_stop(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "runnable" | "stopped" => set_fields(txn, instance, &[("state", text("stopped"))]),
        _ => invalid_state(instance),
    }
}

fn sql_restart(_: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "runnable" => Ok(Change::Changed),
        _ => invalid_state(instance),
    }
}

/// An on-demand backup: a new `gcp.sql.Backup` naming its instance. A stopped instance cannot be backed up.
fn sql_backup(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let description = args.opt_str("description")?.unwrap_or("");
    if state(instance) != "runnable" {
        return invalid_state(instance);
    }
    let id = txn.new_id(ids::numeric);
    let mut backup = Record::new();
    for field in ["cloud", "account", "region", "project"] {
        backup.insert(field.into(), text(record::field(instance, field)));
    }
    backup.insert("kind".into(), text(BACKUP));
    backup.insert("id".into(), text(id.clone()));
    backup.insert("name".into(), text(id));
    backup.insert("tags".into(), Value::Record(Default::default()));
    backup.insert("instance".into(), text(record::field(instance, "name")));
    backup.insert("description".into(), text(description));
    backup.insert("created".into(), txn.now_value());
    backup.insert("monthly_cost".into(), Value::Float(2.0));
    txn.shift(&mut backup, "state", "running", "successful");
    txn.put(backup);
    Ok(Change::Changed)
}

fn sql_set_tier(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let tier = args.str("tier")?;
    if !tier.starts_with("db-") {
        return refuse(format!("invalid: {tier} is not a Cloud SQL tier."));
    }
    if !matches!(state(instance), "runnable" | "stopped") {
        return invalid_state(instance);
    }
    set_fields(txn, instance, &[("tier", text(tier)), ("monthly_cost", Value::Float(prices::monthly(tier)))])
}

fn remove_public_access(txn: &mut Txn, _: &Args, bucket: &Record) -> Applied {
    set_fields(txn, bucket, &[("public", Value::Bool(false)), ("public_access_prevention", Value::Bool(true))])
}

fn enable_versioning(txn: &mut Txn, _: &Args, bucket: &Record) -> Applied {
    set_fields(txn, bucket, &[("versioning", Value::Bool(true))])
}

fn disable_versioning(txn: &mut Txn, _: &Args, bucket: &Record) -> Applied {
    set_fields(txn, bucket, &[("versioning", Value::Bool(false))])
}

fn enable_encryption(txn: &mut Txn, _: &Args, bucket: &Record) -> Applied {
    set_fields(txn, bucket, &[("encrypted", Value::Bool(true))])
}
