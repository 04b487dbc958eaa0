//! Amazon EC2 and EBS, with EC2's state rules: a stop of a stopped instance is accepted and changes nothing, a
//! start of a terminated one is refused with `IncorrectInstanceState`, a resize needs a stopped instance.

use escher_compiler::plan::Value;

use super::spec::{ActionSpec, Applied, Change, check_given, delete, refuse, remove, state};
use super::txn::Txn;
use crate::build::prices;
use crate::estate::ids;
use crate::record::{self, Record, text};
use escher_runtime::provider::args::Args;

const INSTANCE: &str = "aws.ec2.Instance";
const VOLUME: &str = "aws.ec2.Volume";
const SNAPSHOT: &str = "aws.ec2.Snapshot";
const IMAGE: &str = "aws.ec2.Image";
const RULE: &str = "aws.ec2.SecurityGroupRule";

pub(crate) const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("aws.ec2.start", INSTANCE, start),
    ActionSpec::new("aws.ec2.stop", INSTANCE, stop),
    ActionSpec::new("aws.ec2.reboot", INSTANCE, reboot),
    ActionSpec::removal("aws.ec2.terminate", INSTANCE, terminate),
    ActionSpec::new("aws.ec2.resize", INSTANCE, resize),
    ActionSpec::new("aws.ec2.tag", INSTANCE, tag),
    ActionSpec::new("aws.ec2.untag", INSTANCE, untag),
    ActionSpec::new("aws.ec2.create_images", INSTANCE, create_image),
    ActionSpec::removal("aws.ec2.deregister_images", IMAGE, remove),
    ActionSpec::new("aws.ec2.create_snapshots", VOLUME, create_snapshot),
    ActionSpec::removal("aws.ec2.delete_volumes", VOLUME, delete_volume),
    ActionSpec::new("aws.ec2.restore_volumes", SNAPSHOT, restore_volume),
    ActionSpec::removal("aws.ec2.delete_snapshots", SNAPSHOT, delete_snapshot),
    ActionSpec::new("aws.ec2.copy_snapshots", SNAPSHOT, copy_snapshot),
    ActionSpec::removal("aws.ec2.revoke_ingress", RULE, remove),
    ActionSpec::creation("aws.ec2.authorize_ingress", RULE, authorize),
];

fn incorrect_state(instance: &Record, verb: &str) -> Applied {
    refuse(format!(
        "IncorrectInstanceState: The instance '{}' is not in a state from which it can be {verb} (it is {}).",
        record::id(instance),
        state(instance)
    ))
}

fn start(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "running" | "pending" => Ok(Change::Unchanged),
        "stopped" => {
            let mut started = instance.clone();
            txn.shift(&mut started, "state", "pending", "running");
            started.insert("launch_time".into(), txn.now_value());
            txn.put(started);
            Ok(Change::Changed)
        }
        _ => incorrect_state(instance, "started"),
    }
}

fn stop(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "stopped" | "stopping" => Ok(Change::Unchanged),
        "running" => {
            let mut stopped = instance.clone();
            txn.shift(&mut stopped, "state", "stopping", "stopped");
            txn.put(stopped);
            Ok(Change::Changed)
        }
        _ => incorrect_state(instance, "stopped"),
    }
}

fn reboot(_: &mut Txn, _: &Args, instance: &Record) -> Applied {
    match state(instance) {
        "running" => Ok(Change::Changed),
        _ => incorrect_state(instance, "rebooted"),
    }
}

/// Terminated instances stay listed, as EC2 shows them for a while. Volumes marked `delete_with_instance` (EC2's
/// DeleteOnTermination) go with the instance; the others are detached.
fn terminate(txn: &mut Txn, _: &Args, instance: &Record) -> Applied {
    if matches!(state(instance), "terminated" | "shutting-down") {
        return Ok(Change::Unchanged);
    }
    let id = record::id(instance);
    for volume in txn.find_by(VOLUME, "instance_id", id) {
        if record::bool_of(&volume, "delete_with_instance") == Some(true) {
            txn.remove(record::id(&volume));
        } else {
            txn.put(detached(&volume));
        }
    }
    let mut terminated = instance.clone();
    txn.shift(&mut terminated, "state", "shutting-down", "terminated");
    terminated.insert("public_ip".into(), Value::Null);
    txn.put(terminated);
    Ok(Change::Changed)
}

fn detached(volume: &Record) -> Record {
    let mut volume = volume.clone();
    volume.insert("attached".into(), Value::Bool(false));
    volume.insert("state".into(), text("available"));
    volume.insert("instance_id".into(), Value::Null);
    volume
}

fn resize(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let instance_type = args.str("instance_type")?;
    if !prices::plausible_type(instance_type) {
        return refuse(format!(
            "InvalidParameterValue: Value ({instance_type}) for parameter instanceType is invalid."
        ));
    }
    if state(instance) != "stopped" {
        return refuse(format!(
            "IncorrectInstanceState: The instance '{}' is not in the 'stopped' state (it is {}).",
            record::id(instance),
            state(instance)
        ));
    }
    if record::str_of(instance, "instance_type") == Some(instance_type) {
        return Ok(Change::Unchanged);
    }
    let mut resized = instance.clone();
    resized.insert("instance_type".into(), text(instance_type));
    resized.insert("monthly_cost".into(), Value::Float(prices::monthly(instance_type)));
    txn.put(resized);
    Ok(Change::Changed)
}

