//! Blob containers (`azure.storage.*`) on `Microsoft.Storage`: every storage account of a subscription, its blob
//! service (versioning is the account's) and its containers. A container is public when its access level is
//! `Blob` or `Container` and its account allows public access (an account that says nothing allows it, as older
//! accounts do). Turning versioning on reads the blob service and PUTs it back whole with versioning on, so
//! every other setting is kept. Azure Storage always encrypts at rest: `enable_encryption` is unchanged.

use azure_core::http::Method;
use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde_json::{Value as Json, json};

use crate::context::{AzureContext, Subscription};
use crate::outcome::{Done, each_target, missing, unknown_action};
use crate::record::{Rec, field, flag, has_tags, tags, text, text_at, with};
use crate::versions::STORAGE;

pub(crate) const CONTAINER: &str = "azure.storage.Container";

pub(crate) async fn call(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "azure.storage.containers" => containers(ctx, &args).await.map(ProviderResponse::Value),
        "azure.storage.set_private" => each_target(&call.targets, |c| set_private(ctx, call, c)).await,
        "azure.storage.enable_versioning" => each_target(&call.targets, |c| enable_versioning(ctx, call, c)).await,
        "azure.storage.enable_encryption" => {
            each_target(&call.targets, |container| async move { Ok(Done::Unchanged(container.clone())) }).await
        }
        other => Err(unknown_action("Storage", other)),
    }
}

async fn containers(ctx: &AzureContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (public, account_name, group) =
        (args.opt_bool("public")?, args.opt_str("storage_account")?, args.opt_str("resource_group")?);
    let (encrypted, metadata) = (args.opt_bool("encrypted")?, args.tags("tags")?);
    let mut found = Vec::new();
    for home in ctx.listed(args.opt_str("subscription")?).await? {
        let path = format!("/subscriptions/{}/providers/Microsoft.Storage/storageAccounts", home.id);
        for account in ctx.list(&home, ctx.url(&path, STORAGE, &[])).await? {
            let account_id = text_at(&account, &["id"]);
            let located = Rec::new("", &account).build();
            if !account_name.is_none_or(|name| text_at(&account, &["name"]).eq_ignore_ascii_case(name))
                || !group.is_none_or(|g| field(&located, "resource_group").eq_ignore_ascii_case(g))
            {
                continue;
            }
            let service = ctx.get(&home, ctx.url(&format!("{account_id}/blobServices/default"), STORAGE, &[])).await?;
            // The one list API here that takes a page size (the configuration's `page_size`).
            let size = ctx.arm.page_size().map(|n| n.to_string());
            let query: Vec<(&str, &str)> = size.as_deref().map(|n| ("$maxpagesize", n)).into_iter().collect();
            let url = ctx.url(&format!("{account_id}/blobServices/default/containers"), STORAGE, &query);
            for container in ctx.list(&home, url).await? {
                let record = record(&account, &service, &container);
                let flag = |name| matches!(flag(&record, name), Some(true));
                if public.is_none_or(|p| flag("public") == p)
                    && encrypted.is_none_or(|e| flag("encrypted") == e)
                    && has_tags(&record, &metadata)
                {
                    found.push(record);
                }
            }
        }
    }
    Ok(Value::List(found))
}

/// A container's record: its own id, name, access level and metadata; its account's location and settings.
pub(crate) fn record(account: &Json, service: &Json, container: &Json) -> Value {
    let properties = container.get("properties").unwrap_or(&Json::Null);
    let access = access_level(container);
    let allowed = account.get("properties").and_then(|p| p.get("allowBlobPublicAccess")).and_then(Json::as_bool);
    let mut located = container.clone();
    located["location"] = account.get("location").cloned().unwrap_or(Json::Null);
    located["tags"] = properties.get("metadata").cloned().unwrap_or(Json::Null);
    let versioning = service.get("properties").and_then(|p| p.get("isVersioningEnabled")).and_then(Json::as_bool);
    Rec::new(CONTAINER, &located)
        .bool("public", access != "none" && allowed != Some(false))
        .bool("encrypted", true)
        .bool("versioning", versioning.unwrap_or(false))
        .value("tags", tags(properties.get("metadata")))
        .str("storage_account", text_at(account, &["name"]))
        .str("public_access", access)
        .build()
}

