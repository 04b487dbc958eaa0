//! Discovery: every resource kind the AWS provider lists, over the configured accounts and the given regions,
//! into one local file (`inventory/aws.json` in the state directory, written whole or not at all). `escher plan`
//! reads it to say how many resources each query would match today (its [`Counts`]). The cloud-agnostic
//! `inventory.*` queries, which no AWS query implements, are answered here: `inventory.summary` counts a fresh
//! discovery, `inventory.accounts` lists the configured accounts.
//!
//! A listing that fails fails the discovery: an inventory never silently lacks a kind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use escher_compiler::plan::Value;
use escher_runtime::provider::inventory::Counts;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::record::{field, has_tags, str_field};
use escher_runtime::provider::args::Args;

/// The queries discovery runs, each listing one kind in full.
pub const QUERIES: &[&str] = &[
    "aws.ec2.instances",
    "aws.ec2.volumes",
    "aws.ec2.snapshots",
    "aws.ec2.images",
    "aws.ec2.security_group_rules",
    "aws.rds.instances",
    "aws.rds.snapshots",
    "aws.lambda.functions",
    "aws.s3.buckets",
];

/// What discovery found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub cloud: String,
    /// When discovery ran (RFC 3339, UTC).
    pub discovered_at: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Every resource record, as the stdlib declares it (with `kind`).
    pub resources: Vec<Value>,
}

/// Lists every kind of [`QUERIES`] in the given regions (empty: the configured or enabled ones).
pub async fn discover(ctx: &AwsContext, regions: &[String]) -> Result<Inventory, ProviderError> {
    let regions = ctx.regions(regions).await?;
    let accounts: Vec<String> = ctx.accounts().await?.into_iter().map(|a| a.id).collect();
    let mut resources = Vec::new();
    for query in QUERIES {
        let listed = match *query {
            "aws.ec2.security_group_rules" => {
                crate::ec2::list::list(ctx, crate::ec2::list::Kind::Rules, &regions, &Default::default()).await?
            }
            _ => {
                let mut args = BTreeMap::new();
                if !query.starts_with("aws.s3.") {
                    args.insert("regions".into(), Value::List(regions.iter().cloned().map(Value::String).collect()));
                }
                let call = ProviderCall::discovery_query(query, args);
                match Box::pin(crate::services::call(ctx, &call)).await? {
                    ProviderResponse::Value(Value::List(items)) => items,
                    other => {
                        return Err(ProviderError::Invalid(format!("`{query}` answered {other:?}, not a list")));
                    }
                }
            }
        };
        resources.extend(listed);
    }
    Ok(Inventory { cloud: "aws".into(), discovered_at: crate::record::now(), accounts, regions, resources })
}

/// `inventory/aws.json` under the state directory.
pub fn path(state_dir: &Path) -> PathBuf {
    escher_runtime::provider::inventory::path(state_dir, "aws")
}

impl Inventory {
    /// Writes the file whole (`escher_runtime::provider::inventory::save`).
    pub fn save(&self, state_dir: &Path) -> std::io::Result<PathBuf> {
        escher_runtime::provider::inventory::save(state_dir, "aws", self)
    }

    /// The inventory in the state directory, if discovery ever ran.
    pub fn load(state_dir: &Path) -> Result<Option<Inventory>, String> {
        escher_runtime::provider::inventory::load(state_dir, "aws")
    }

    /// Counts per kind.
    pub fn by_kind(&self) -> BTreeMap<String, usize> {
        escher_runtime::provider::inventory::count_by(&self.resources, "kind")
    }
}

impl Counts for Inventory {
    fn cloud(&self) -> &str {
        "aws"
    }

    fn discovered_at(&self) -> &str {
        &self.discovered_at
    }

    fn resources(&self) -> usize {
        self.resources.len()
    }

    /// How many inventory resources a query with these arguments would match, for the queries whose filters are
    /// plain (tags, state, regions, attached, encrypted, public); `None` for any other query or argument.
    fn count_own(&self, query: &str, args: &BTreeMap<String, Value>) -> Option<usize> {
        let kinds: &[&str] = match query {
            "aws.ec2.instances" => &["aws.ec2.Instance"],
            "aws.ec2.volumes" => &["aws.ec2.Volume"],
            "aws.rds.instances" => &["aws.rds.Instance"],
            "aws.lambda.functions" => &["aws.lambda.Function"],
            "aws.s3.buckets" => &["aws.s3.Bucket"],
            _ => return None,
        };
        let known = ["regions", "tags", "state", "attached", "encrypted", "public"];
        if args.keys().any(|name| !known.contains(&name.as_str())) {
            return None;
        }
        let read = Args(args);
        let tags = read.tags("tags").ok()?;
        let regions = read.strings("regions").ok()?;
        let state = read.opt_str("state").ok()?;
        let flags: Vec<(&str, bool)> = ["attached", "encrypted", "public"]
            .into_iter()
            .filter_map(|name| read.opt_bool(name).ok().flatten().map(|b| (name, b)))
            .collect();
        Some(
            self.resources
                .iter()
                .filter(|r| kinds.contains(&str_field(r, "kind")))
                .filter(|r| has_tags(r, &tags))
                .filter(|r| regions.is_empty() || regions.iter().any(|g| g == str_field(r, "region")))
                .filter(|r| state.is_none_or(|s| str_field(r, "state") == s))
                .filter(|r| flags.iter().all(|(name, b)| field(r, name) == Some(&Value::Bool(*b))))
                .count(),
        )
    }
}

/// `inventory.summary` and `inventory.accounts`.
pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    match call.action.as_str() {
        "inventory.summary" => summary(ctx).await,
        "inventory.accounts" => accounts(ctx).await,
        other => Err(ProviderError::Unsupported(format!("the AWS provider has no query `{other}`"))),
    }
}

/// The configured accounts, as `{cloud, id, name}` rows.
async fn accounts(ctx: &AwsContext) -> Result<ProviderResponse, ProviderError> {
    let rows = ctx
        .accounts()
        .await?
        .into_iter()
        .map(|account| {
            Value::Record(BTreeMap::from([
                ("cloud".to_string(), Value::String("aws".into())),
                ("id".to_string(), Value::String(account.id)),
                ("name".to_string(), Value::String(account.name)),
            ]))
        })
        .collect();
    Ok(ProviderResponse::Value(Value::List(rows)))
}

/// Counts of a fresh discovery by cloud, kind and region.
async fn summary(ctx: &AwsContext) -> Result<ProviderResponse, ProviderError> {
    let inventory = discover(ctx, &[]).await?;
    Ok(ProviderResponse::Value(escher_runtime::provider::inventory::summary(&inventory.resources)))
}
