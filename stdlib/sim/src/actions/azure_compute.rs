//! Azure VMs, managed disks and Function Apps. Resource Manager operations are idempotent (starting a running
//! VM is accepted and changes nothing) but refuse conflicts: an operation on a VM in the middle of another.

use escher_compiler::plan::Value;

use super::spec::{ActionSpec, Applied, Change, delete, refuse, remove, set_fields, set_tags, state};
use super::txn::Txn;
use crate::build::prices;
use crate::estate::ids;
use crate::record::{self, Record, text};
use escher_runtime::provider::args::Args;

const VM: &str = "azure.vm.VirtualMachine";
const DISK: &str = "azure.disk.Disk";
const SNAPSHOT: &str = "azure.disk.Snapshot";
const APP: &str = "azure.functions.FunctionApp";

pub(crate) const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("azure.vm.start", VM, vm_start),
    ActionSpec::new("azure.vm.deallocate", VM, vm_deallocate),
    ActionSpec::new("azure.vm.restart", VM, vm_restart),
    ActionSpec::removal("azure.vm.delete", VM, vm_delete),
    ActionSpec::new("azure.vm.resize", VM, vm_resize),
    ActionSpec::new("azure.vm.tag", VM, tag),
    ActionSpec::new("azure.disk.create_snapshots", DISK, disk_snapshot),
    ActionSpec::removal("azure.disk.delete", DISK, disk_delete),
    ActionSpec::removal("azure.disk.delete_snapshots", SNAPSHOT, remove),
    ActionSpec::new("azure.functions.stop", APP, app_stop),
    ActionSpec::new("azure.functions.start", APP, app_start),
    ActionSpec::new("azure.functions.restart", APP, app_restart),
];

fn not_allowed(vm: &Record, operation: &str) -> Applied {
    refuse(format!(
        "OperationNotAllowed: Operation '{operation}' is not allowed on VM '{}' since the VM is {}.",
        record::field(vm, "name"),
        state(vm)
    ))
}

fn vm_start(txn: &mut Txn, _: &Args, vm: &Record) -> Applied {
    match state(vm) {
        "running" | "starting" => Ok(Change::Unchanged),
        "stopped" | "deallocated" => {
            let mut started = vm.clone();
            txn.shift(&mut started, "state", "starting", "running");
            txn.put(started);
            Ok(Change::Changed)
        }
        _ => not_allowed(vm, "start"),
    }
}

fn vm_deallocate(txn: &mut Txn, _: &Args, vm: &Record) -> Applied {
    match state(vm) {
        "deallocated" | "deallocating" => Ok(Change::Unchanged),
        "running" | "stopped" => {
            let mut deallocated = vm.clone();
            txn.shift(&mut deallocated, "state", "deallocating", "deallocated");
            txn.put(deallocated);
            Ok(Change::Changed)
        }
        _ => not_allowed(vm, "deallocate"),
    }
}

fn vm_restart(_: &mut Txn, _: &Args, vm: &Record) -> Applied {
    match state(vm) {
        "running" => Ok(Change::Changed),
        _ => not_allowed(vm, "restart"),
    }
}

/// Deletes the VM; its disks go too (the OS disk always, as `deleteOption: Delete`), or are detached with
/// `keep_disks`.
fn vm_delete(txn: &mut Txn, args: &Args, vm: &Record) -> Applied {
    let keep_disks = args.bool_or("keep_disks", false)?;
    let id = record::id(vm);
    for disk in txn.find_by(DISK, "managed_by", id) {
        if keep_disks {
            let mut detached = disk.as_ref().clone();
            detached.insert("attached".into(), Value::Bool(false));
            detached.insert("disk_state".into(), text("Unattached"));
            detached.insert("state".into(), text("unattached"));
            detached.insert("managed_by".into(), Value::Null);
            txn.put(detached);
        } else {
            txn.remove(record::id(&disk));
        }
    }
    delete(txn, vm)
}

