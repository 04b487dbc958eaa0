//! Discovery: every kind the Azure provider lists, in every reachable subscription (or the given ones), into
//! `inventory/azure.json` in the state directory, written whole or not at all. A listing that fails (throttled
//! included) fails the discovery: an inventory never silently lacks a kind or a subscription.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde::{Deserialize, Serialize};

use crate::context::AzureContext;
use crate::record::timestamp;

/// The queries discovery runs, each listing one kind in full.
pub const QUERIES: &[&str] = &[
    "azure.vm.list",
    "azure.disk.list",
    "azure.disk.snapshots",
    "azure.network.open_inbound_rules",
    "azure.sql.databases",
    "azure.functions.list",
    "azure.storage.containers",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub cloud: String,
    /// When discovery ran (RFC 3339, UTC).
    pub discovered_at: String,
    pub subscriptions: Vec<String>,
    /// Every resource record, as the stdlib declares it (with `kind`).
    pub resources: Vec<Value>,
}

/// Lists every kind of [`QUERIES`] in `subscriptions` (empty: every reachable one).
pub async fn discover(ctx: &AzureContext, subscriptions: &[String]) -> Result<Inventory, ProviderError> {
    let mut chosen = Vec::new();
    if subscriptions.is_empty() {
        chosen.extend(ctx.subscriptions().await?.iter().map(|s| s.id.clone()));
    } else {
        for id in subscriptions {
            chosen.push(ctx.subscription(id).await?.id);
        }
    }
    let mut resources = Vec::new();
    for subscription in &chosen {
        for query in QUERIES {
            let args = BTreeMap::from([("subscription".to_string(), Value::String(subscription.clone()))]);
            let call = ProviderCall::discovery_query(query, args);
            match crate::provider::dispatch(ctx, &call).await? {
                ProviderResponse::Value(Value::List(items)) => resources.extend(items),
                other => return Err(ProviderError::Invalid(format!("`{query}` answered {other:?}, not a list"))),
            }
        }
    }
    Ok(Inventory {
        cloud: "azure".into(),
        discovered_at: timestamp(chrono::Utc::now().timestamp()),
        subscriptions: chosen,
        resources,
    })
}

/// Azure's answers to the agnostic `inventory.summary` (counts of a fresh discovery by cloud, kind and region)
/// and `inventory.accounts` (the reachable subscriptions).
pub(crate) async fn answer(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let text = |value: &str| Value::String(value.to_string());
    match call.action.as_str() {
        "inventory.accounts" => {
            let rows = ctx
                .subscriptions()
                .await?
                .iter()
                .map(|s| {
                    Value::Record(BTreeMap::from([
                        ("cloud".to_string(), text("azure")),
                        ("id".to_string(), text(&s.id)),
                        ("name".to_string(), text(&s.name)),
                    ]))
                })
                .collect();
            Ok(ProviderResponse::Value(Value::List(rows)))
        }
        "inventory.summary" => {
            let inventory = discover(ctx, &[]).await?;
            Ok(ProviderResponse::Value(escher_runtime::provider::inventory::summary(&inventory.resources)))
        }
        other => Err(ProviderError::Unsupported(format!("the Azure provider has no query `{other}`"))),
    }
}

impl Inventory {
    pub fn path(state_dir: &Path) -> PathBuf {
        escher_runtime::provider::inventory::path(state_dir, "azure")
    }

    /// Writes the inventory whole (`escher_runtime::provider::inventory::save`).
    pub fn save(&self, state_dir: &Path) -> std::io::Result<PathBuf> {
        escher_runtime::provider::inventory::save(state_dir, "azure", self)
    }

    /// Resources per kind, for a summary.
    pub fn by_kind(&self) -> BTreeMap<String, usize> {
        escher_runtime::provider::inventory::count_by(&self.resources, "kind")
    }
}