/// The `Name` tag is the instance's name.
fn tag(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let tags = args.tags("tags")?;
    if let Some(key) = tags.keys().find(|k| k.starts_with("aws:")) {
        return refuse(format!("InvalidParameterValue: Tag keys starting with 'aws:' are reserved ({key})."));
    }
    let mut tagged = instance.clone();
    if !record::merge_tags(&mut tagged, &tags) {
        return Ok(Change::Unchanged);
    }
    if let Some(name) = tags.get("Name") {
        tagged.insert("name".into(), text(name.clone()));
    }
    txn.put(tagged);
    Ok(Change::Changed)
}

fn untag(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let keys = args.strings("keys")?;
    let mut untagged = instance.clone();
    let mut changed = false;
    if let Some(Value::Record(tags)) = untagged.get_mut("tags") {
        for key in &keys {
            changed |= tags.remove(key).is_some();
        }
    }
    if !changed {
        return Ok(Change::Unchanged);
    }
    if keys.iter().any(|k| k == "Name") {
        untagged.insert("name".into(), text(record::id(instance)));
    }
    txn.put(untagged);
    Ok(Change::Changed)
}

/// An AMI named `PREFIX-INSTANCEID-TIMESTAMP`, backed by a new snapshot of each attached volume.
fn create_image(txn: &mut Txn, args: &Args, instance: &Record) -> Applied {
    let prefix = args.str("name_prefix")?;
    let _no_reboot = args.bool_or("no_reboot", true)?;
    if !matches!(state(instance), "running" | "stopped") {
        return incorrect_state(instance, "imaged");
    }
    let id = record::id(instance);
    let name = format!("{prefix}-{id}-{}", ids::stamp(txn.now()));
    let (account, region) = (record::field(instance, "account"), record::field(instance, "region"));
    let same_place = |r: &Record| record::field(r, "account") == account && record::field(r, "region") == region;
    if let Some(taken) = txn.find(IMAGE, |i| same_place(i) && record::field(i, "name") == name).first() {
        return refuse(format!(
            "InvalidAMIName.Duplicate: AMI name {name} is already in use by AMI {}",
            record::id(taken)
        ));
    }
    let image_id = txn.new_id(|n| format!("ami-{}", ids::hex17(n)));
    let mut snapshot_ids = Vec::new();
    for volume in txn.find_by(VOLUME, "instance_id", id) {
        let description = format!("Created by CreateImage({id}) for {image_id}");
        snapshot_ids.push(text(snapshot_of(txn, &volume, &description)));
    }
    let mut image = Record::new();
    for field in ["cloud", "account", "region"] {
        image.insert(field.into(), text(record::field(instance, field)));
    }
    image.insert("kind".into(), text(IMAGE));
    image.insert("id".into(), text(image_id));
    image.insert("name".into(), text(name));
    image.insert("tags".into(), Value::Record(Default::default()));
    image.insert("created".into(), txn.now_value());
    image.insert("public".into(), Value::Bool(false));
    image.insert("monthly_cost".into(), Value::Float(0.0));
    image.insert("snapshot_ids".into(), Value::List(snapshot_ids));
    image.insert("source_instance_id".into(), text(id));
    txn.shift(&mut image, "state", "pending", "available");
    txn.put(image);
    Ok(Change::Changed)
}

/// Creates a snapshot of a volume, returning its id.
fn snapshot_of(txn: &mut Txn, volume: &Record, description: &str) -> String {
    let id = txn.new_id(|n| format!("snap-{}", ids::hex17(n)));
    let size = record::int_of(volume, "size_gb").unwrap_or(0);
    let mut snapshot = Record::new();
    for field in ["cloud", "account", "region"] {
        snapshot.insert(field.into(), text(record::field(volume, field)));
    }
    snapshot.insert("kind".into(), text(SNAPSHOT));
    snapshot.insert("id".into(), text(id.clone()));
    snapshot.insert("name".into(), text(id.clone()));
    snapshot.insert("tags".into(), Value::Record(Default::default()));
    snapshot.insert("size_gb".into(), Value::Int(size));
    snapshot.insert("encrypted".into(), Value::Bool(record::bool_of(volume, "encrypted").unwrap_or(false)));
    snapshot.insert("created".into(), txn.now_value());
    snapshot.insert("volume_id".into(), text(record::id(volume)));
    snapshot.insert("description".into(), text(description));
    snapshot.insert("monthly_cost".into(), Value::Float(prices::snapshot_monthly(size)));
    txn.shift(&mut snapshot, "state", "pending", "completed");
    txn.put(snapshot);
    id
}

fn create_snapshot(txn: &mut Txn, args: &Args, volume: &Record) -> Applied {
    let description = args.opt_str("description")?.unwrap_or("");
    if !matches!(state(volume), "available" | "in-use") {
        return refuse(format!("IncorrectState: The volume '{}' is {}.", record::id(volume), state(volume)));
    }
    snapshot_of(txn, volume, description);
    Ok(Change::Changed)
}

