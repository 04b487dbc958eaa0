//! Azure SQL databases, Blob containers and network security group rules. Versioning and encryption are
//! settings of a storage account, so changing them for one container changes them for every container of its
//! account.

use escher_compiler::plan::Value;

use super::spec::{ActionSpec, Applied, Change, check_given, refuse, remove, set_fields, state};
use super::txn::Txn;
use crate::build::prices;
use crate::estate::ids;
use crate::record::{self, Record, text};
use escher_runtime::provider::args::Args;

const DATABASE: &str = "azure.sql.Database";
const CONTAINER: &str = "azure.storage.Container";
const RULE: &str = "azure.network.SecurityRule";

pub(crate) const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("azure.sql.pause", DATABASE, sql_pause),
    ActionSpec::new("azure.sql.resume", DATABASE, sql_resume),
    ActionSpec::new("azure.sql.backup", DATABASE, sql_backup),
    ActionSpec::new("azure.sql.scale", DATABASE, sql_scale),
    ActionSpec::removal("azure.sql.delete", DATABASE, remove),
    ActionSpec::new("azure.storage.set_private", CONTAINER, set_private),
    ActionSpec::new("azure.storage.enable_versioning", CONTAINER, enable_versioning),
    ActionSpec::new("azure.storage.enable_encryption", CONTAINER, enable_encryption),
    ActionSpec::removal("azure.network.delete_rules", RULE, remove),
    ActionSpec::creation("azure.network.create_rules", RULE, create_rule),
];

/// Resource Manager pauses and resumes Data Warehouse databases (dedicated SQL pools, SKUs `DW...`) only; other
/// editions answer `FeatureDisabledOnSelectedEdition`, and a serverless database pauses by itself.
fn pausable(database: &Record) -> Result<(), String> {
    let sku = record::field(database, "sku");
    if sku.starts_with("DW") {
        return Ok(());
    }
    Err(format!(
        "FeatureDisabledOnSelectedEdition: database '{}' ({sku}) is not a Data Warehouse database; only those pause \
         and resume through Resource Manager.",
        record::field(database, "name")
    ))
}

fn sql_pause(txn: &mut Txn, _: &Args, database: &Record) -> Applied {
    if let Err(why) = pausable(database) {
        return refuse(why);
    }
    match state(database) {
        "paused" | "pausing" => Ok(Change::Unchanged),
        "online" => {
            let mut paused = database.clone();
            txn.shift(&mut paused, "state", "pausing", "paused");
            txn.put(paused);
            Ok(Change::Changed)
        }
        other => refuse(format!("Conflict: database '{}' is {other}.", record::field(database, "name"))),
    }
}

fn sql_resume(txn: &mut Txn, _: &Args, database: &Record) -> Applied {
    if let Err(why) = pausable(database) {
        return refuse(why);
    }
    match state(database) {
        "online" | "resuming" => Ok(Change::Unchanged),
        "paused" => {
            let mut resumed = database.clone();
            txn.shift(&mut resumed, "state", "resuming", "online");
            txn.put(resumed);
            Ok(Change::Changed)
        }
        other => refuse(format!("Conflict: database '{}' is {other}.", record::field(database, "name"))),
    }
}

/// A copy `NAME-SUFFIX` on the same server (`CREATE DATABASE ... AS COPY OF`), linked to its source.
fn sql_backup(txn: &mut Txn, args: &Args, database: &Record) -> Applied {
    let stamp = ids::stamp(txn.now());
    let suffix = args.opt_str("suffix")?.unwrap_or(&stamp);
    let name = format!("{}-{suffix}", record::field(database, "name"));
    let source = record::id(database);
    let id = match source.rsplit_once("/databases/") {
        Some((server, _)) => format!("{server}/databases/{name}"),
        None => return refuse(format!("InvalidResourceId: {source} is not a database id.")),
    };
    if txn.exists(&id) {
        return refuse(format!(
            "DatabaseAlreadyExists: The database '{name}' already exists. Choose a different name."
        ));
    }
    let mut copy = database.clone();
    copy.insert("id".into(), text(id));
    copy.insert("name".into(), text(name));
    copy.insert("tags".into(), Value::Record(Default::default()));
    copy.insert("created".into(), txn.now_value());
    copy.insert("source_database".into(), text(source));
    txn.shift(&mut copy, "state", "copying", "online");
    txn.put(copy);
    Ok(Change::Changed)
}

/// A new service objective; a paused serverless database resumes to take it.
fn sql_scale(txn: &mut Txn, args: &Args, database: &Record) -> Applied {
    let sku = args.str("sku")?;
    if record::str_of(database, "sku") == Some(sku) {
        return Ok(Change::Unchanged);
    }
    let mut scaled = database.clone();
    scaled.insert("sku".into(), text(sku));
    scaled.insert("serverless".into(), Value::Bool(sku.contains("_S_")));
    scaled.insert("monthly_cost".into(), Value::Float(prices::monthly(sku)));
    scaled.insert("state".into(), text("online"));
    txn.put(scaled);
    Ok(Change::Changed)
}

fn set_private(txn: &mut Txn, _: &Args, container: &Record) -> Applied {
    set_fields(txn, container, &[("public_access", text("none")), ("public", Value::Bool(false))])
}

/// Sets a storage-account setting on every container of the target's account.
fn set_on_account(txn: &mut Txn, container: &Record, field: &str) -> Applied {
    if record::bool_of(container, field) == Some(true) {
        return Ok(Change::Unchanged);
    }
    let (subscription, account) =
        (record::field(container, "subscription"), record::field(container, "storage_account"));
    let siblings = txn.find(CONTAINER, |c| {
        record::field(c, "subscription") == subscription && record::field(c, "storage_account") == account
    });
    for sibling in siblings {
        let mut updated = sibling.as_ref().clone();
        updated.insert(field.into(), Value::Bool(true));
        txn.put(updated);
    }
    Ok(Change::Changed)
}

fn enable_versioning(txn: &mut Txn, _: &Args, container: &Record) -> Applied {
    set_on_account(txn, container, "versioning")
}

fn enable_encryption(txn: &mut Txn, _: &Args, container: &Record) -> Applied {
    set_on_account(txn, container, "encrypted")
}

/// Puts back a rule; another rule of the same group at the same priority conflicts with it.
fn create_rule(txn: &mut Txn, _: &Args, rule: &Record) -> Applied {
    if txn.exists(record::id(rule)) {
        return Ok(Change::Unchanged);
    }
    let rule = check_given(txn, rule)?;
    let same_group = |r: &Record| {
        ["subscription", "resource_group", "security_group", "priority"].iter().all(|f| r.get(*f) == rule.get(*f))
    };
    if let Some(other) = txn.find(RULE, same_group).first() {
        return refuse(format!(
            "SecurityRuleConflict: Rule '{}' has the same priority as rule '{}' of group '{}'.",
            record::field(&rule, "name"),
            record::field(other, "name"),
            record::field(&rule, "security_group")
        ));
    }
    txn.put(rule);
    Ok(Change::Changed)
}
