//! AWS Lambda and RDS. RDS is not idempotent the way EC2 is: it refuses to start an instance that is not
//! stopped, or to stop one that is not available, with `InvalidDBInstanceState`.

use escher_compiler::plan::Value;

use super::spec::{ActionSpec, Applied, Change, Refused, delete, refuse, remove, set_fields, set_tags, state};
use super::txn::Txn;
use crate::build::prices;
use crate::estate::ids;
use crate::record::{self, Record, text};
use escher_runtime::provider::args::Args;

const FUNCTION: &str = "aws.lambda.Function";
const INSTANCE: &str = "aws.rds.Instance";
const SNAPSHOT: &str = "aws.rds.Snapshot";

pub(crate) const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("aws.lambda.set_reserved_concurrency", FUNCTION, set_reserved_concurrency),
    ActionSpec::new("aws.lambda.remove_reserved_concurrency", FUNCTION, remove_reserved_concurrency),
    ActionSpec::new("aws.lambda.tag", FUNCTION, tag),
    ActionSpec::removal("aws.lambda.delete", FUNCTION, remove),
    ActionSpec::new("aws.rds.start", INSTANCE, rds_start),
    ActionSpec::new("aws.rds.stop", INSTANCE, rds_stop),
    ActionSpec::new("aws.rds.reboot", INSTANCE, rds_reboot),
    ActionSpec::new("aws.rds.create_snapshots", INSTANCE, rds_create_snapshot),
    ActionSpec::new("aws.rds.modify_class", INSTANCE, rds_modify_class),
    ActionSpec::new("aws.rds.tag", INSTANCE, tag),
    ActionSpec::new("aws.rds.restore_snapshots", SNAPSHOT, rds_restore),
    ActionSpec::removal("aws.rds.delete", INSTANCE, rds_delete),
    ActionSpec::removal("aws.rds.delete_snapshots", SNAPSHOT, rds_delete_snapshot),
];

fn set_reserved_concurrency(txn: &mut Txn, args: &Args, function: &Record) -> Applied {
    let concurrency = args.int("concurrency")?;
    if concurrency < 0 {
        return refuse("InvalidParameterValueException: ReservedConcurrentExecutions must be 0 or more.");
    }
    set_fields(txn, function, &[("reserved_concurrency", Value::Int(concurrency))])
}

fn remove_reserved_concurrency(txn: &mut Txn, _: &Args, function: &Record) -> Applied {
    set_fields(txn, function, &[("reserved_concurrency", Value::Null)])
}

fn tag(txn: &mut Txn, args: &Args, resource: &Record) -> Applied {
    let tags = args.tags("tags")?;
    if let Some(key) = tags.keys().find(|k| k.starts_with("aws:")) {
        return refuse(format!("InvalidParameterValue: Tag keys starting with 'aws:' are reserved ({key})."));
    }
    set_tags(txn, resource, &tags)
}

fn invalid_state(instance: &Record, needed: &str) -> Applied {
    refuse(format!(
        "InvalidDBInstanceState: DB instance {} is not in {needed} state (it is {}).",
        record::field(instance, "name"),
        state(instance)
    ))
}

fn rds_start(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    if state(instance) != "stopped" {
        return invalid_state(instance, "stopped");
    }
    let mut started = instance.clone();
    txn.shift(&mut started, "state", "starting", "available");
    txn.put(started);
    Ok(Change::Changed)
}

fn rds_stop(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    if state(instance) != "available" {
        return invalid_state(instance, "available");
    }
    let mut stopped = instance.clone();
    txn.shift(&mut stopped, "state", "stopping", "stopped");
    txn.put(stopped);
    Ok(Change::Changed)
}

fn rds_reboot(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    if state(instance) != "available" {
        return invalid_state(instance, "available");
    }
    let mut rebooted = instance.clone();
    txn.shift(&mut rebooted, "state", "rebooting", "available");
    txn.put(rebooted);
    Ok(Change::Changed)
}

/// A new snapshot of an instance, in its account and region; the name must be free there.
fn new_snapshot(txn: &mut Txn, instance: &Record, name: &str) -> Result<(), Refused> {
    let (account, region) = (record::field(instance, "account"), record::field(instance, "region"));
    let arn = format!("arn:aws:rds:{region}:{account}:snapshot:{name}");
    if txn.exists(&arn) {
        return Err(Refused::Target(format!(
            "DBSnapshotAlreadyExists: Cannot create the snapshot because a snapshot with the identifier {name} already exists."
        )));
    }
    let size = record::int_of(instance, "storage_gb").unwrap_or(0);
    let mut snapshot = Record::new();
    for field in ["cloud", "account", "region", "engine", "instance_class"] {
        snapshot.insert(field.into(), text(record::field(instance, field)));
    }
    snapshot.insert("kind".into(), text(SNAPSHOT));
    snapshot.insert("id".into(), text(arn));
    snapshot.insert("name".into(), text(name));
    snapshot.insert("tags".into(), Value::Record(Default::default()));
    snapshot.insert("instance_name".into(), text(record::field(instance, "name")));
    snapshot.insert("snapshot_type".into(), text("manual"));
    snapshot.insert("size_gb".into(), Value::Int(size));
    snapshot.insert("encrypted".into(), Value::Bool(record::bool_of(instance, "encrypted").unwrap_or(false)));
    snapshot.insert("created".into(), txn.now_value());
    snapshot.insert("monthly_cost".into(), Value::Float(prices::rds_snapshot_monthly(size)));
    txn.shift(&mut snapshot, "state", "creating", "available");
    txn.put(snapshot);
    Ok(())
}

