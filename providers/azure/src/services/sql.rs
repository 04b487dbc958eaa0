//! SQL databases (`azure.sql.*`) on `Microsoft.Sql`: every logical server of a subscription, then its databases
//! (`master` left out). Resource Manager pauses and resumes only Data Warehouse databases (dedicated SQL pools;
//! other editions answer `FeatureDisabledOnSelectedEdition`), and a serverless database pauses by itself after
//! its auto-pause delay: pause and resume refuse any other database by name, without a call. Copies (the backup)
//! are named from the batch's idempotency key unless a suffix is given, and carry it as a tag, so a retried or
//! resumed batch finds its copy instead of making a second.

use azure_core::http::Method;
use escher_compiler::plan::Value;
use escher_runtime::provider::args::Args;
use escher_runtime::provider::{IDEMPOTENCY_TAG, ProviderCall, ProviderError, ProviderResponse};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::context::{AzureContext, Subscription};
use crate::outcome::{Done, each_target, missing, unknown_action};
use crate::record::{Rec, field, has_tags, text, text_at, with};
use crate::services::disk::hex;
use crate::versions::SQL;

pub(crate) const DATABASE: &str = "azure.sql.Database";

pub(crate) async fn call(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "azure.sql.databases" => databases(ctx, &args).await.map(ProviderResponse::Value),
        "azure.sql.scale" => {
            args.str("sku")?;
            each_target(&call.targets, |db| act(ctx, call, &args, db)).await
        }
        "azure.sql.pause" | "azure.sql.resume" | "azure.sql.backup" | "azure.sql.delete" => {
            each_target(&call.targets, |db| act(ctx, call, &args, db)).await
        }
        other => Err(unknown_action("SQL", other)),
    }
}

async fn databases(ctx: &AzureContext, args: &Args<'_>) -> Result<Value, ProviderError> {
    let (group, server, tags, state) =
        (args.opt_str("resource_group")?, args.opt_str("server")?, args.tags("tags")?, args.opt_str("state")?);
    let mut found = Vec::new();
    for home in ctx.listed(args.opt_str("subscription")?).await? {
        let path = format!("/subscriptions/{}/providers/Microsoft.Sql/servers", home.id);
        for logical in ctx.list(&home, ctx.url(&path, SQL, &[])).await? {
            let server_id = text_at(&logical, &["id"]);
            let located = Rec::new("", &logical).build();
            if !group.is_none_or(|g| field(&located, "resource_group").eq_ignore_ascii_case(g))
                || !server.is_none_or(|s| text_at(&logical, &["name"]).eq_ignore_ascii_case(s))
            {
                continue;
            }
            let url = ctx.url(&format!("{server_id}/databases"), SQL, &[]);
            for database in ctx.list(&home, url).await? {
                if text_at(&database, &["name"]).eq_ignore_ascii_case("master") {
                    continue;
                }
                let record = record(&database);
                if has_tags(&record, &tags) && state.is_none_or(|s| in_state(field(&record, "state"), s)) {
                    found.push(record);
                }
            }
        }
    }
    Ok(Value::List(found))
}

/// `available` also finds online databases and `stopped` paused ones, as the declaration says.
fn in_state(state: &str, wanted: &str) -> bool {
    state == wanted || (wanted == "available" && state == "online") || (wanted == "stopped" && state == "paused")
}

pub(crate) fn record(database: &Json) -> Value {
    let properties = database.get("properties").unwrap_or(&Json::Null);
    let id = text_at(database, &["id"]);
    let server = id.split('/').skip_while(|s| !s.eq_ignore_ascii_case("servers")).nth(1).unwrap_or("");
    let sku = text_at(database, &["sku", "name"]);
    let bytes = properties.get("maxSizeBytes").and_then(Json::as_i64).unwrap_or(0);
    Rec::new(DATABASE, database)
        .str("state", text_at(properties, &["status"]).to_ascii_lowercase())
        .str("engine", "sqlserver")
        .str("server", server)
        .str("sku", sku)
        .int("max_size_gb", bytes / (1 << 30))
        .bool("serverless", sku.contains("_S_") || text_at(database, &["kind"]).contains("serverless"))
        .time("created", text_at(properties, &["creationDate"]))
        .build()
}

/// Whether Resource Manager pauses this database: Data Warehouse ones only.
fn is_data_warehouse(database: &Json) -> bool {
    let is = |text: &str| text.eq_ignore_ascii_case("DataWarehouse");
    is(text_at(database, &["sku", "tier"]))
        || is(text_at(database, &["sku", "name"]))
        || text_at(database, &["kind"]).to_ascii_lowercase().contains("datawarehouse")
}

async fn fetch(ctx: &AzureContext, home: &Subscription, target: &Value) -> Result<Option<Json>, ProviderError> {
    ctx.find(home, ctx.url(field(target, "id"), SQL, &[])).await
}

pub(crate) async fn read(
    ctx: &AzureContext,
    home: &Subscription,
    target: &Value,
) -> Result<Option<Value>, ProviderError> {
    Ok(fetch(ctx, home, target).await?.as_ref().map(record))
}

/// The copy's name: `NAME-SUFFIX`, or `NAME-` and a digest of the batch's idempotency key and the database.
pub(crate) fn copy_name(name: &str, suffix: Option<&str>, key: &str, id: &str) -> String {
    match suffix {
        Some(suffix) => format!("{name}-{suffix}"),
        None => format!("{name}-{}", hex(&Sha256::digest(format!("{key}\n{id}").as_bytes())[..5])),
    }
}

