//! The `aws.s3.buckets` query and `describe` for buckets. Buckets are listed per account (ListBuckets, every
//! page), then each is read in its own region: ListBuckets names the region where it can, GetBucketLocation
//! where it does not.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::inspect;
use crate::args::Args;
use crate::context::AwsContext;
use crate::errors::classify;
use crate::record::{field, has_tags, str_field};

pub(crate) async fn buckets(ctx: &AwsContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (tags, public, encrypted) = (args.tags("tags")?, args.opt_bool("public")?, args.opt_bool("encrypted")?);
    let flag = |record: &Value, name: &str, wanted: Option<bool>| {
        wanted.is_none_or(|w| field(record, name) == Some(&Value::Bool(w)))
    };
    let mut found = Vec::new();
    for account in ctx.accounts().await? {
        let home = ctx.s3(Some(&account.id), &ctx.home_region()).await?;
        let pages = home.list_buckets().set_max_buckets(ctx.page_size()).into_paginator().items();
        let listed = pages.send().try_collect().await.map_err(|e| classify("s3 ListBuckets", &e))?;
        let mut clients = BTreeMap::new();
        for bucket in listed {
            let name = bucket.name().unwrap_or("");
            let region = match bucket.bucket_region() {
                Some(region) if !region.is_empty() => region.to_string(),
                // A bucket deleted since the listing is gone.
                _ => match inspect::region(&home, name).await? {
                    Some(region) => region,
                    None => continue,
                },
            };
            if !clients.contains_key(&region) {
                clients.insert(region.clone(), ctx.s3(Some(&account.id), &region).await?);
            }
            let Some(client) = clients.get(&region) else { continue };
            let settings = inspect::settings(client, name).await?;
            let created = inspect::created(bucket.creation_date());
            let record = inspect::record(name, &account.id, &region, &created, &settings);
            if has_tags(&record, &tags) && flag(&record, "public", public) && flag(&record, "encrypted", encrypted) {
                found.push(record);
            }
        }
    }
    Ok(Value::List(found))
}

/// A bucket's record as it is now, read in its region; `None` when it no longer exists. `like` is the record
/// the caller holds: its account and creation time carry over.
pub(crate) async fn current(ctx: &AwsContext, like: &Value) -> Result<Option<Value>, ProviderError> {
    let name = bucket_name(like);
    let account = Some(str_field(like, "account")).filter(|a| !a.is_empty());
    let home = ctx.s3(account, &ctx.home_region()).await?;
    let Some(region) = inspect::region(&home, name).await? else { return Ok(None) };
    let client = ctx.s3(account, &region).await?;
    let settings = inspect::settings(&client, name).await?;
    let account = match account {
        Some(account) => account.to_string(),
        None => ctx.caller_account().await?,
    };
    let created = match str_field(like, "created") {
        "" => inspect::created(None),
        known => known.to_string(),
    };
    Ok(Some(inspect::record(name, &account, &region, &created, &settings)))
}

/// A bucket's name: its `id` (bucket names are global), else its `name`.
pub(crate) fn bucket_name(record: &Value) -> &str {
    let id = str_field(record, "id");
    if id.is_empty() { str_field(record, "name") } else { id }
}

pub(crate) async fn describe(ctx: &AwsContext, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
    let mut found = Vec::new();
    for resource in resources {
        if let Some(record) = current(ctx, resource).await? {
            found.push(record);
        }
    }
    Ok(found)
}