fn delete_volume(txn: &mut Txn, _: &Args, volume: &Record) -> Applied {
    if let Some(instance) = record::str_of(volume, "instance_id") {
        return refuse(format!("VolumeInUse: Volume {} is currently attached to {instance}", record::id(volume)));
    }
    delete(txn, volume)
}

const VOLUME_TYPES: &[&str] = &["gp2", "gp3", "io1", "io2", "st1", "sc1", "standard"];

/// A new volume from the snapshot, in an availability zone of the snapshot's region.
fn restore_volume(txn: &mut Txn, args: &Args, snapshot: &Record) -> Applied {
    let zone = args.str("availability_zone")?;
    let volume_type = args.opt_str("volume_type")?.unwrap_or("gp3");
    if !VOLUME_TYPES.contains(&volume_type) {
        return refuse(format!("InvalidParameterValue: The volume type '{volume_type}' is not valid."));
    }
    let region = record::field(snapshot, "region");
    let in_region = zone.strip_prefix(region).is_some_and(|letter| letter.len() == 1);
    if !in_region {
        return refuse(format!("InvalidParameterValue: Invalid availability zone: [{zone}] in {region}"));
    }
    if state(snapshot) != "completed" {
        return refuse(format!("IncorrectState: Snapshot is in invalid state - {}", state(snapshot)));
    }
    let size = record::int_of(snapshot, "size_gb").unwrap_or(0);
    let id = txn.new_id(|n| format!("vol-{}", ids::hex17(n)));
    let mut volume = Record::new();
    for field in ["cloud", "account", "region"] {
        volume.insert(field.into(), text(record::field(snapshot, field)));
    }
    volume.insert("kind".into(), text(VOLUME));
    volume.insert("id".into(), text(id.clone()));
    volume.insert("name".into(), text(id));
    volume.insert("tags".into(), Value::Record(Default::default()));
    volume.insert("size_gb".into(), Value::Int(size));
    volume.insert("attached".into(), Value::Bool(false));
    volume.insert("encrypted".into(), Value::Bool(record::bool_of(snapshot, "encrypted").unwrap_or(false)));
    volume.insert("availability_zone".into(), text(zone));
    volume.insert("volume_type".into(), text(volume_type));
    volume.insert("instance_id".into(), Value::Null);
    volume.insert("kms_key_id".into(), Value::Null);
    volume.insert("created".into(), txn.now_value());
    volume.insert("snapshot_id".into(), text(record::id(snapshot)));
    volume.insert("monthly_cost".into(), Value::Float(prices::volume_monthly(volume_type, size)));
    txn.shift(&mut volume, "state", "creating", "available");
    txn.put(volume);
    Ok(Change::Changed)
}

/// A snapshot that backs a registered AMI cannot be deleted.
fn delete_snapshot(txn: &mut Txn, _: &Args, snapshot: &Record) -> Applied {
    let id = record::id(snapshot);
    let backs = |image: &Record| match image.get("snapshot_ids") {
        Some(Value::List(ids)) => ids.iter().any(|s| matches!(s, Value::String(s) if s == id)),
        _ => false,
    };
    if let Some(image) = txn.find(IMAGE, backs).first() {
        return refuse(format!(
            "InvalidSnapshot.InUse: The snapshot {id} is currently in use by {}",
            record::id(image)
        ));
    }
    delete(txn, snapshot)
}

fn copy_snapshot(txn: &mut Txn, args: &Args, snapshot: &Record) -> Applied {
    let destination = args.str("destination_region")?;
    let encrypt = args.bool_or("encrypt", true)?;
    if state(snapshot) != "completed" {
        return refuse(format!("IncorrectState: Snapshot is in invalid state - {}", state(snapshot)));
    }
    let source = record::id(snapshot);
    let id = txn.new_id(|n| format!("snap-{}", ids::hex17(n)));
    let mut copy = snapshot.clone();
    copy.insert("id".into(), text(id.clone()));
    copy.insert("name".into(), text(id.clone()));
    copy.insert("region".into(), text(destination));
    copy.insert("tags".into(), Value::Record(Default::default()));
    copy.insert("created".into(), txn.now_value());
    copy.insert("encrypted".into(), Value::Bool(encrypt || record::bool_of(snapshot, "encrypted") == Some(true)));
    copy.insert(
        "description".into(),
        text(format!("Copied for DestinationSnapshot {id} from SourceSnapshot {source}")),
    );
    copy.insert("source_snapshot_id".into(), text(source));
    txn.shift(&mut copy, "state", "pending", "completed");
    txn.put(copy);
    Ok(Change::Changed)
}

/// Puts back a rule as described by its record.
fn authorize(txn: &mut Txn, _: &Args, rule: &Record) -> Applied {
    if txn.exists(record::id(rule)) {
        return Ok(Change::Unchanged);
    }
    let rule = check_given(txn, rule)?;
    txn.put(rule);
    Ok(Change::Changed)
}
