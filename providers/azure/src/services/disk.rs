//! Managed disks and snapshots (`azure.disk.*`) on `Microsoft.Compute`'s disk resource provider. Snapshots are
//! incremental and named from the batch's idempotency key, so a retried or resumed batch PUTs the same name
//! (a PUT of an existing snapshot changes nothing).

use azure_core::http::Method;
use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{IDEMPOTENCY_TAG, ProviderCall, ProviderError, ProviderResponse};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::context::{AzureContext, Subscription};
use crate::outcome::{Done, each_target, missing, unknown_action};
use crate::record::{Rec, ResourceId, field, flag, has_tags, text_at};
use crate::versions::DISKS;

pub(crate) const DISK: &str = "azure.disk.Disk";
pub(crate) const SNAPSHOT: &str = "azure.disk.Snapshot";

pub(crate) async fn call(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "azure.disk.list" => disks(ctx, &args).await.map(ProviderResponse::Value),
        "azure.disk.snapshots" => snapshots(ctx, &args).await.map(ProviderResponse::Value),
        "azure.disk.create_snapshots" => {
            let prefix = args.opt_str("name_prefix")?.unwrap_or("escher");
            each_target(&call.targets, |disk| snapshot(ctx, call, prefix, disk)).await
        }
        "azure.disk.delete" => each_target(&call.targets, |disk| delete_disk(ctx, call, disk)).await,
        "azure.disk.delete_snapshots" => {
            each_target(&call.targets, |snapshot| delete_snapshot(ctx, call, snapshot)).await
        }
        other => Err(unknown_action("disk", other)),
    }
}

async fn disks(ctx: &AzureContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (group, tags) = (args.opt_str("resource_group")?, args.tags("tags")?);
    let (attached, encrypted) = (args.opt_bool("attached")?, args.opt_bool("encrypted")?);
    let mut found = Vec::new();
    for home in ctx.listed(args.opt_str("subscription")?).await? {
        let path = format!("/subscriptions/{}/providers/Microsoft.Compute/disks", home.id);
        for disk in ctx.list(&home, ctx.url(&path, DISKS, &[])).await? {
            let record = disk_record(&disk);
            let flag = |name| matches!(flag(&record, name), Some(true));
            if in_group(&record, group)
                && has_tags(&record, &tags)
                && attached.is_none_or(|a| flag("attached") == a)
                && encrypted.is_none_or(|e| flag("encrypted") == e)
            {
                found.push(record);
            }
        }
    }
    Ok(Value::List(found))
}

async fn snapshots(ctx: &AzureContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (group, tags, older_than) =
        (args.opt_str("resource_group")?, args.tags("tags")?, args.opt_duration("older_than")?);
    let cutoff =
        older_than.map(|age| chrono::Utc::now().timestamp() - i64::try_from(age.as_secs()).unwrap_or(i64::MAX));
    let mut found = Vec::new();
    for home in ctx.listed(args.opt_str("subscription")?).await? {
        let path = format!("/subscriptions/{}/providers/Microsoft.Compute/snapshots", home.id);
        for snapshot in ctx.list(&home, ctx.url(&path, DISKS, &[])).await? {
            let record = snapshot_record(&snapshot);
            let taken = chrono::DateTime::parse_from_rfc3339(field(&record, "created")).map_or(0, |t| t.timestamp());
            if in_group(&record, group) && has_tags(&record, &tags) && cutoff.is_none_or(|cutoff| taken < cutoff) {
                found.push(record);
            }
        }
    }
    Ok(Value::List(found))
}

fn in_group(record: &Value, group: Option<&str>) -> bool {
    group.is_none_or(|g| field(record, "resource_group").eq_ignore_ascii_case(g))
}

pub(crate) fn disk_record(disk: &Json) -> Value {
    let properties = disk.get("properties").unwrap_or(&Json::Null);
    let managed_by = disk.get("managedBy").and_then(Json::as_str).filter(|m| !m.is_empty());
    let state = text_at(properties, &["diskState"]);
    // Azure encrypts every managed disk at rest; the type says with whose key.
    let encryption = match text_at(properties, &["encryption", "type"]) {
        "" => "EncryptionAtRestWithPlatformKey",
        kind => kind,
    };
    Rec::new(DISK, disk)
        .int("size_gb", properties.get("diskSizeGB").and_then(Json::as_i64).unwrap_or(0))
        .bool("attached", managed_by.is_some() || state.eq_ignore_ascii_case("Attached"))
        .bool("encrypted", true)
        .str("sku", text_at(disk, &["sku", "name"]))
        .str("disk_state", state)
        .opt_str("managed_by", managed_by)
        .str("encryption", encryption)
        .time("created", text_at(properties, &["timeCreated"]))
        .build()
}

