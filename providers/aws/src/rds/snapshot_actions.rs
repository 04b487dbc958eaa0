//! Actions on RDS snapshots: restore into a new instance (tagged with the batch's idempotency key), delete.

use aws_sdk_rds::Client;
use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::types::{DbInstance, Tag};
use escher_compiler::plan::Value;
use escher_runtime::provider::{IDEMPOTENCY_TAG, ProviderCall, ProviderError};

use super::lookup::{self, identifier};
use super::records;
use crate::errors::classify;
use crate::outcome::Done;
use crate::record::{str_field, with_field};
use escher_runtime::provider::args::Args;

fn record(snap: &aws_sdk_rds::types::DbSnapshot, target: &Value) -> Value {
    records::snapshot(snap, str_field(target, "account"), str_field(target, "region"))
}

/// A new instance `PREFIX-SNAPSHOT` from the snapshot, with the source's class unless one is given, tagged
/// `escher:restored-from` and with the batch's idempotency key; done when the instance is available. The name is
/// fixed, so RDS itself never holds two: an instance of that name carrying this batch's key (made by an earlier
/// call of a retried or resumed batch) is changed and only waited for; one restored from this snapshot under
/// another key (another batch or run) is unchanged; any other instance of that name is a refusal.
pub(crate) async fn restore(
    client: &Client,
    args: &Args<'_>,
    call: &ProviderCall,
    target: &Value,
) -> Result<Done, ProviderError> {
    let prefix = args.str("name_prefix")?;
    let class = args.opt_str("instance_class")?;
    let snapshot = identifier(target);
    let Some(snap) = lookup::snapshot(client, snapshot).await? else {
        return Err(ProviderError::Rejected(format!("DBSnapshotNotFound: DB snapshot {snapshot} not found")));
    };
    let name = format!("{prefix}-{snapshot}");
    let key = call.idempotency_key.as_str();
    let made_by_this_batch = match lookup::instance(client, &name).await? {
        None => {
            client
                .restore_db_instance_from_db_snapshot()
                .db_instance_identifier(&name)
                .db_snapshot_identifier(snapshot)
                .set_db_instance_class(class.map(str::to_string))
                .tags(Tag::builder().key(RESTORED_FROM).value(snapshot).build())
                .tags(Tag::builder().key(IDEMPOTENCY_TAG).value(key).build())
                .send()
                .await
                .map_err(|e| classify("rds RestoreDBInstanceFromDBSnapshot", &e))?;
            true
        }
        Some(db) if has_tag(&db, IDEMPOTENCY_TAG, key) => true,
        Some(db) if has_tag(&db, RESTORED_FROM, snapshot) => false,
        Some(_) => {
            return Err(ProviderError::Rejected(format!(
                "DBInstanceAlreadyExists: DB instance {name} already exists and was not restored from {snapshot}"
            )));
        }
    };
    lookup::instance_settled(client, &name, "available", |_| true).await?;
    let resource = with_field(&record(&snap, target), "restored_instance", Value::String(name));
    Ok(if made_by_this_batch { Done::Changed(resource) } else { Done::Unchanged(resource) })
}

/// The tag naming the snapshot an instance was restored from.
const RESTORED_FROM: &str = "escher:restored-from";

fn has_tag(db: &DbInstance, key: &str, value: &str) -> bool {
    db.tag_list().iter().any(|t| t.key() == Some(key) && t.value() == Some(value))
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
