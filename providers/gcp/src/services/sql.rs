//! Cloud SQL (`gcp.sql.*`) on the Cloud SQL Admin API v1. Starting and stopping set the instance's activation
//! policy (`ALWAYS`, `NEVER`); tier and labels are PATCHes of `settings`; every change answers a Cloud SQL
//! operation, followed to `DONE`. Cloud SQL has no request ids: each action looks first (a stopped instance is
//! not stopped again) and a backup is found again by the batch's mark in its description.

use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use reqwest::Method;
use serde_json::{Value as Json, json};

use crate::api::{Request, Service};
use crate::context::{GcpContext, idempotency_label};
use crate::operations;
use crate::outcome::{Done, each_target, gone, unknown_action};
use crate::record::{field, record, text, text_at, with};
use crate::services::each_project;

pub(crate) const INSTANCE: &str = "gcp.sql.Instance";

pub(crate) async fn call(ctx: &GcpContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "gcp.sql.instances" => instances(ctx, &args).await.map(ProviderResponse::Value),
        "gcp.sql.set_tier" => {
            args.str("tier")?;
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        "gcp.sql.start" | "gcp.sql.stop" | "gcp.sql.restart" | "gcp.sql.backup" | "gcp.sql.delete" => {
            each_target(&call.targets, |target| act(ctx, call, &args, target)).await
        }
        other => Err(unknown_action("Cloud SQL", other)),
    }
}

async fn instances(ctx: &GcpContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    each_project(ctx, args, "gcp.sql.instances", |project| async move {
        let list = Request::get(Service::SqlAdmin, "sql.instances.list", format!("v1/projects/{project}/instances"))
            .in_project(&project);
        Ok(ctx.api.pages(list, "items").await?.iter().map(|json| instance_record(&project, json)).collect())
    })
    .await
}

pub(crate) fn instance_record(project: &str, instance: &Json) -> Value {
    let settings = instance.get("settings").unwrap_or(&Json::Null);
    let name = text_at(instance, &["name"]);
    let version = text_at(instance, &["databaseVersion"]);
    let engine = match version.split('_').next().unwrap_or("") {
        "POSTGRES" => "postgres",
        "MYSQL" => "mysql",
        "SQLSERVER" => "sqlserver",
        other => other,
    };
    // An instance whose activation policy is `NEVER` is stopped, whatever `state` still says.
    let state = if text_at(settings, &["activationPolicy"]) == "NEVER" {
        "stopped".to_string()
    } else {
        text_at(instance, &["state"]).to_ascii_lowercase()
    };
    let id = format!("{project}:{name}");
    record(INSTANCE, &id, name, text_at(instance, &["region"]), project, settings.get("userLabels"))
        .str("state", state)
        .str("engine", engine.to_ascii_lowercase())
        .str("database_version", version)
        .str("tier", text_at(settings, &["tier"]))
        .bool("high_availability", text_at(settings, &["availabilityType"]) == "REGIONAL")
        .bool("public_ip", settings.pointer("/ipConfiguration/ipv4Enabled").and_then(Json::as_bool).unwrap_or(false))
        .time("created", text_at(instance, &["createTime"]))
        .build()
}

fn instance_path(project: &str, target: &Value) -> String {
    format!("v1/projects/{project}/instances/{}", field(target, "name"))
}

pub(crate) async fn read(ctx: &GcpContext, target: &Value) -> Result<Option<Value>, ProviderError> {
    let project = ctx.home(target)?;
    let request =
        Request::get(Service::SqlAdmin, "sql.instances.get", instance_path(&project, target)).in_project(&project);
    Ok(ctx.find(&request).await?.map(|json| instance_record(&project, &json)))
}

async fn act(ctx: &GcpContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let project = ctx.home(target)?;
    let path = instance_path(&project, target);
    let Some(instance) = read(ctx, target).await? else {
        return gone(call, target);
    };
    let state = field(&instance, "state");
    let patch = |settings: Json| {
        Request::new(Method::PATCH, Service::SqlAdmin, "sql.instances.patch", path.clone())
            .body(json!({"settings": settings}))
    };
    let (after, request) = match call.action.as_str() {
        "gcp.sql.start" if state == "runnable" => return Ok(Done::Unchanged(instance)),
        "gcp.sql.start" => (with(&instance, "state", text("runnable")), patch(json!({"activationPolicy": "ALWAYS"}))),
        "gcp.sql.stop" if state == "stopped" => return Ok(Done::Unchanged(instance)),
        "gcp.sql.stop" => (with(&instance, "state", text("stopped")), patch(json!({"activationPolicy": "NEVER"}))),
        "gcp.sql.restart" | "gcp.sql.backup" if state != "runnable" => {
            return Err(ProviderError::Rejected(format!(
                "`{}` is {state}; it must be running",
                field(&instance, "name")
            )));
        }
        "gcp.sql.restart" => {
            (instance.clone(), Request::post(Service::SqlAdmin, "sql.instances.restart", format!("{path}/restart")))
        }
        "gcp.sql.set_tier" => {
            let tier = args.str("tier")?;
            if field(&instance, "tier") == tier {
                return Ok(Done::Unchanged(instance));
            }
            (with(&instance, "tier", text(tier)), patch(json!({"tier": tier})))
        }
        "gcp.sql.delete" => {
            (instance.clone(), Request::new(Method::DELETE, Service::SqlAdmin, "sql.instances.delete", path.clone()))
        }
        "gcp.sql.backup" => {
            let marker = format!("[escher {}]", idempotency_label(&call.idempotency_key));
            if call.in_doubt && backup_made(ctx, &project, &path, &marker).await? {
                return Ok(Done::Changed(instance));
            }
            let description = args.str("description").unwrap_or("");
            let description = if description.is_empty() { marker } else { format!("{description} {marker}") };
            let request = Request::post(Service::SqlAdmin, "sql.backupRuns.insert", format!("{path}/backupRuns"))
                .body(json!({"description": description}));
            (instance.clone(), request)
        }
        other => return Err(unknown_action("Cloud SQL", other)),
    };
    if !call.dry_run {
        let request = request.in_project(&project);
        let what = request.describe();
        let operation = ctx.send(&request).await?;
        operations::sql(&ctx.api, ctx.patience, &project, operation, &what).await?;
    }
    Ok(Done::Changed(after))
}

/// Whether an earlier call of this batch already made the backup: one whose description carries its mark.
async fn backup_made(ctx: &GcpContext, project: &str, path: &str, marker: &str) -> Result<bool, ProviderError> {
    let list = Request::get(Service::SqlAdmin, "sql.backupRuns.list", format!("{path}/backupRuns")).in_project(project);
    let runs = ctx.api.pages(list, "items").await?;
    Ok(runs.iter().any(|run| text_at(run, &["description"]).contains(marker)))
}

pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    Some(match call.action.as_str() {
        "gcp.sql.start" => resource.is_some_and(|r| field(r, "state") == "runnable"),
        "gcp.sql.stop" => resource.is_some_and(|r| field(r, "state") == "stopped"),
        "gcp.sql.delete" => resource.is_none(),
        "gcp.sql.set_tier" => {
            let tier = args.str("tier").ok()?;
            resource.is_some_and(|r| field(r, "tier") == tier)
        }
        _ => return None,
    })
}