/// A manual snapshot named `PREFIX-INSTANCE-TIMESTAMP`; stopped instances can be snapshotted too.
fn rds_create_snapshot(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let prefix = args.opt_str("name_prefix")?.unwrap_or("escher");
    if !matches!(state(instance), "available" | "stopped") {
        return invalid_state(instance, "available");
    }
    let name = format!("{prefix}-{}-{}", record::field(instance, "name"), ids::lower_stamp(txn.now()));
    new_snapshot(txn, instance, &name)?;
    Ok(Change::Changed)
}

fn rds_modify_class(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let class = args.str("instance_class")?;
    if !class.starts_with("db.") {
        return refuse(format!("InvalidParameterCombination: {class} is not a DB instance class."));
    }
    if record::str_of(instance, "instance_class") == Some(class) {
        return Ok(Change::Unchanged);
    }
    if state(instance) != "available" {
        return invalid_state(instance, "available");
    }
    let storage = record::int_of(instance, "storage_gb").unwrap_or(0);
    let mut modified = instance.clone();
    modified.insert("instance_class".into(), text(class));
    modified.insert("monthly_cost".into(), Value::Float(prices::rds_monthly(class, storage)));
    txn.shift(&mut modified, "state", "modifying", "available");
    txn.put(modified);
    Ok(Change::Changed)
}

/// A new instance named `PREFIX-SNAPSHOT`, with the snapshot's class unless one is given.
fn rds_restore(txn: &mut Txn, args: &Args, snapshot: &Record) -> Applied {
    let prefix = args.str("name_prefix")?;
    let class = args.opt_str("instance_class")?;
    if state(snapshot) != "available" {
        return refuse(format!(
            "InvalidDBSnapshotState: Snapshot {} is {}.",
            record::field(snapshot, "name"),
            state(snapshot)
        ));
    }
    let (account, region) = (record::field(snapshot, "account"), record::field(snapshot, "region"));
    let name = format!("{prefix}-{}", record::field(snapshot, "name"));
    let arn = format!("arn:aws:rds:{region}:{account}:db:{name}");
    if txn.exists(&arn) {
        return refuse(format!("DBInstanceAlreadyExists: DB instance {name} already exists."));
    }
    let class =
        class.or(record::str_of(snapshot, "instance_class").filter(|c| !c.is_empty())).unwrap_or("db.t4g.medium");
    let storage = record::int_of(snapshot, "size_gb").unwrap_or(20);
    let mut instance = Record::new();
    for field in ["cloud", "account", "region", "engine"] {
        instance.insert(field.into(), text(record::field(snapshot, field)));
    }
    instance.insert("kind".into(), text(INSTANCE));
    instance.insert("id".into(), text(arn));
    instance.insert("name".into(), text(name));
    instance.insert("tags".into(), Value::Record(Default::default()));
    instance.insert("instance_class".into(), text(class));
    instance.insert("engine_version".into(), text(record::str_of(snapshot, "engine_version").unwrap_or("16.3")));
    instance.insert("storage_gb".into(), Value::Int(storage));
    instance.insert("encrypted".into(), Value::Bool(record::bool_of(snapshot, "encrypted").unwrap_or(false)));
    instance.insert("multi_az".into(), Value::Bool(false));
    instance.insert("publicly_accessible".into(), Value::Bool(false));
    instance.insert("created".into(), txn.now_value());
    instance.insert("restored_from".into(), text(record::id(snapshot)));
    instance.insert("monthly_cost".into(), Value::Float(prices::rds_monthly(class, storage)));
    txn.shift(&mut instance, "state", "creating", "available");
    txn.put(instance);
    Ok(Change::Changed)
}

/// Deletes an instance after its final snapshot `INSTANCE-final` (unless skipped); its automated snapshots go
/// with it.
fn rds_delete(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let skip_final = args.bool_or("skip_final_snapshot", false)?;
    if matches!(state(instance), "deleting" | "creating") {
        return invalid_state(instance, "available or stopped");
    }
    let name = record::field(instance, "name");
    if !skip_final {
        new_snapshot(txn, instance, &format!("{name}-final"))?;
    }
    let (account, region) = (record::field(instance, "account"), record::field(instance, "region"));
    let automated = txn.find(SNAPSHOT, |s| {
        record::field(s, "instance_name") == name
            && record::field(s, "snapshot_type") == "automated"
            && record::field(s, "account") == account
            && record::field(s, "region") == region
    });
    for snapshot in automated {
        txn.remove(record::id(&snapshot));
    }
    delete(txn, instance)
}

fn rds_delete_snapshot(txn: &mut Txn, _: &Args, snapshot: &Record) -> Applied {
    if record::field(snapshot, "snapshot_type") == "automated" {
        return refuse(format!(
            "InvalidDBSnapshotState: Only manual snapshots can be deleted; {} is automated.",
            record::field(snapshot, "name")
        ));
    }
    delete(txn, snapshot)
}
