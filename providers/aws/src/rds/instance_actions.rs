//! Actions on RDS instances, one instance at a time. Each looks at the instance first: one already in the desired
//! state is unchanged, one on its way there is only waited for, so a retried or resumed batch never acts twice.
//! A snapshot carries the batch's idempotency key, by which a call in doubt finds the one an earlier call took.

use std::collections::BTreeMap;

use aws_sdk_rds::Client;
use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::types::{DbInstance, DbSnapshot, Tag};
use escher_compiler::plan::Value;
use escher_runtime::provider::{IDEMPOTENCY_TAG, ProviderCall, ProviderError};

use super::lookup::{self, identifier, status};
use super::records;
use crate::errors::classify;
use crate::outcome::Done;
use crate::record::{str_field, tags_of, with_field};
use escher_runtime::provider::args::Args;

/// The instance as it is now, or a refusal naming it when it does not exist.
async fn existing(client: &Client, target: &Value) -> Result<DbInstance, ProviderError> {
    let name = identifier(target);
    lookup::instance(client, name)
        .await?
        .ok_or_else(|| ProviderError::Rejected(format!("DBInstanceNotFound: DB instance {name} not found")))
}

fn record(db: &DbInstance, target: &Value) -> Value {
    records::instance(db, str_field(target, "account"), str_field(target, "region"))
}

pub(crate) async fn start(client: &Client, target: &Value) -> Result<Done, ProviderError> {
    let (name, db) = (identifier(target), existing(client, target).await?);
    match status(&db) {
        "available" => return Ok(Done::Unchanged(record(&db, target))),
        "starting" => {}
        _ => {
            client
                .start_db_instance()
                .db_instance_identifier(name)
                .send()
                .await
                .map_err(|e| classify("rds StartDBInstance", &e))?;
        }
    }
    let db = lookup::instance_settled(client, name, "available", |_| true).await?;
    Ok(Done::Changed(record(&db, target)))
}

pub(crate) async fn stop(client: &Client, target: &Value) -> Result<Done, ProviderError> {
    let (name, db) = (identifier(target), existing(client, target).await?);
    match status(&db) {
        "stopped" => return Ok(Done::Unchanged(record(&db, target))),
        "stopping" => {}
        _ => {
            client
                .stop_db_instance()
                .db_instance_identifier(name)
                .send()
                .await
                .map_err(|e| classify("rds StopDBInstance", &e))?;
        }
    }
    let db = lookup::instance_settled(client, name, "stopped", |_| true).await?;
    Ok(Done::Changed(record(&db, target)))
}

pub(crate) async fn reboot(client: &Client, target: &Value) -> Result<Done, ProviderError> {
    let name = identifier(target);
    client
        .reboot_db_instance()
        .db_instance_identifier(name)
        .send()
        .await
        .map_err(|e| classify("rds RebootDBInstance", &e))?;
    let db = lookup::instance_settled(client, name, "available", |_| true).await?;
    Ok(Done::Changed(record(&db, target)))
}

/// A snapshot named `PREFIX-INSTANCE-YYYYMMDD-HHMMSS-mmm` (to the millisecond: two batches snapshotting one
/// instance in the same second get two names), tagged with the batch's idempotency key. A call in doubt first
/// looks for the snapshot its key took and waits for that one instead of taking another.
pub(crate) async fn create_snapshot(
    client: &Client,
    args: &Args<'_>,
    call: &ProviderCall,
    target: &Value,
) -> Result<Done, ProviderError> {
    let prefix = args.opt_str("name_prefix")?.unwrap_or("escher");
    let (name, key) = (identifier(target), call.idempotency_key.as_str());
    let earlier = if call.in_doubt { taken_earlier(client, name, key).await? } else { None };
    let snapshot = match earlier {
        Some(earlier) => earlier,
        None => take_snapshot(client, prefix, name, key).await?,
    };
    lookup::snapshot_available(client, &snapshot).await?;
    let db = existing(client, target).await?;
    Ok(Done::Changed(with_field(&record(&db, target), "snapshot", Value::String(snapshot))))
}

