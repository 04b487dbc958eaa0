//! AWS Lambda: `aws.lambda.*`, and `describe` for functions. A function's record needs its configuration, tags
//! and reserved concurrency: ListFunctions pages give the configuration, then one GetFunction per function gives
//! all three. Lambda has no dry-run parameter: in a dry run its actions are reported not simulated. Every action's
//! effect shows on the function's record (`is_done`).

use aws_sdk_lambda::Client;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::operation::get_function::GetFunctionOutput;
use aws_sdk_lambda::types::PackageType;
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};

use crate::context::AwsContext;
use crate::done::{gone_or_in_state, has_field, tags_set};
use crate::errors::classify;
use crate::outcome::{Done, each_target, home, not_simulated, unknown_action};
use crate::record::{Rec, has_tags, str_field, tags_of, timestamp_secs, with_field};
use escher_runtime::provider::args::Args;

pub(crate) const FUNCTION: &str = "aws.lambda.Function";

pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    if call.action == "aws.lambda.functions" {
        return functions(ctx, &args).await.map(ProviderResponse::Value);
    }
    match call.action.as_str() {
        "aws.lambda.set_reserved_concurrency" => match args.int("concurrency")? {
            n if n < 0 || n > i64::from(i32::MAX) => {
                return Err(ProviderError::Invalid(format!("reserved concurrency must be 0 or more, not {n}")));
            }
            _ => {}
        },
        "aws.lambda.tag" => {
            args.tags("tags")?;
        }
        "aws.lambda.remove_reserved_concurrency" | "aws.lambda.delete" => {}
        other => return Err(unknown_action("Lambda", other)),
    }
    if call.dry_run {
        return Ok(not_simulated(call, "Lambda"));
    }
    each_target(&call.targets, |target| act(ctx, call, &args, target)).await
}

async fn act(ctx: &AwsContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let (account, region) = home(target);
    let client = ctx.lambda(account, region).await?;
    match call.action.as_str() {
        "aws.lambda.set_reserved_concurrency" => set_concurrency(&client, args, target).await,
        "aws.lambda.remove_reserved_concurrency" => remove_concurrency(&client, target).await,
        "aws.lambda.tag" => tag(&client, args, target).await,
        "aws.lambda.delete" => delete(&client, target).await,
        other => Err(unknown_action("Lambda", other)),
    }
}

async fn functions(ctx: &AwsContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (regions, tags) = (args.strings("regions")?, args.tags("tags")?);
    let mut found = Vec::new();
    for (account, region) in ctx.targets(&regions).await? {
        let client = ctx.lambda(Some(&account.id), &region).await?;
        let pages = client.list_functions().set_max_items(ctx.page_size()).into_paginator().items();
        let listed = pages.send().try_collect().await.map_err(|e| classify("lambda ListFunctions", &e))?;
        for function in listed {
            let name = function.function_arn().or(function.function_name()).unwrap_or("");
            // A function deleted between the listing and this call is simply gone.
            if let Some(full) = get(&client, name).await? {
                let record = record(&full, &account.id, &region);
                if has_tags(&record, &tags) {
                    found.push(record);
                }
            }
        }
    }
    Ok(Value::List(found))
}

/// GetFunction: configuration, tags and concurrency; `None` when the function does not exist.
async fn get(client: &Client, name: &str) -> Result<Option<GetFunctionOutput>, ProviderError> {
    match client.get_function().function_name(name).send().await {
        Ok(out) => Ok(Some(out)),
        Err(error) if error.code() == Some("ResourceNotFoundException") => Ok(None),
        Err(error) => Err(classify("lambda GetFunction", &error)),
    }
}

fn record(full: &GetFunctionOutput, account: &str, region: &str) -> Value {
    let Some(config) = full.configuration() else {
        return Rec::new(FUNCTION, "", "", account, region).build();
    };
    let arn = config.function_arn().unwrap_or("");
    let account = arn.split(':').nth(4).filter(|a| !a.is_empty()).unwrap_or(account);
    let runtime = match (config.runtime(), config.package_type()) {
        (Some(runtime), _) => runtime.as_str().to_string(),
        (None, Some(PackageType::Image)) => "image".to_string(),
        (None, _) => String::new(),
    };
    let mut tags: Vec<(&String, &String)> = full.tags().map(|t| t.iter().collect()).unwrap_or_default();
    tags.sort();
    Rec::new(FUNCTION, arn, config.function_name().unwrap_or(""), account, region)
        .tags(tags)
        .str("name", config.function_name().unwrap_or(""))
        .str("runtime", runtime)
        .str("state", config.state().map_or("unknown".to_string(), |s| s.as_str().to_lowercase()))
        .int("memory_mb", i64::from(config.memory_size().unwrap_or(0)))
        .int("timeout_seconds", i64::from(config.timeout().unwrap_or(0)))
        .opt_int(
            "reserved_concurrency",
            full.concurrency().and_then(|c| c.reserved_concurrent_executions()).map(i64::from),
        )
        .str("last_modified", last_modified(config.last_modified().unwrap_or("")))
        .build()
}

/// Lambda writes `2024-05-01T12:00:00.000+0000`; records hold RFC 3339 in UTC to the second.
fn last_modified(text: &str) -> String {
    chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(text))
        .map_or_else(|_| timestamp_secs(0), |t| timestamp_secs(t.timestamp()))
}

/// The function as it is now, or a refusal naming it.
async fn existing(client: &Client, target: &Value) -> Result<Value, ProviderError> {
    let name = function_name(target);
    let full = get(client, name)
        .await?
        .ok_or_else(|| ProviderError::Rejected(format!("ResourceNotFoundException: function {name} not found")))?;
    Ok(record(&full, str_field(target, "account"), str_field(target, "region")))
}