pub(crate) fn snapshot_record(snapshot: &Json) -> Value {
    let properties = snapshot.get("properties").unwrap_or(&Json::Null);
    Rec::new(SNAPSHOT, snapshot)
        .int("size_gb", properties.get("diskSizeGB").and_then(Json::as_i64).unwrap_or(0))
        .bool("encrypted", true)
        .time("created", text_at(properties, &["timeCreated"]))
        .str("source_disk", text_at(properties, &["creationData", "sourceResourceId"]))
        .bool("incremental", properties.get("incremental").and_then(Json::as_bool).unwrap_or(false))
        .build()
}

pub(crate) async fn read(
    ctx: &AzureContext,
    home: &Subscription,
    target: &Value,
) -> Result<Option<Value>, ProviderError> {
    let found = ctx.find(home, ctx.url(field(target, "id"), DISKS, &[])).await?;
    Ok(found.map(|json| if field(target, "kind") == SNAPSHOT { snapshot_record(&json) } else { disk_record(&json) }))
}

/// The snapshot's name: the prefix, the disk's name and a digest of the batch's idempotency key and the disk,
/// within Azure's 80 characters.
pub(crate) fn snapshot_name(prefix: &str, disk: &str, key: &str, disk_id: &str) -> String {
    let digest = hex(&Sha256::digest(format!("{key}\n{disk_id}").as_bytes())[..5]);
    let room = 80 - digest.len() - 1;
    let stem: String = format!("{prefix}-{disk}").chars().take(room).collect();
    format!("{stem}-{digest}")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn snapshot(
    ctx: &AzureContext,
    call: &ProviderCall,
    prefix: &str,
    target: &Value,
) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let Some(disk) = read(ctx, &home, target).await? else { return Err(missing(target)) };
    if call.dry_run {
        return Ok(Done::Changed(disk));
    }
    let id = field(&disk, "id");
    let parts = ResourceId::parse(id).ok_or_else(|| ProviderError::Invalid(format!("`{id}` is not a disk's id")))?;
    let name = snapshot_name(prefix, parts.name, &call.idempotency_key, id);
    let path = format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Compute/snapshots/{name}",
        parts.subscription, parts.resource_group
    );
    let body = json!({
        "location": field(&disk, "region"),
        "tags": {IDEMPOTENCY_TAG: call.idempotency_key},
        "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": id}, "incremental": true},
    });
    ctx.act(&home, Method::Put, ctx.url(&path, DISKS, &[]), Some(&body)).await?;
    Ok(Done::Changed(disk))
}

async fn delete_disk(ctx: &AzureContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let Some(disk) = read(ctx, &home, target).await? else { return Ok(Done::Unchanged(target.clone())) };
    if flag(&disk, "attached") == Some(true) {
        return Err(ProviderError::Rejected(format!(
            "OperationNotAllowed: disk `{}` is attached to {}; detach it first (nothing was sent)",
            field(&disk, "name"),
            escher_runtime::provider::resource_field(&disk, "managed_by").unwrap_or("a VM")
        )));
    }
    if call.dry_run {
        return Ok(Done::Changed(disk));
    }
    let deleted = ctx.delete(&home, ctx.url(field(&disk, "id"), DISKS, &[])).await?;
    Ok(if deleted { Done::Changed(disk) } else { Done::Unchanged(disk) })
}

async fn delete_snapshot(ctx: &AzureContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let Some(snapshot) = read(ctx, &home, target).await? else { return Ok(Done::Unchanged(target.clone())) };
    if call.dry_run {
        return Ok(Done::Changed(snapshot));
    }
    let deleted = ctx.delete(&home, ctx.url(field(&snapshot, "id"), DISKS, &[])).await?;
    Ok(if deleted { Done::Changed(snapshot) } else { Done::Unchanged(snapshot) })
}

pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    match call.action.as_str() {
        "azure.disk.delete" | "azure.disk.delete_snapshots" => Some(resource.is_none()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names_are_stable_per_batch_and_disk_and_fit_azure() {
        let id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d";
        let first = snapshot_name("escher", "d", "run:node:0", id);
        assert_eq!(first, snapshot_name("escher", "d", "run:node:0", id));
        assert_ne!(first, snapshot_name("escher", "d", "run:node:1", id));
        assert!(first.starts_with("escher-d-"));
        let long = snapshot_name("escher", &"x".repeat(200), "k", id);
        assert_eq!(long.len(), 80);
    }

    #[test]
    fn an_attached_disk_says_so() {
        let disk = json!({"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d",
            "managedBy": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/v",
            "properties": {"diskState": "Attached", "diskSizeGB": 32}});
        let record = disk_record(&disk);
        assert_eq!(flag(&record, "attached"), Some(true));
        assert_eq!(field(&record, "encryption"), "EncryptionAtRestWithPlatformKey");
    }
}