/// A running VM restarts at its new size and keeps running.
fn vm_resize(txn: &mut Txn, args: &Args, vm: &Record) -> Applied {
    let size = args.str("vm_size")?;
    if !size.starts_with("Standard_") && !size.starts_with("Basic_") {
        return refuse(format!("InvalidParameter: The value {size} of parameter 'vmSize' is not allowed."));
    }
    if matches!(state(vm), "starting" | "stopping" | "deallocating") {
        return not_allowed(vm, "resize");
    }
    set_fields(txn, vm, &[("vm_size", text(size)), ("monthly_cost", Value::Float(prices::monthly(size)))])
}

const FORBIDDEN_IN_TAG_NAMES: &[char] = &['<', '>', '%', '&', '\\', '?', '/'];

fn tag(txn: &mut Txn, args: &Args, resource: &Record) -> Applied {
    let tags = args.tags("tags")?;
    if let Some(key) = tags.keys().find(|k| k.contains(FORBIDDEN_IN_TAG_NAMES)) {
        return refuse(format!("InvalidTagNameCharacters: The tag name '{key}' has characters that are not allowed."));
    }
    set_tags(txn, resource, &tags)
}

/// An incremental snapshot `PREFIX-DISK-TIMESTAMP` in the disk's resource group.
fn disk_snapshot(txn: &mut Txn, args: &Args, disk: &Record) -> Applied {
    let prefix = args.opt_str("name_prefix")?.unwrap_or("escher");
    let name = format!("{prefix}-{}-{}", record::field(disk, "name"), ids::stamp(txn.now()));
    let id = format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Compute/snapshots/{name}",
        record::field(disk, "subscription"),
        record::field(disk, "resource_group")
    );
    if txn.exists(&id) {
        return refuse(format!("Conflict: A snapshot named '{name}' already exists in the resource group."));
    }
    let size = record::int_of(disk, "size_gb").unwrap_or(0);
    let mut snapshot = Record::new();
    for field in ["cloud", "account", "region", "subscription", "resource_group"] {
        snapshot.insert(field.into(), text(record::field(disk, field)));
    }
    snapshot.insert("kind".into(), text(SNAPSHOT));
    snapshot.insert("id".into(), text(id));
    snapshot.insert("name".into(), text(name));
    snapshot.insert("tags".into(), Value::Record(Default::default()));
    snapshot.insert("size_gb".into(), Value::Int(size));
    snapshot.insert("encrypted".into(), Value::Bool(record::bool_of(disk, "encrypted").unwrap_or(true)));
    snapshot.insert("created".into(), txn.now_value());
    snapshot.insert("source_disk".into(), text(record::id(disk)));
    snapshot.insert("incremental".into(), Value::Bool(true));
    snapshot.insert("monthly_cost".into(), Value::Float(prices::snapshot_monthly(size)));
    txn.shift(&mut snapshot, "state", "creating", "succeeded");
    txn.put(snapshot);
    Ok(Change::Changed)
}

fn disk_delete(txn: &mut Txn, _: &Args, disk: &Record) -> Applied {
    if let Some(vm) = record::str_of(disk, "managed_by") {
        return refuse(format!("OperationNotAllowed: Disk {} is attached to VM {vm}.", record::field(disk, "name")));
    }
    delete(txn, disk)
}

fn app_stop(txn: &mut Txn, _: &Args, app: &Record) -> Applied {
    set_fields(txn, app, &[("state", text("stopped"))])
}

fn app_start(txn: &mut Txn, _: &Args, app: &Record) -> Applied {
    set_fields(txn, app, &[("state", text("running"))])
}

/// A stopped app is accepted and stays stopped: there is nothing to restart.
fn app_restart(_: &mut Txn, _: &Args, app: &Record) -> Applied {
    match state(app) {
        "running" => Ok(Change::Changed),
        _ => Ok(Change::Unchanged),
    }
}
