//! Cloud Storage buckets (`gcp.storage.*`) on the JSON API v1. A bucket is public when its IAM policy grants
//! `allUsers` or `allAuthenticatedUsers` and public access prevention does not block it, so listing reads each
//! bucket's policy too. Changes are PATCHes of the bucket's metadata, conditional on the metageneration read
//! just before (a bucket changed meanwhile answers 412 and its target fails, rather than being overwritten), paced
//! at Cloud Storage's one update a second per bucket.

use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use reqwest::Method;
use serde_json::{Value as Json, json};

use crate::api::{Request, Service};
use crate::context::GcpContext;
use crate::labels;
use crate::outcome::{Done, each_target, missing, unknown_action};
use crate::pace::Category;
use crate::record::{field, flag, has_tags, int_at, record, text_at, with, with_labels};
use crate::services::each_project;

pub(crate) const BUCKET: &str = "gcp.storage.Bucket";

/// The members that make a grant public.
const PUBLIC_MEMBERS: [&str; 2] = ["allUsers", "allAuthenticatedUsers"];

pub(crate) async fn call(ctx: &GcpContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "gcp.storage.buckets" => buckets(ctx, &args).await.map(ProviderResponse::Value),
        "gcp.storage.label" => {
            labels::check(&args.tags("labels")?)?;
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        "gcp.storage.remove_public_access" | "gcp.storage.enable_versioning" | "gcp.storage.disable_versioning" => {
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        other => Err(unknown_action("Cloud Storage", other)),
    }
}

async fn buckets(ctx: &GcpContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    each_project(ctx, args, "gcp.storage.buckets", |project| async move {
        let list = Request::get(Service::Storage, "storage.buckets.list", "storage/v1/b")
            .query("project", project.as_str())
            .in_project(&project);
        let mut records = Vec::new();
        for bucket in ctx.api.pages(list, "items").await? {
            let policy = iam_policy(ctx, &project, text_at(&bucket, &["name"])).await?;
            records.push(bucket_record(&project, &bucket, &policy));
        }
        Ok(records)
    })
    .await
}

async fn iam_policy(ctx: &GcpContext, project: &str, bucket: &str) -> Result<Json, ProviderError> {
    let request = Request::get(Service::Storage, "storage.buckets.getIamPolicy", format!("storage/v1/b/{bucket}/iam"))
        .in_project(project);
    Ok(ctx.send(&request).await?)
}

pub(crate) fn bucket_record(project: &str, bucket: &Json, policy: &Json) -> Value {
    let name = text_at(bucket, &["name"]);
    let prevented = text_at(bucket, &["iamConfiguration", "publicAccessPrevention"]) == "enforced";
    let granted_to_all = policy
        .get("bindings")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .flat_map(|binding| binding.get("members").and_then(Json::as_array).into_iter().flatten())
        .filter_map(Json::as_str)
        .any(|member| PUBLIC_MEMBERS.contains(&member));
    let region = text_at(bucket, &["location"]).to_ascii_lowercase();
    record(BUCKET, name, name, &region, project, bucket.get("labels"))
        .bool("public", granted_to_all && !prevented)
        // Google encrypts every object; `customer_managed_key` says whether with the customer's key.
        .bool("encrypted", true)
        .bool("versioning", bucket.pointer("/versioning/enabled").and_then(Json::as_bool).unwrap_or(false))
        .str("storage_class", text_at(bucket, &["storageClass"]))
        .bool("public_access_prevention", prevented)
        .bool("customer_managed_key", !text_at(bucket, &["encryption", "defaultKmsKeyName"]).is_empty())
        .time("created", text_at(bucket, &["timeCreated"]))
        .build()
}

fn bucket_path(target: &Value) -> String {
    format!("storage/v1/b/{}", field(target, "name"))
}

/// The bucket's metadata and record now; `None` when it is gone.
async fn fetch(ctx: &GcpContext, project: &str, target: &Value) -> Result<Option<(Json, Value)>, ProviderError> {
    let request = Request::get(Service::Storage, "storage.buckets.get", bucket_path(target)).in_project(project);
    let Some(bucket) = ctx.find(&request).await? else { return Ok(None) };
    let policy = iam_policy(ctx, project, field(target, "name")).await?;
    let record = bucket_record(project, &bucket, &policy);
    Ok(Some((bucket, record)))
}

pub(crate) async fn read(ctx: &GcpContext, target: &Value) -> Result<Option<Value>, ProviderError> {
    let project = ctx.home(target)?;
    Ok(fetch(ctx, &project, target).await?.map(|(_, record)| record))
}

async fn act(ctx: &GcpContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let project = ctx.home(target)?;
    let Some((bucket, now)) = fetch(ctx, &project, target).await? else { return Err(missing(target)) };
    let (after, body) = match call.action.as_str() {
        "gcp.storage.remove_public_access" => {
            if flag(&now, "public_access_prevention") == Some(true) {
                return Ok(Done::Unchanged(now));
            }
            let after = with(&with(&now, "public_access_prevention", Value::Bool(true)), "public", Value::Bool(false));
            (after, json!({"iamConfiguration": {"publicAccessPrevention": "enforced"}}))
        }
        "gcp.storage.enable_versioning" | "gcp.storage.disable_versioning" => {
            let enable = call.action == "gcp.storage.enable_versioning";
            if flag(&now, "versioning") == Some(enable) {
                return Ok(Done::Unchanged(now));
            }
            (with(&now, "versioning", Value::Bool(enable)), json!({"versioning": {"enabled": enable}}))
        }
        "gcp.storage.label" => {
            let wanted = args.tags("labels")?;
            if has_tags(&now, &wanted) {
                return Ok(Done::Unchanged(now));
            }
            labels::merged(&crate::record::tags(&now), &wanted)?;
            // A PATCH of `labels` sets the keys it names and keeps the others.
            (with_labels(&now, &wanted), json!({"labels": wanted}))
        }
        other => return Err(unknown_action("Cloud Storage", other)),
    };
    if !call.dry_run {
        let name = field(&now, "name");
        let metageneration = int_at(&bucket, &["metageneration"]).unwrap_or(0);
        let request = Request::new(Method::PATCH, Service::Storage, "storage.buckets.patch", bucket_path(target))
            .query("ifMetagenerationMatch", metageneration.to_string())
            .body(body)
            .paced(Category::StorageUpdate, name);
        ctx.send(&request).await?;
    }
    Ok(Done::Changed(after))
}

pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    Some(match call.action.as_str() {
        "gcp.storage.remove_public_access" => {
            resource.is_some_and(|r| flag(r, "public_access_prevention") == Some(true))
        }
        "gcp.storage.enable_versioning" => resource.is_some_and(|r| flag(r, "versioning") == Some(true)),
        "gcp.storage.disable_versioning" => resource.is_some_and(|r| flag(r, "versioning") == Some(false)),
        "gcp.storage.label" => {
            let wanted = args.tags("labels").ok()?;
            resource.is_some_and(|r| has_tags(r, &wanted))
        }
        _ => return None,
    })
}
