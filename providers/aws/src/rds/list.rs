//! The RDS queries: every page of DescribeDBInstances and DescribeDBSnapshots in every account and region asked
//! for, filtered by tags, state and age here, since RDS filters on none of them. A page that fails fails the
//! query.

use std::time::Duration;

use aws_sdk_rds::Client;
use aws_sdk_rds::types::DbInstance;
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::records::{self, in_cluster};
use crate::context::AwsContext;
use crate::errors::classify;
use crate::record::{has_tags, str_field};
use escher_runtime::provider::args::Args;

pub(crate) async fn instances(ctx: &AwsContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (regions, tags, state) = (args.strings("regions")?, args.tags("tags")?, args.opt_str("state")?);
    let mut found = Vec::new();
    for (account, region) in ctx.targets(&regions).await? {
        let client = ctx.rds(Some(&account.id), &region).await?;
        for db in instances_in(&client, ctx.page_size()).await? {
            if in_cluster(&db) {
                continue;
            }
            let record = records::instance(&db, &account.id, &region);
            if has_tags(&record, &tags) && state.is_none_or(|state| str_field(&record, "state") == state) {
                found.push(record);
            }
        }
    }
    Ok(Value::List(found))
}

pub(crate) async fn snapshots(ctx: &AwsContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (regions, tags, age) = (args.strings("regions")?, args.tags("tags")?, args.opt_duration("older_than")?);
    let mut found = Vec::new();
    for (account, region) in ctx.targets(&regions).await? {
        let client = ctx.rds(Some(&account.id), &region).await?;
        let pages = client.describe_db_snapshots().set_max_records(ctx.page_size()).into_paginator().items();
        let all = pages.send().try_collect().await.map_err(|e| classify("rds DescribeDBSnapshots", &e))?;
        for snap in all {
            let record = records::snapshot(&snap, &account.id, &region);
            if has_tags(&record, &tags) && older_than(&record, age) {
                found.push(record);
            }
        }
    }
    Ok(Value::List(found))
}

/// Every instance of the client's region, all pages.
async fn instances_in(client: &Client, page: Option<i32>) -> Result<Vec<DbInstance>, ProviderError> {
    let pages = client.describe_db_instances().set_max_records(page).into_paginator().items();
    pages.send().try_collect().await.map_err(|e| classify("rds DescribeDBInstances", &e))
}

/// Taken longer than `age` ago; a snapshot still being taken has no time yet and is never old.
fn older_than(record: &Value, age: Option<Duration>) -> bool {
    let Some(age) = age else { return true };
    let Ok(created) = chrono::DateTime::parse_from_rfc3339(str_field(record, "created")) else { return false };
    if created.timestamp() == 0 {
        return false;
    }
    let age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
    chrono::Utc::now().checked_sub_signed(age).is_some_and(|cutoff| created < cutoff)
}
