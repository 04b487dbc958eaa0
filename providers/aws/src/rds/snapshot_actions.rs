//! Actions on RDS snapshots: restore into a new instance, delete.

use aws_sdk_rds::Client;
use aws_sdk_rds::error::ProvideErrorMetadata;
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::lookup::{self, identifier};
use super::records;
use crate::errors::classify;
use crate::outcome::Done;
use crate::record::{str_field, with_field};
use escher_runtime::provider::args::Args;

fn record(snap: &aws_sdk_rds::types::DbSnapshot, target: &Value) -> Value {
    records::snapshot(snap, str_field(target, "account"), str_field(target, "region"))
}

/// A new instance `PREFIX-SNAPSHOT` from the snapshot, with the source's class unless one is given; done when the
/// instance is available. An instance of that name restored from this snapshot already (a retried batch) is only
/// waited for; any other instance of that name is a refusal.
pub(crate) async fn restore(client: &Client, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let prefix = args.str("name_prefix")?;
    let class = args.opt_str("instance_class")?;
    let snapshot = identifier(target);
    let Some(snap) = lookup::snapshot(client, snapshot).await? else {
        return Err(ProviderError::Rejected(format!("DBSnapshotNotFound: DB snapshot {snapshot} not found")));
    };
    let name = format!("{prefix}-{snapshot}");
    if lookup::instance(client, &name).await?.is_none() {
        client
            .restore_db_instance_from_db_snapshot()
            .db_instance_identifier(&name)
            .db_snapshot_identifier(snapshot)
            .set_db_instance_class(class.map(str::to_string))
            .tags(aws_sdk_rds::types::Tag::builder().key("escher:restored-from").value(snapshot).build())
            .send()
            .await
            .map_err(|e| classify("rds RestoreDBInstanceFromDBSnapshot", &e))?;
    } else if !restored_from(client, &name, snapshot).await? {
        return Err(ProviderError::Rejected(format!(
            "DBInstanceAlreadyExists: DB instance {name} already exists and was not restored from {snapshot}"
        )));
    }
    lookup::instance_settled(client, &name, "available", |_| true).await?;
    Ok(Done::Changed(with_field(&record(&snap, target), "restored_instance", Value::String(name))))
}

/// Whether the instance carries the tag a restore by Escher from this snapshot gives it.
async fn restored_from(client: &Client, name: &str, snapshot: &str) -> Result<bool, ProviderError> {
    Ok(lookup::instance(client, name).await?.is_some_and(|db| {
        db.tag_list().iter().any(|t| t.key() == Some("escher:restored-from") && t.value() == Some(snapshot))
    }))
}

/// Deletes a snapshot; one already gone is unchanged. RDS refuses to delete automated snapshots.
pub(crate) async fn delete(client: &Client, target: &Value) -> Result<Done, ProviderError> {
    let snapshot = identifier(target);
    let Some(snap) = lookup::snapshot(client, snapshot).await? else {
        return Ok(Done::Unchanged(with_field(target, "state", Value::String("deleted".into()))));
    };
    match client.delete_db_snapshot().db_snapshot_identifier(snapshot).send().await {
        Ok(_) => Ok(Done::Changed(with_field(&record(&snap, target), "state", Value::String("deleted".into())))),
        Err(error) if error.code() == Some("DBSnapshotNotFound") => {
            Ok(Done::Unchanged(with_field(target, "state", Value::String("deleted".into()))))
        }
        Err(error) => Err(classify("rds DeleteDBSnapshot", &error)),
    }
}
