//! Function Apps (`azure.functions.*`) on `Microsoft.Web`: the sites of a subscription whose `kind` includes
//! `functionapp`. Start, stop and restart are POSTs that answer 200 when done; start's and stop's effect shows
//! on the app's `state`.

use azure_core::http::Method;
use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde_json::Value as Json;

use crate::context::{AzureContext, Subscription};
use crate::outcome::{Done, each_target, missing, unknown_action};
use crate::record::{Rec, field, has_tags, text, text_at, with};
use crate::versions::WEB;

pub(crate) const APP: &str = "azure.functions.FunctionApp";

pub(crate) async fn call(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "azure.functions.list" => list(ctx, &args).await.map(ProviderResponse::Value),
        "azure.functions.start" | "azure.functions.stop" | "azure.functions.restart" => {
            each_target(&call.targets, |app| act(ctx, call, app)).await
        }
        other => Err(unknown_action("Functions", other)),
    }
}

async fn list(ctx: &AzureContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (group, tags) = (args.opt_str("resource_group")?, args.tags("tags")?);
    let mut found = Vec::new();
    for home in ctx.listed(args.opt_str("subscription")?).await? {
        let path = format!("/subscriptions/{}/providers/Microsoft.Web/sites", home.id);
        for site in ctx.list(&home, ctx.url(&path, WEB, &[])).await? {
            if !is_function_app(&site) {
                continue;
            }
            let record = record(&site);
            if group.is_none_or(|g| field(&record, "resource_group").eq_ignore_ascii_case(g))
                && has_tags(&record, &tags)
            {
                found.push(record);
            }
        }
    }
    Ok(Value::List(found))
}

/// `functionapp`, `functionapp,linux`, `functionapp,workflowapp`...: a site of kind `app` is a web app.
pub(crate) fn is_function_app(site: &Json) -> bool {
    text_at(site, &["kind"]).split(',').any(|kind| kind.trim().eq_ignore_ascii_case("functionapp"))
}

pub(crate) fn record(site: &Json) -> Value {
    let properties = site.get("properties").unwrap_or(&Json::Null);
    let runtime = match text_at(properties, &["siteConfig", "linuxFxVersion"]) {
        "" => text_at(properties, &["siteConfig", "windowsFxVersion"]),
        linux => linux,
    };
    // The hosting plan from the plan's SKU tier, as App Service reports it on the site.
    let plan = match text_at(properties, &["sku"]) {
        "Dynamic" => "consumption",
        "FlexConsumption" => "flex",
        "ElasticPremium" => "premium",
        _ => "dedicated",
    };
    Rec::new(APP, site)
        .str("runtime", runtime.to_ascii_lowercase())
        .str("state", text_at(properties, &["state"]).to_ascii_lowercase())
        .str("plan", plan)
        .str("default_hostname", text_at(properties, &["defaultHostName"]))
        .build()
}

pub(crate) async fn read(
    ctx: &AzureContext,
    home: &Subscription,
    target: &Value,
) -> Result<Option<Value>, ProviderError> {
    Ok(ctx.find(home, ctx.url(field(target, "id"), WEB, &[])).await?.as_ref().map(record))
}

async fn act(ctx: &AzureContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let Some(app) = read(ctx, &home, target).await? else { return Err(missing(target)) };
    let state = field(&app, "state");
    let (verb, after) = match call.action.as_str() {
        "azure.functions.start" if state == "running" => return Ok(Done::Unchanged(app)),
        "azure.functions.start" => ("start", with(&app, "state", text("running"))),
        "azure.functions.stop" if state == "stopped" => return Ok(Done::Unchanged(app)),
        "azure.functions.stop" => ("stop", with(&app, "state", text("stopped"))),
        "azure.functions.restart" if state == "stopped" => {
            return Err(ProviderError::Rejected(format!("`{}` is stopped; start it instead", field(&app, "name"))));
        }
        "azure.functions.restart" => ("restart", app.clone()),
        other => return Err(unknown_action("Functions", other)),
    };
    if !call.dry_run {
        let path = format!("{}/{verb}", field(&app, "id"));
        ctx.act(&home, Method::Post, ctx.url(&path, WEB, &[]), None).await?;
    }
    Ok(Done::Changed(after))
}

pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let resource = resource?;
    match call.action.as_str() {
        "azure.functions.start" => Some(field(resource, "state") == "running"),
        "azure.functions.stop" => Some(field(resource, "state") == "stopped"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_sites_of_kind_functionapp_are_function_apps() {
        assert!(is_function_app(&json!({"kind": "functionapp,linux"})));
        assert!(!is_function_app(&json!({"kind": "app"})));
        let app = record(&json!({"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/f",
            "kind": "functionapp", "properties": {"state": "Running", "sku": "Dynamic",
            "siteConfig": {"linuxFxVersion": "Python|3.11"}, "defaultHostName": "f.azurewebsites.net"}}));
        assert_eq!(
            (field(&app, "state"), field(&app, "plan"), field(&app, "runtime")),
            ("running", "consumption", "python|3.11")
        );
    }
}
