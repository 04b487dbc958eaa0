//! Discovery: every kind the GCP provider lists, in every configured project (or the given ones), into
//! `inventory/gcp.json` in the state directory, written whole or not at all. A listing that fails (a failed
//! page, a zone or location that could not be reached, throttled out) fails the discovery: an inventory never
//! silently lacks a kind or a project. `escher plan` reads the file to say how many resources each step's query
//! matches today (its [`Counts`], judged by the same filters as the live queries).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use escher_compiler::plan::Value;
use escher_runtime::provider::inventory::Counts;
use escher_runtime::provider::record::timestamp;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde::{Deserialize, Serialize};

use crate::context::GcpContext;

/// The queries discovery runs, each listing one kind in full.
pub const QUERIES: &[&str] = &[
    "gcp.compute.instances",
    "gcp.compute.disks",
    "gcp.compute.snapshots",
    "gcp.compute.open_firewall_rules",
    "gcp.sql.instances",
    "gcp.functions.list",
    "gcp.storage.buckets",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub cloud: String,
    /// When discovery ran (RFC 3339, UTC).
    pub discovered_at: String,
    pub projects: Vec<String>,
    /// Every resource record, as the stdlib declares it (with `kind`).
    pub resources: Vec<Value>,
}

/// Lists every kind of [`QUERIES`] in `projects` (empty: every configured one).
pub async fn discover(ctx: &GcpContext, projects: &[String]) -> Result<Inventory, ProviderError> {
    let chosen = if projects.is_empty() {
        ctx.projects().to_vec()
    } else {
        let mut chosen = Vec::new();
        for project in projects {
            chosen.extend(ctx.listed(Some(project))?);
        }
        chosen
    };
    let mut resources = Vec::new();
    for project in &chosen {
        for query in QUERIES {
            let args = BTreeMap::from([("project".to_string(), Value::String(project.clone()))]);
            match crate::provider::dispatch(ctx, &ProviderCall::discovery_query(query, args)).await? {
                ProviderResponse::Value(Value::List(items)) => resources.extend(items),
                other => return Err(ProviderError::Invalid(format!("`{query}` answered {other:?}, not a list"))),
            }
        }
    }
    Ok(Inventory {
        cloud: "gcp".into(),
        discovered_at: timestamp(chrono::Utc::now().timestamp()),
        projects: chosen,
        resources,
    })
}

/// GCP's answers to the agnostic `inventory.summary` (counts of a fresh discovery by cloud, kind and region) and
/// `inventory.accounts` (the reachable projects).
pub(crate) async fn answer(ctx: &GcpContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let text = |value: &str| Value::String(value.to_string());
    match call.action.as_str() {
        "inventory.accounts" => {
            let rows = ctx
                .projects()
                .iter()
                .map(|project| {
                    Value::Record(BTreeMap::from([
                        ("cloud".to_string(), text("gcp")),
                        ("id".to_string(), text(project)),
                        ("name".to_string(), text(project)),
                    ]))
                })
                .collect();
            Ok(ProviderResponse::Value(Value::List(rows)))
        }
        "inventory.summary" => {
            let inventory = discover(ctx, &[]).await?;
            Ok(ProviderResponse::Value(escher_runtime::provider::inventory::summary(&inventory.resources)))
        }
        other => Err(ProviderError::Unsupported(format!("the GCP provider has no query `{other}`"))),
    }
}

impl Inventory {
    pub fn path(state_dir: &Path) -> PathBuf {
        escher_runtime::provider::inventory::path(state_dir, "gcp")
    }

    /// The inventory in the state directory, if discovery ever ran.
    pub fn load(state_dir: &Path) -> Result<Option<Inventory>, String> {
        escher_runtime::provider::inventory::load(state_dir, "gcp")
    }

    /// Writes the inventory whole (`escher_runtime::provider::inventory::save`).
    pub fn save(&self, state_dir: &Path) -> std::io::Result<PathBuf> {
        escher_runtime::provider::inventory::save(state_dir, "gcp", self)
    }

    /// Resources per kind, for a summary.
    pub fn by_kind(&self) -> BTreeMap<String, usize> {
        escher_runtime::provider::inventory::count_by(&self.resources, "kind")
    }
}

impl Counts for Inventory {
    fn cloud(&self) -> &str {
        "gcp"
    }

    fn discovered_at(&self) -> &str {
        &self.discovered_at
    }

    fn resources(&self) -> usize {
        self.resources.len()
    }

    /// How many resources a query with these arguments matches, judged as the live query judges its listing.
    fn count_own(&self, query: &str, args: &BTreeMap<String, Value>) -> Option<usize> {
        crate::filters::kind_of(query)?;
        let mut count = 0;
        for resource in &self.resources {
            count += usize::from(crate::filters::keeps(query, args, resource)?);
        }
        Some(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use escher_runtime::provider::record::Record;

    fn instance(name: &str, state: &str, env: &str) -> Value {
        Record::new(crate::services::compute::INSTANCE, name, name, "gcp", "us-central1")
            .str("project", "acme-dev")
            .str("state", state)
            .str("zone", "us-central1-a")
            .map("tags", [("env", env)])
            .build()
    }

    #[test]
    fn queries_and_agnostic_ones_count_as_they_would_list() {
        let inventory = Inventory {
            cloud: "gcp".into(),
            discovered_at: "2026-12-07T00:00:00Z".into(),
            projects: vec!["acme-dev".into()],
            resources: vec![
                instance("a", "running", "dev"),
                instance("b", "terminated", "dev"),
                instance("c", "running", "prod"),
            ],
        };
        let text = |t: &str| Value::String(t.into());
        let dev = Value::Record(BTreeMap::from([("env".to_string(), text("dev"))]));
        let gcp = BTreeMap::from([("labels".to_string(), dev.clone()), ("status".to_string(), text("running"))]);
        assert_eq!(inventory.count("gcp.compute.instances", &gcp), Some(1));
        let agnostic = BTreeMap::from([("tags".to_string(), dev), ("state".to_string(), text("stopped"))]);
        assert_eq!(inventory.count("compute.instances", &agnostic), Some(1), "stopped finds terminated");
        let ports = BTreeMap::from([("ports".to_string(), Value::List(vec![Value::Int(22)]))]);
        assert_eq!(inventory.count("gcp.compute.open_firewall_rules", &ports), None, "not guessed");
        assert_eq!(inventory.count("aws.ec2.instances", &BTreeMap::new()), None);
    }
}
