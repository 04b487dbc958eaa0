//! Compute Engine instances, disks, snapshots and firewall rules. A stopped instance's status is
//! `terminated`; starting a running one or stopping a stopped one is accepted and changes nothing.

use escher_compiler::plan::Value;

use super::spec::{ActionSpec, Applied, Change, delete, refuse, remove, set_fields, set_tags, state};
use super::txn::Txn;
use crate::build::prices;
use crate::estate::ids;
use crate::record::{self, Record, text};
use escher_runtime::provider::args::Args;

const INSTANCE: &str = "gcp.compute.Instance";
const DISK: &str = "gcp.compute.Disk";
const SNAPSHOT: &str = "gcp.compute.Snapshot";
const RULE: &str = "gcp.compute.FirewallRule";

pub(crate) const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("gcp.compute.start", INSTANCE, start),
    ActionSpec::new("gcp.compute.stop", INSTANCE, stop),
    ActionSpec::new("gcp.compute.reset", INSTANCE, reset),
    ActionSpec::removal("gcp.compute.delete", INSTANCE, delete_instance),
    ActionSpec::new("gcp.compute.set_machine_type", INSTANCE, set_machine_type),
    ActionSpec::new("gcp.compute.label", INSTANCE, label),
    ActionSpec::new("gcp.compute.create_snapshots", DISK, create_snapshot),
    ActionSpec::removal("gcp.compute.delete_disks", DISK, delete_disk),
    ActionSpec::removal("gcp.compute.delete_snapshots", SNAPSHOT, remove),
    ActionSpec::new("gcp.compute.disable_firewall_rules", RULE, disable_rule),
    ActionSpec::new("gcp.compute.enable_firewall_rules", RULE, enable_rule),
];

fn path(instance: &Record) -> String {
    format!(
        "projects/{}/zones/{}/instances/{}",
        record::field(instance, "project"),
        record::field(instance, "zone"),
        record::field(instance, "name")
    )
}

fn not_ready(instance: &Record) -> Applied {
    refuse(format!("resourceNotReady: The resource '{}' is not ready (it is {}).", path(instance), state(instance)))
}

fn start(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "running" | "staging" | "provisioning" => Ok(Change::Unchanged),
        "terminated" => {
            let mut started = instance.clone();
            txn.shift(&mut started, "state", "staging", "running");
            txn.put(started);
            Ok(Change::Changed)
        }
        _ => not_ready(instance),
    }
}

fn stop(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "terminated" | "stopping" => Ok(Change::Unchanged),
        "running" | "staging" | "suspended" => {
            let mut stopped = instance.clone();
            txn.shift(&mut stopped, "state", "stopping", "terminated");
            txn.put(stopped);
            Ok(Change::Changed)
        }
        _ => not_ready(instance),
    }
}

fn reset(_: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "running" => Ok(Change::Changed),
        _ => not_ready(instance),
    }
}

/// Deletes the instance; boot disks (`delete_with_instance`, Google's auto-delete) go with it, other disks lose
/// it as a user.
fn delete_instance(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    let (project, name) = (record::field(instance, "project"), record::field(instance, "name"));
    let uses = |d: &Record| {
        record::field(d, "project") == project
            && matches!(d.get("users"), Some(Value::List(users)) if users.iter().any(|u| matches!(u, Value::String(u) if u == name)))
    };
    for disk in txn.find(DISK, uses) {
        if record::bool_of(&disk, "delete_with_instance") == Some(true) {
            txn.remove(record::id(&disk));
            continue;
        }
        let mut released = disk.as_ref().clone();
        if let Some(Value::List(users)) = released.get_mut("users") {
            users.retain(|u| !matches!(u, Value::String(u) if u == name));
            let attached = !users.is_empty();
            released.insert("attached".into(), Value::Bool(attached));
        }
        txn.put(released);
    }
    delete(txn, instance)
}