/// The instance's manual snapshot tagged with `key` (one that failed does not count). DescribeDBSnapshots filters
/// on no tag, so the instance's manual snapshots are listed with their tags and matched here.
async fn taken_earlier(client: &Client, instance: &str, key: &str) -> Result<Option<String>, ProviderError> {
    let snapshots = client
        .describe_db_snapshots()
        .db_instance_identifier(instance)
        .snapshot_type("manual")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify("rds DescribeDBSnapshots (idempotency key)", &e))?;
    let carries_key =
        |snap: &DbSnapshot| snap.tag_list().iter().any(|t| t.key() == Some(IDEMPOTENCY_TAG) && t.value() == Some(key));
    Ok(snapshots
        .into_iter()
        .find(|snap| carries_key(snap) && snap.status() != Some("failed"))
        .and_then(|snap| snap.db_snapshot_identifier))
}

/// Takes a snapshot of the instance tagged with `key`; its name.
async fn take_snapshot(client: &Client, prefix: &str, instance: &str, key: &str) -> Result<String, ProviderError> {
    let snapshot = format!("{prefix}-{instance}-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S-%3f"));
    client
        .create_db_snapshot()
        .db_instance_identifier(instance)
        .db_snapshot_identifier(&snapshot)
        .tags(Tag::builder().key(IDEMPOTENCY_TAG).value(key).build())
        .send()
        .await
        .map_err(|e| classify("rds CreateDBSnapshot", &e))?;
    Ok(snapshot)
}

/// Applied immediately; done when the instance is available with the new class.
pub(crate) async fn modify_class(client: &Client, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let class = args.str("instance_class")?;
    let (name, db) = (identifier(target), existing(client, target).await?);
    if db.db_instance_class() == Some(class) && status(&db) == "available" {
        return Ok(Done::Unchanged(record(&db, target)));
    }
    if db.db_instance_class() != Some(class) {
        client
            .modify_db_instance()
            .db_instance_identifier(name)
            .db_instance_class(class)
            .apply_immediately(true)
            .send()
            .await
            .map_err(|e| classify("rds ModifyDBInstance", &e))?;
    }
    let db = lookup::instance_settled(client, name, "available", |db| db.db_instance_class() == Some(class)).await?;
    Ok(Done::Changed(record(&db, target)))
}

pub(crate) async fn tag(client: &Client, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let wanted = args.tags("tags")?;
    let db = existing(client, target).await?;
    let current = tags_of(&record(&db, target));
    if wanted.iter().all(|(k, v)| current.get(k) == Some(v)) {
        return Ok(Done::Unchanged(record(&db, target)));
    }
    client
        .add_tags_to_resource()
        .resource_name(db.db_instance_arn().unwrap_or(str_field(target, "id")))
        .set_tags(Some(rds_tags(&wanted)))
        .send()
        .await
        .map_err(|e| classify("rds AddTagsToResource", &e))?;
    let db = existing(client, target).await?;
    Ok(Done::Changed(record(&db, target)))
}

fn rds_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

/// Deletes the instance after its final snapshot `INSTANCE-final` unless skipped. An instance already gone is
/// unchanged; the result is the last record seen, in state `deleted`.
pub(crate) async fn delete(client: &Client, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let skip_final = args.bool_or("skip_final_snapshot", false)?;
    let name = identifier(target);
    let Some(db) = lookup::instance(client, name).await? else {
        return Ok(Done::Unchanged(with_field(target, "state", Value::String("deleted".into()))));
    };
    let last = record(&db, target);
    if status(&db) != "deleting" {
        let mut request = client.delete_db_instance().db_instance_identifier(name).skip_final_snapshot(skip_final);
        if !skip_final {
            request = request.final_db_snapshot_identifier(format!("{name}-final"));
        }
        match request.send().await {
            Ok(_) => {}
            Err(error) if error.code() == Some("DBInstanceNotFound") => {}
            Err(error) => return Err(classify("rds DeleteDBInstance", &error)),
        }
    }
    lookup::instance_gone(client, name).await?;
    Ok(Done::Changed(with_field(&last, "state", Value::String("deleted".into()))))
}
