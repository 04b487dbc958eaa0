//! The `aws.s3.buckets` query and `describe` for buckets. Buckets are listed per account (ListBuckets, every
//! page), then each is read in its own region: ListBuckets names the region where it can, GetBucketLocation
//! where it does not.

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::inspect;
use crate::context::AwsContext;
use crate::errors::classify;
use crate::record::{field, has_tags, str_field};
use escher_runtime::provider::args::Args;

/// Buckets read at once while listing (each read is seven requests).
const READ_AT_ONCE: usize = 8;

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
        for chunk in listed.chunks(READ_AT_ONCE) {
            let mut reads = tokio::task::JoinSet::new();
            for (index, bucket) in chunk.iter().enumerate() {
                let (home, name) = (home.clone(), bucket.name().unwrap_or("").to_string());
                let region = bucket.bucket_region().filter(|r| !r.is_empty()).map(str::to_string);
                reads.spawn(async move { (index, read(&home, &name, region).await) });
            }
            let mut read_back = vec![None; chunk.len()];
            while let Some(joined) = reads.join_next().await {
                let (index, read) = joined
                    .map_err(|e| ProviderError::Unavailable(format!("reading a bucket's settings stopped: {e}")))?;
                read_back[index] = read?;
            }
            for (bucket, read) in chunk.iter().zip(read_back) {
                // A bucket deleted since the listing is gone.
                let Some((region, settings)) = read else { continue };
                let created = inspect::created(bucket.creation_date());
                let name = bucket.name().unwrap_or("");
                let record = inspect::record(name, &account.id, &region, &created, &settings);
                if has_tags(&record, &tags) && flag(&record, "public", public) && flag(&record, "encrypted", encrypted)
                {
                    found.push(record);
                }
            }
        }
    }
    Ok(Value::List(found))
}

/// One listed bucket's region (ListBuckets' when it gave one, else GetBucketLocation) and settings, read with a
/// client of that region made from the account's client; `None` when the bucket is gone.
async fn read(
    home: &aws_sdk_s3::Client,
    name: &str,
    region: Option<String>,
) -> Result<Option<(String, inspect::Settings)>, ProviderError> {
    let region = match region {
        Some(region) => region,
        None => match inspect::region(home, name).await? {
            Some(region) => region,
            None => return Ok(None),
        },
    };
    let config = home.config().to_builder().region(aws_sdk_s3::config::Region::new(region.clone())).build();
    let client = aws_sdk_s3::Client::from_conf(config);
    Ok(Some((region, inspect::settings(&client, name).await?)))
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