fn set_machine_type(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let machine_type = args.str("machine_type")?;
    if record::str_of(instance, "machine_type") == Some(machine_type) {
        return Ok(Change::Unchanged);
    }
    if state(instance) != "terminated" {
        return refuse(format!(
            "invalidResourceUsage: Instance '{}' must be stopped to change its machine type (it is {}).",
            record::field(instance, "name"),
            state(instance)
        ));
    }
    set_fields(
        txn,
        instance,
        &[("machine_type", text(machine_type)), ("monthly_cost", Value::Float(prices::monthly(machine_type)))],
    )
}

/// Google's label rules: lower-case letters, digits, `_` and `-`; keys start with a letter; at most 63.
pub(crate) fn valid_labels(labels: &std::collections::BTreeMap<String, String>) -> Result<(), String> {
    let allowed = |s: &str| {
        s.len() <= 63 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    };
    for (key, value) in labels {
        let key_ok = allowed(key) && key.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if !key_ok || !allowed(value) {
            return Err(format!(
                "invalid: Invalid value for field 'labels': '{key}: {value}'. Keys and values may hold only lower-case letters, digits, '_' and '-', and keys start with a letter."
            ));
        }
    }
    Ok(())
}

pub(crate) fn label(txn: &mut Txn, args: &Args, resource: &Record) -> Applied {
    let labels = args.tags("labels")?;
    if let Err(error) = valid_labels(&labels) {
        return refuse(error);
    }
    set_tags(txn, resource, &labels)
}

/// A snapshot `PREFIX-DISK-TIMESTAMP`, stored in the disk's region.
fn create_snapshot(txn: &mut Txn, args: &Args, disk: &Record) -> Applied {
    let prefix = args.opt_str("name_prefix")?.unwrap_or("escher");
    let project = record::field(disk, "project");
    let name = format!("{prefix}-{}-{}", record::field(disk, "name"), ids::lower_stamp(txn.now()));
    let taken = txn.find(SNAPSHOT, |s| record::field(s, "project") == project && record::field(s, "name") == name);
    if !taken.is_empty() {
        return refuse(format!(
            "alreadyExists: The resource 'projects/{project}/global/snapshots/{name}' already exists"
        ));
    }
    let size = record::int_of(disk, "size_gb").unwrap_or(0);
    let id = txn.new_id(ids::numeric);
    let mut snapshot = Record::new();
    for field in ["cloud", "account", "region", "project"] {
        snapshot.insert(field.into(), text(record::field(disk, field)));
    }
    snapshot.insert("kind".into(), text(SNAPSHOT));
    snapshot.insert("id".into(), text(id));
    snapshot.insert("name".into(), text(name));
    snapshot.insert("tags".into(), Value::Record(Default::default()));
    snapshot.insert("size_gb".into(), Value::Int(size));
    snapshot.insert("encrypted".into(), Value::Bool(true));
    snapshot.insert("created".into(), txn.now_value());
    snapshot.insert("source_disk".into(), text(record::field(disk, "name")));
    snapshot.insert("monthly_cost".into(), Value::Float(prices::snapshot_monthly(size)));
    txn.shift(&mut snapshot, "status", "creating", "ready");
    txn.shift(&mut snapshot, "state", "creating", "ready");
    txn.put(snapshot);
    Ok(Change::Changed)
}

fn delete_disk(txn: &mut Txn, _: &Args, disk: &Record) -> Applied {
    let user = match disk.get("users") {
        Some(Value::List(users)) => users.first(),
        _ => None,
    };
    if let Some(Value::String(user)) = user {
        return refuse(format!(
            "resourceInUseByAnotherResource: The disk resource '{}' is already being used by '{user}'",
            record::field(disk, "name")
        ));
    }
    delete(txn, disk)
}

fn disable_rule(txn: &mut Txn, _: &Args, rule: &Record) -> Applied {
    set_fields(txn, rule, &[("disabled", Value::Bool(true)), ("state", text("disabled"))])
}

fn enable_rule(txn: &mut Txn, _: &Args, rule: &Record) -> Applied {
    set_fields(txn, rule, &[("disabled", Value::Bool(false)), ("state", text("enabled"))])
}
