//! One RDS instance or snapshot by identifier, and waiting for one to reach a state. "Not found" is an answer
//! (`None`), not an error, so removals can tell "already gone" from a failure.

use std::time::Duration;

use aws_sdk_rds::Client;
use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::types::{DbInstance, DbSnapshot};
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use crate::errors::classify;
use crate::poll::{self, Look};
use crate::record::str_field;

/// How long an action waits for an instance or snapshot to settle. RDS transitions take minutes; a step's own
/// `timeout` cuts this shorter.
pub(crate) const SETTLE: Duration = Duration::from_secs(45 * 60);

/// States an instance does not leave by itself: waiting on is pointless.
const STUCK: &[&str] = &[
    "failed",
    "incompatible-network",
    "incompatible-option-group",
    "incompatible-parameters",
    "incompatible-restore",
    "inaccessible-encryption-credentials",
    "storage-full",
];

/// The identifier of a target: its `name`, else the last part of its ARN.
pub(crate) fn identifier(target: &Value) -> &str {
    let name = str_field(target, "name");
    if name.is_empty() { str_field(target, "id").rsplit(':').next().unwrap_or("") } else { name }
}

pub(crate) async fn instance(client: &Client, name: &str) -> Result<Option<DbInstance>, ProviderError> {
    match client.describe_db_instances().db_instance_identifier(name).send().await {
        Ok(out) => Ok(out.db_instances.unwrap_or_default().into_iter().next()),
        Err(error) if error.code() == Some("DBInstanceNotFound") => Ok(None),
        Err(error) => Err(classify("rds DescribeDBInstances", &error)),
    }
}

pub(crate) async fn snapshot(client: &Client, name: &str) -> Result<Option<DbSnapshot>, ProviderError> {
    match client.describe_db_snapshots().db_snapshot_identifier(name).send().await {
        Ok(out) => Ok(out.db_snapshots.unwrap_or_default().into_iter().next()),
        Err(error) if error.code() == Some("DBSnapshotNotFound") => Ok(None),
        Err(error) => Err(classify("rds DescribeDBSnapshots", &error)),
    }
}

pub(crate) fn status(db: &DbInstance) -> &str {
    db.db_instance_status().unwrap_or("")
}

/// Waits until the instance is in `state` and `also` holds for it (a new class applied, say).
pub(crate) async fn instance_settled(
    client: &Client,
    name: &str,
    state: &str,
    also: impl Fn(&DbInstance) -> bool,
) -> Result<DbInstance, ProviderError> {
    let also = &also;
    poll::until(&format!("DB instance {name} to be {state}"), SETTLE, move || async move {
        Ok(match instance(client, name).await? {
            None => Look::Failed(format!("DBInstanceNotFound: DB instance {name} disappeared while Escher waited")),
            Some(db) if status(&db) == state && also(&db) => Look::Done(db),
            Some(db) if STUCK.contains(&status(&db)) => {
                Look::Failed(format!("DB instance {name} is {} and will not become {state} by itself", status(&db)))
            }
            Some(_) => Look::Pending,
        })
    })
    .await
}

/// Waits until the instance no longer exists.
pub(crate) async fn instance_gone(client: &Client, name: &str) -> Result<(), ProviderError> {
    poll::until(&format!("DB instance {name} to be deleted"), SETTLE, move || async move {
        Ok(match instance(client, name).await? {
            None => Look::Done(()),
            Some(_) => Look::Pending,
        })
    })
    .await
}

/// Waits until the snapshot is available.
pub(crate) async fn snapshot_available(client: &Client, name: &str) -> Result<DbSnapshot, ProviderError> {
    poll::until(&format!("DB snapshot {name} to be available"), SETTLE, move || async move {
        Ok(match snapshot(client, name).await? {
            None => Look::Failed(format!("DBSnapshotNotFound: DB snapshot {name} disappeared while Escher waited")),
            Some(snap) if snap.status() == Some("available") => Look::Done(snap),
            Some(snap) if snap.status() == Some("failed") => Look::Failed(format!("DB snapshot {name} failed")),
            Some(_) => Look::Pending,
        })
    })
    .await
}