/// A container's public access level as the record spells it: `none`, `blob` or `container`.
fn access_level(container: &Json) -> String {
    match text_at(container, &["properties", "publicAccess"]) {
        "" => "none".to_string(),
        level => level.to_ascii_lowercase(),
    }
}

/// The account id of a container id (`.../storageAccounts/NAME/blobServices/default/containers/C`).
fn account_of(container_id: &str) -> &str {
    container_id.split_once("/blobServices/").map_or(container_id, |(account, _)| account)
}

async fn set_private(ctx: &AzureContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let id = field(target, "id");
    let Some(container) = ctx.find(&home, ctx.url(id, STORAGE, &[])).await? else { return Err(missing(target)) };
    if access_level(&container) == "none" {
        return Ok(Done::Unchanged(with(target, "public_access", text("none"))));
    }
    if !call.dry_run {
        let body = json!({"properties": {"publicAccess": "None"}});
        ctx.act(&home, Method::Patch, ctx.url(id, STORAGE, &[]), Some(&body)).await?;
    }
    Ok(Done::Changed(with(&with(target, "public_access", text("none")), "public", Value::Bool(false))))
}

async fn enable_versioning(ctx: &AzureContext, call: &ProviderCall, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let path = format!("{}/blobServices/default", account_of(field(target, "id")));
    let Some(service) = ctx.find(&home, ctx.url(&path, STORAGE, &[])).await? else { return Err(missing(target)) };
    let mut properties = service.get("properties").cloned().unwrap_or_else(|| json!({}));
    if properties.get("isVersioningEnabled").and_then(Json::as_bool) == Some(true) {
        return Ok(Done::Unchanged(with(target, "versioning", Value::Bool(true))));
    }
    if !call.dry_run {
        properties["isVersioningEnabled"] = Json::Bool(true);
        let body = json!({"properties": properties});
        ctx.act(&home, Method::Put, ctx.url(&path, STORAGE, &[]), Some(&body)).await?;
    }
    Ok(Done::Changed(with(target, "versioning", Value::Bool(true))))
}

/// A container as it is now (its account's location and settings kept from `target`); `None` when it is gone.
pub(crate) async fn read(
    ctx: &AzureContext,
    home: &Subscription,
    target: &Value,
) -> Result<Option<Value>, ProviderError> {
    let Some(container) = ctx.find(home, ctx.url(field(target, "id"), STORAGE, &[])).await? else { return Ok(None) };
    let access = access_level(&container);
    let path = format!("{}/blobServices/default", account_of(field(target, "id")));
    let service = ctx.get(home, ctx.url(&path, STORAGE, &[])).await.map_err(ProviderError::from)?;
    let versioning = service.get("properties").and_then(|p| p.get("isVersioningEnabled")).and_then(Json::as_bool);
    // The target's record says whether its account allows public access: open but not public means it does not.
    let account_allows = !(field(target, "public_access") != "none" && flag(target, "public") == Some(false));
    let public = access != "none" && account_allows;
    Ok(Some(with(
        &with(&with(target, "public_access", text(&access)), "public", Value::Bool(public)),
        "versioning",
        Value::Bool(versioning.unwrap_or(false)),
    )))
}

pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let resource = resource?;
    match call.action.as_str() {
        "azure.storage.set_private" => Some(field(resource, "public_access") == "none"),
        "azure.storage.enable_versioning" => Some(flag(resource, "versioning") == Some(true)),
        "azure.storage.enable_encryption" => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_is_public_only_if_its_account_allows_it() {
        let container = json!({"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/c",
            "name": "c", "properties": {"publicAccess": "Container", "metadata": {"team": "x"}}});
        let open = json!({"name": "a", "location": "westeurope", "properties": {}});
        let closed = json!({"name": "a", "location": "westeurope", "properties": {"allowBlobPublicAccess": false}});
        let service = json!({"properties": {"isVersioningEnabled": true}});
        let record = record(&open, &service, &container);
        assert_eq!(flag(&record, "public"), Some(true));
        assert_eq!(flag(&record, "versioning"), Some(true));
        assert_eq!((field(&record, "public_access"), field(&record, "storage_account")), ("container", "a"));
        assert_eq!(flag(&super::record(&closed, &service, &container), "public"), Some(false));
        assert_eq!(
            account_of(field(&record, "id")),
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a"
        );
    }
}
