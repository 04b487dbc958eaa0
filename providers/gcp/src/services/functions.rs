//! Cloud Functions (`gcp.functions.*`). The v2 API lists and reads both generations (`environment` `GEN_1` or
//! `GEN_2`) and changes 2nd-gen functions; a 1st-gen function it refuses to change (400) is changed through the
//! v1 API, with v1's field names (`maxInstances`). Every change is a PATCH with an `updateMask` naming only the
//! field it sets (or a DELETE), answered by a `google.longrunning` operation followed to `done`.

use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use reqwest::Method;
use serde_json::{Value as Json, json};

use crate::api::{Request, Service};
use crate::context::GcpContext;
use crate::errors::ApiError;
use crate::labels;
use crate::operations::{self, last_segment};
use crate::outcome::{Done, each_target, gone, unknown_action};
use crate::record::{field, has_tags, int, int_at, record, text_at, with, with_labels};
use crate::services::each_project;

pub(crate) const FUNCTION: &str = "gcp.functions.Function";

pub(crate) async fn call(ctx: &GcpContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "gcp.functions.list" => list(ctx, &args).await.map(ProviderResponse::Value),
        "gcp.functions.set_max_instances" => {
            let most = args.int("max_instances")?;
            if most < 0 {
                return Err(ProviderError::Invalid(format!("max_instances is {most}; it cannot be negative")));
            }
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        "gcp.functions.label" => {
            labels::check(&args.tags("labels")?)?;
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        "gcp.functions.delete" => each_target(&call.targets, |target| act(ctx, call, &args, target)).await,
        other => Err(unknown_action("Cloud Functions", other)),
    }
}

async fn list(ctx: &GcpContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let location = args.opt_str("region")?.unwrap_or("-");
    each_project(ctx, args, "gcp.functions.list", |project| async move {
        let path = format!("v2/projects/{project}/locations/{location}/functions");
        let list = Request::get(Service::Functions, "cloudfunctions.projects.locations.functions.list", path)
            .in_project(&project);
        Ok(ctx.api.pages(list, "functions").await?.iter().map(|json| function_record(&project, json)).collect())
    })
    .await
}

/// A function's record from its v2 document.
pub(crate) fn function_record(project: &str, function: &Json) -> Value {
    let id = text_at(function, &["name"]);
    let location = id.split('/').nth(3).unwrap_or("");
    let generation = match text_at(function, &["environment"]) {
        "GEN_1" => "gen1",
        _ => "gen2",
    };
    record(FUNCTION, id, last_segment(id), location, project, function.get("labels"))
        .str("runtime", text_at(function, &["buildConfig", "runtime"]))
        .str("state", text_at(function, &["state"]).to_ascii_lowercase())
        .str("generation", generation)
        .opt_int("max_instances", int_at(function, &["serviceConfig", "maxInstanceCount"]))
        .time("updated", text_at(function, &["updateTime"]))
        .build()
}

pub(crate) async fn read(ctx: &GcpContext, target: &Value) -> Result<Option<Value>, ProviderError> {
    let project = ctx.home(target)?;
    let request = Request::get(
        Service::Functions,
        "cloudfunctions.projects.locations.functions.get",
        format!("v2/{}", field(target, "id")),
    )
    .in_project(&project);
    Ok(ctx.find(&request).await?.map(|json| function_record(&project, &json)))
}

/// One change of a function, as the v2 API and as the v1 API spell it.
struct Change {
    method: Method,
    mask: Option<&'static str>,
    v2: Option<Json>,
    v1: Option<Json>,
}

async fn act(ctx: &GcpContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let project = ctx.home(target)?;
    let Some(function) = read(ctx, target).await? else {
        return gone(call, target);
    };
    let (after, change) = match call.action.as_str() {
        "gcp.functions.set_max_instances" => {
            let most = args.int("max_instances")?;
            if int(&function, "max_instances") == Some(most) {
                return Ok(Done::Unchanged(function));
            }
            let change = Change {
                method: Method::PATCH,
                mask: Some("serviceConfig.maxInstanceCount"),
                v2: Some(json!({"serviceConfig": {"maxInstanceCount": most}})),
                v1: Some(json!({"maxInstances": most})),
            };
            (with(&function, "max_instances", Value::Int(most)), change)
        }
        "gcp.functions.label" => {
            let wanted = args.tags("labels")?;
            if has_tags(&function, &wanted) {
                return Ok(Done::Unchanged(function));
            }
            let existing = crate::record::tags(&function);
            let all = labels::merged(&existing, &wanted)?;
            let change = Change {
                method: Method::PATCH,
                mask: Some("labels"),
                v2: Some(json!({"labels": all})),
                v1: Some(json!({"labels": all})),
            };
            (with_labels(&function, &wanted), change)
        }
        "gcp.functions.delete" => (function.clone(), Change { method: Method::DELETE, mask: None, v2: None, v1: None }),
        other => return Err(unknown_action("Cloud Functions", other)),
    };
    if call.dry_run {
        return Ok(Done::Changed(after));
    }
    let name = field(&function, "id");
    let operation = match send(ctx, &project, "v2", name, &change).await {
        Err(refused) if field(&function, "generation") == "gen1" && refused.status == 400 => {
            send(ctx, &project, "v1", name, &change).await?
        }
        answer => answer?,
    };
    operations::longrunning(&ctx.api, ctx.patience, &project, operation.1, &operation.0).await?;
    Ok(Done::Changed(after))
}

/// Sends `change` through API `version`; the request's description and the operation it answered.
async fn send(
    ctx: &GcpContext,
    project: &str,
    version: &str,
    name: &str,
    change: &Change,
) -> Result<(String, Json), ApiError> {
    let method_id = match (version, &change.method) {
        ("v1", &Method::DELETE) | ("v2", &Method::DELETE) => "cloudfunctions.projects.locations.functions.delete",
        _ => "cloudfunctions.projects.locations.functions.patch",
    };
    let mut request = Request::new(change.method.clone(), Service::Functions, method_id, format!("{version}/{name}"))
        .in_project(project);
    if let Some(mask) = change.mask {
        let (mask, body) = if version == "v1" { (v1_mask(mask), &change.v1) } else { (mask, &change.v2) };
        request = request.query("updateMask", mask);
        if let Some(body) = body {
            request = request.body(body.clone());
        }
    }
    let what = request.describe();
    Ok((what, ctx.send(&request).await?))
}

/// v1's name of a v2 field.
fn v1_mask(mask: &'static str) -> &'static str {
    match mask {
        "serviceConfig.maxInstanceCount" => "maxInstances",
        other => other,
    }
}

pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    Some(match call.action.as_str() {
        "gcp.functions.delete" => resource.is_none(),
        "gcp.functions.set_max_instances" => {
            let most = args.int("max_instances").ok()?;
            resource.is_some_and(|r| int(r, "max_instances") == Some(most))
        }
        "gcp.functions.label" => {
            let wanted = args.tags("labels").ok()?;
            resource.is_some_and(|r| has_tags(r, &wanted))
        }
        _ => return None,
    })
}