/// The ARN when the record has one (it pins account and region), else the name.
fn function_name(target: &Value) -> &str {
    let id = str_field(target, "id");
    if id.is_empty() { str_field(target, "name") } else { id }
}

fn reserved(record: &Value) -> Option<i64> {
    match crate::record::field(record, "reserved_concurrency") {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    }
}

async fn set_concurrency(client: &Client, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let wanted = args.int("concurrency")?;
    let before = existing(client, target).await?;
    if reserved(&before) == Some(wanted) {
        return Ok(Done::Unchanged(before));
    }
    let count =
        i32::try_from(wanted).map_err(|_| ProviderError::Invalid(format!("concurrency {wanted} is too large")))?;
    client
        .put_function_concurrency()
        .function_name(function_name(target))
        .reserved_concurrent_executions(count)
        .send()
        .await
        .map_err(|e| classify("lambda PutFunctionConcurrency", &e))?;
    Ok(Done::Changed(existing(client, target).await?))
}

async fn remove_concurrency(client: &Client, target: &Value) -> Result<Done, ProviderError> {
    let before = existing(client, target).await?;
    if reserved(&before).is_none() {
        return Ok(Done::Unchanged(before));
    }
    client
        .delete_function_concurrency()
        .function_name(function_name(target))
        .send()
        .await
        .map_err(|e| classify("lambda DeleteFunctionConcurrency", &e))?;
    Ok(Done::Changed(existing(client, target).await?))
}

async fn tag(client: &Client, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let wanted = args.tags("tags")?;
    let before = existing(client, target).await?;
    let current = tags_of(&before);
    if wanted.iter().all(|(k, v)| current.get(k) == Some(v)) {
        return Ok(Done::Unchanged(before));
    }
    client
        .tag_resource()
        .resource(str_field(&before, "id"))
        .set_tags(Some(wanted.into_iter().collect()))
        .send()
        .await
        .map_err(|e| classify("lambda TagResource", &e))?;
    Ok(Done::Changed(existing(client, target).await?))
}

/// Deletes the function with its versions and aliases; one already gone is unchanged.
async fn delete(client: &Client, target: &Value) -> Result<Done, ProviderError> {
    let gone = |record: &Value| with_field(record, "state", Value::String("deleted".into()));
    let Some(full) = get(client, function_name(target)).await? else {
        return Ok(Done::Unchanged(gone(target)));
    };
    let before = record(&full, str_field(target, "account"), str_field(target, "region"));
    match client.delete_function().function_name(function_name(target)).send().await {
        Ok(_) => Ok(Done::Changed(gone(&before))),
        Err(error) if error.code() == Some("ResourceNotFoundException") => Ok(Done::Unchanged(gone(target))),
        Err(error) => Err(classify("lambda DeleteFunction", &error)),
    }
}

/// Whether a function's record shows what `action` leaves: its reserved concurrency, tags, or the function gone.
pub(crate) fn is_done(action: &str, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    match action {
        "aws.lambda.set_reserved_concurrency" => {
            has_field(resource, "reserved_concurrency", &Value::Int(args.int("concurrency").ok()?))
        }
        "aws.lambda.remove_reserved_concurrency" => has_field(resource, "reserved_concurrency", &Value::Null),
        "aws.lambda.tag" => tags_set(&args, resource),
        "aws.lambda.delete" => gone_or_in_state(resource, &["deleted"]),
        _ => None,
    }
}

/// The current records of functions; those gone are left out.
pub(crate) async fn describe(ctx: &AwsContext, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
    let mut found = Vec::new();
    for resource in resources {
        let (account, region) = home(resource);
        let client = ctx.lambda(account, region).await?;
        if let Some(full) = get(&client, function_name(resource)).await? {
            found.push(record(&full, str_field(resource, "account"), region));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::done::tests::{call, record, text};

    fn function(reserved: Value) -> Value {
        record(&[("id", text("arn:aws:lambda:r:1:function:f")), ("reserved_concurrency", reserved)], &[])
    }

    fn done(action: &str, args: &[(&str, Value)], now: Option<&Value>) -> Option<bool> {
        is_done(action, &call(action, args, vec![function(Value::Null)]), now)
    }

    #[test]
    fn concurrency_is_told_from_the_record() {
        let args = [("concurrency", Value::Int(0))];
        let set = "aws.lambda.set_reserved_concurrency";
        assert_eq!(done(set, &args, Some(&function(Value::Null))), Some(false));
        assert_eq!(done(set, &args, Some(&function(Value::Int(5)))), Some(false));
        assert_eq!(done(set, &args, Some(&function(Value::Int(0)))), Some(true));
        assert_eq!(done(set, &[], Some(&function(Value::Int(0)))), None, "no concurrency to compare");
        let remove = "aws.lambda.remove_reserved_concurrency";
        assert_eq!(done(remove, &[], Some(&function(Value::Int(5)))), Some(false));
        assert_eq!(done(remove, &[], Some(&function(Value::Null))), Some(true));
        assert_eq!(done(remove, &[], None), Some(false));
    }

    #[test]
    fn tags_and_deletes_are_told_from_the_record() {
        let args = [("tags", Value::Record([("owner".to_string(), text("ops"))].into()))];
        assert_eq!(done("aws.lambda.tag", &args, Some(&function(Value::Null))), Some(false));
        let owned = record(&[], &[("owner", "ops")]);
        assert_eq!(done("aws.lambda.tag", &args, Some(&owned)), Some(true));
        assert_eq!(done("aws.lambda.delete", &[], Some(&function(Value::Null))), Some(false));
        assert_eq!(done("aws.lambda.delete", &[], None), Some(true));
        assert_eq!(done("aws.lambda.functions", &[], None), None);
    }
}