async fn act(ctx: &AzureContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let home = ctx.home(target).await?;
    let Some(model) = fetch(ctx, &home, target).await? else {
        return if call.action == "azure.sql.delete" {
            Ok(Done::Unchanged(target.clone()))
        } else {
            Err(missing(target))
        };
    };
    let database = record(&model);
    let id = field(&database, "id").to_string();
    let state = field(&database, "state");
    let pausable = || {
        if is_data_warehouse(&model) {
            return Ok(());
        }
        let how = if field(&database, "sku").contains("_S_") {
            "a serverless database pauses by itself after its auto-pause delay"
        } else {
            "other editions cannot pause"
        };
        Err(ProviderError::Rejected(format!(
            "FeatureDisabledOnSelectedEdition: database `{}` ({}) is not a Data Warehouse database; Resource Manager \
             pauses and resumes only those, and {how} (nothing was sent)",
            field(&database, "name"),
            field(&database, "sku")
        )))
    };
    let (after, method, path, body) = match call.action.as_str() {
        "azure.sql.pause" => {
            pausable()?;
            if matches!(state, "paused" | "pausing") {
                return Ok(Done::Unchanged(database));
            }
            (with(&database, "state", text("paused")), Method::Post, format!("{id}/pause"), None)
        }
        "azure.sql.resume" => {
            pausable()?;
            if matches!(state, "online" | "resuming") {
                return Ok(Done::Unchanged(database));
            }
            (with(&database, "state", text("online")), Method::Post, format!("{id}/resume"), None)
        }
        "azure.sql.scale" => {
            let sku = args.str("sku")?;
            if field(&database, "sku").eq_ignore_ascii_case(sku) {
                return Ok(Done::Unchanged(database));
            }
            (with(&database, "sku", text(sku)), Method::Patch, id.clone(), Some(json!({"sku": {"name": sku}})))
        }
        "azure.sql.backup" => {
            let server_id = id.rsplit_once("/databases/").map_or("", |(server, _)| server);
            let copy = copy_name(field(&database, "name"), args.opt_str("suffix")?, &call.idempotency_key, &id);
            let copy_id = format!("{server_id}/databases/{copy}");
            // A copy an earlier try of this batch made carries its key: it is this batch's backup.
            if let Some(existing) = ctx.find(&home, ctx.url(&copy_id, SQL, &[])).await? {
                let key = existing.get("tags").and_then(|t| t.get(IDEMPOTENCY_TAG)).and_then(Json::as_str);
                return if key == Some(call.idempotency_key.as_str()) {
                    Ok(Done::Changed(database))
                } else {
                    Err(ProviderError::Rejected(format!("a database named `{copy}` already exists on the server")))
                };
            }
            let body = json!({
                "location": model.get("location").cloned().unwrap_or(Json::Null),
                "tags": {IDEMPOTENCY_TAG: call.idempotency_key},
                "properties": {"createMode": "Copy", "sourceDatabaseId": id},
            });
            (database.clone(), Method::Put, copy_id, Some(body))
        }
        "azure.sql.delete" => {
            if call.dry_run {
                return Ok(Done::Changed(database));
            }
            let deleted = ctx.delete(&home, ctx.url(&id, SQL, &[])).await?;
            return Ok(if deleted { Done::Changed(database) } else { Done::Unchanged(database) });
        }
        other => return Err(unknown_action("SQL", other)),
    };
    if !call.dry_run {
        ctx.act(&home, method, ctx.url(&path, SQL, &[]), body.as_ref()).await?;
    }
    Ok(Done::Changed(after))
}

pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "azure.sql.delete" => Some(resource.is_none()),
        _ if resource.is_none() => Some(false),
        "azure.sql.pause" => resource.map(|db| matches!(field(db, "state"), "paused" | "pausing")),
        "azure.sql.resume" => resource.map(|db| matches!(field(db, "state"), "online" | "resuming")),
        "azure.sql.scale" => {
            let sku = args.str("sku").ok()?;
            resource.map(|db| field(db, "sku").eq_ignore_ascii_case(sku))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_data_warehouse_databases_pause_through_resource_manager() {
        assert!(is_data_warehouse(&json!({"sku": {"name": "DataWarehouse"}, "kind": "v12.0,user,datawarehouse"})));
        assert!(is_data_warehouse(&json!({"sku": {"name": "DW100c", "tier": "DataWarehouse"}})));
        assert!(!is_data_warehouse(&json!({"sku": {"name": "GP_S_Gen5_2", "tier": "GeneralPurpose"}})));
    }

    #[test]
    fn copies_are_named_from_the_suffix_or_the_batch() {
        assert_eq!(copy_name("db", Some("nightly"), "k", "id"), "db-nightly");
        assert_eq!(copy_name("db", None, "k", "id"), copy_name("db", None, "k", "id"));
        assert_ne!(copy_name("db", None, "k", "id"), copy_name("db", None, "k2", "id"));
    }

    #[test]
    fn records_name_their_server_and_leave_sizes_in_gib() {
        let db = json!({"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/srv/databases/db",
            "sku": {"name": "GP_S_Gen5_2"}, "properties": {"status": "Paused", "maxSizeBytes": 34359738368_i64}});
        let record = record(&db);
        assert_eq!((field(&record, "server"), field(&record, "state")), ("srv", "paused"));
        assert!(in_state("paused", "stopped"));
    }
}
