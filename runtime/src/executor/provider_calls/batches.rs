//! From items to provider calls: targets grouped by (cloud, account, region), in the order they first appear,
//! cut into the action's batch size, each batch sent to the provider serving its cloud. A cloud-agnostic action
//! or query reaches each cloud as the action or query the stdlib declares implements it there (`Routed`). A
//! cloud-agnostic query is asked of each cloud with a provider, in the order AWS, Azure, GCP, so its joined
//! answer keeps that order; one that no cloud's query implements (`inventory.*`, `cost.*`) is asked of each
//! provider once, under its own name. Batches are numbered across the whole node, so the same inputs give the
//! same numbers (and idempotency keys) on every resume.

use std::collections::BTreeMap;
use std::sync::Arc;

use escher_compiler::plan::{NodeKind, PlanNode, Value};
use escher_compiler::stdlib::{Cloud, Effect, Implements};

use crate::executor::run::context::RunContext;
use crate::executor::step::prepare::Item;
use crate::provider::{Bucket, Provider, ProviderCall, resource_field, resource_id};
use crate::ratelimit::{BucketKey, default_bucket};

/// One provider call of a node, ready to be made.
pub(crate) struct Batch {
    pub index: usize,
    pub provider: Arc<dyn Provider>,
    pub key: BucketKey,
    pub bucket: Bucket,
    pub call: ProviderCall,
}

impl Batch {
    pub fn target_ids(&self) -> Vec<String> {
        self.call.targets.iter().filter_map(resource_id).map(str::to_string).collect()
    }
}

pub(crate) fn batches(ctx: &RunContext, node: &PlanNode, items: Vec<Item>) -> Result<Vec<Batch>, String> {
    let mut out = Vec::new();
    for item in items {
        match &item.targets {
            Some(targets) => {
                for ((cloud, account, region), group) in group_targets(node, targets)? {
                    let provider = provider(ctx, node, cloud)?;
                    let routed = Routed::of(node, cloud);
                    let size = routed.batch.map_or(group.len(), |size| size.max(1) as usize).max(1);
                    for chunk in group.chunks(size) {
                        let key = bucket_key(&provider, &routed.rate_class, &account, &region);
                        let targets = chunk.to_vec();
                        let to = (provider.clone(), key);
                        out.push(batch(ctx, node, &routed, &item, out.len(), to, targets));
                    }
                }
            }
            None => {
                for (provider, routed) in calls_without_targets(ctx, node)? {
                    let region = match item.args.get("region") {
                        Some(Value::String(region)) => region.as_str(),
                        _ => "",
                    };
                    let key = bucket_key(&provider, &routed.rate_class, "", region);
                    out.push(batch(ctx, node, &routed, &item, out.len(), (provider, key), Vec::new()));
                }
            }
        }
    }
    Ok(out)
}

/// What a node's call to one cloud is made as: for a cloud-agnostic action or query, the one the stdlib declares
/// implements it on that cloud (`compute.stop` on Azure is `azure.vm.deallocate`), with its arguments renamed
/// and fixed as it says, its batch size and its rate class; otherwise the node's own. An agnostic action that no
/// action of the cloud implements goes to the provider under its own name.
struct Routed<'a> {
    action: &'a str,
    implements: Option<&'a Implements>,
    batch: Option<u32>,
    rate_class: String,
}

impl<'a> Routed<'a> {
    fn own(node: &'a PlanNode) -> Routed<'a> {
        Routed { action: &node.action, implements: None, batch: node.batch, rate_class: node.rate_class.clone() }
    }

    fn of(node: &'a PlanNode, cloud: Cloud) -> Routed<'a> {
        Routed::implementing(node, cloud).unwrap_or_else(|| Routed::own(node))
    }

    /// The route of a cloud-agnostic node on `cloud`, if the stdlib declares one.
    fn implementing(node: &'a PlanNode, cloud: Cloud) -> Option<Routed<'a>> {
        if node.cloud != Cloud::Any {
            return None;
        }
        let implementer = escher_compiler::stdlib::catalog().implementer(&node.action, cloud)?;
        Some(Routed {
            action: &implementer.name,
            implements: implementer.implementation_of(&node.action),
            batch: implementer.batch,
            rate_class: implementer.rate_class.clone(),
        })
    }

    /// The call's arguments under the names the routed callable takes, with the arguments it fixes.
    fn args(&self, args: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
        self.implements.map_or_else(|| args.clone(), |implements| implements.args(args))
    }
}

/// Batch `index` of `node`'s `item`: `targets` (none for a call without targets) to the provider and bucket
/// key `to`.
fn batch(
    ctx: &RunContext,
    node: &PlanNode,
    routed: &Routed<'_>,
    item: &Item,
    index: usize,
    (provider, key): (Arc<dyn Provider>, BucketKey),
    targets: Vec<Value>,
) -> Batch {
    let reads = node.effect == Effect::Read;
    let bucket = provider.bucket(&routed.rate_class).unwrap_or_else(|| default_bucket(reads));
    let call = ProviderCall {
        run_id: ctx.run_id.clone(),
        node: node.id.clone(),
        action: routed.action.to_string(),
        args: routed.args(&item.args),
        secrets: item.secrets.clone(),
        targets,
        dry_run: ctx.dry_run,
        idempotency_key: format!("{}:{}:{index}", ctx.run_id, node.id),
        in_doubt: false,
    };
    Batch { index, provider, key, bucket, call }
}

type Group = ((Cloud, String, String), Vec<Value>);

/// Targets by (cloud, account, region), groups in order of first appearance. The account is where the cloud
/// keeps its rate limits: an AWS `account`, an Azure `subscription`, a GCP `project`.
fn group_targets(node: &PlanNode, targets: &[Value]) -> Result<Vec<Group>, String> {
    let mut groups: Vec<Group> = Vec::new();
    for target in targets {
        let cloud = target_cloud(node, target)?;
        let account = rate_account(target).to_string();
        let region = resource_field(target, "region").unwrap_or("").to_string();
        let key = (cloud, account, region);
        match groups.iter_mut().find(|(existing, _)| *existing == key) {
            Some((_, group)) => group.push(target.clone()),
            None => groups.push((key, vec![target.clone()])),
        }
    }
    Ok(groups)
}

/// Where a target's cloud keeps its rate limits: an AWS record's `account`, an Azure record's `subscription`, a
/// GCP record's `project`; `""` when the record names none.
fn rate_account(target: &Value) -> &str {
    ["account", "subscription", "project"].into_iter().find_map(|field| resource_field(target, field)).unwrap_or("")
}

/// A target's cloud: its `cloud` field, else the action's own cloud.
fn target_cloud(node: &PlanNode, target: &Value) -> Result<Cloud, String> {
    match resource_field(target, "cloud") {
        Some("aws") => Ok(Cloud::Aws),
        Some("azure") => Ok(Cloud::Azure),
        Some("gcp") => Ok(Cloud::Gcp),
        _ if matches!(node.cloud, Cloud::Aws | Cloud::Azure | Cloud::Gcp) => Ok(node.cloud),
        other => Err(format!(
            "target `{}` names no cloud ({}), so `{}` cannot tell which provider acts on it",
            resource_id(target).unwrap_or("?"),
            other.map_or("no `cloud` field".to_string(), |cloud| format!("\"{cloud}\"")),
            node.action
        )),
    }
}

fn provider(ctx: &RunContext, node: &PlanNode, cloud: Cloud) -> Result<Arc<dyn Provider>, String> {
    ctx.provider_for(cloud).cloned().ok_or_else(|| format!("no provider serves {cloud} for `{}`", node.action))
}

/// A call of a node to one provider, as it is routed there.
type RoutedCall<'a> = (Arc<dyn Provider>, Routed<'a>);

/// The calls of a node without targets: to the provider of the node's cloud; for a cloud-agnostic query, to
/// each cloud's provider as the query implementing it there, in the order of [`Cloud::ALL`], and where none
/// does, to that cloud's provider under the agnostic name (each provider asked so once).
fn calls_without_targets<'a>(ctx: &RunContext, node: &'a PlanNode) -> Result<Vec<RoutedCall<'a>>, String> {
    match node.cloud {
        Cloud::Aws | Cloud::Azure | Cloud::Gcp => Ok(vec![(provider(ctx, node, node.cloud)?, Routed::own(node))]),
        Cloud::Any if node.kind == NodeKind::Query => {
            let mut calls = Vec::new();
            let mut asked_by_name: Vec<Arc<dyn Provider>> = Vec::new();
            for cloud in Cloud::ALL {
                let Some(found) = ctx.provider_for(cloud) else { continue };
                match Routed::implementing(node, cloud) {
                    Some(routed) => calls.push((found.clone(), routed)),
                    None if !asked_by_name.iter().any(|known| Arc::ptr_eq(known, found)) => {
                        asked_by_name.push(found.clone());
                        calls.push((found.clone(), Routed::own(node)));
                    }
                    None => {}
                }
            }
            if calls.is_empty() {
                return Err(format!("no provider serves any cloud for `{}`", node.action));
            }
            Ok(calls)
        }
        _ => Err(format!("`{}` has no targets to tell which cloud should act", node.action)),
    }
}

/// The bucket a call draws from: its provider's, per account (a subscription, a project) and, where the cloud
/// limits per region, per region.
fn bucket_key(provider: &Arc<dyn Provider>, rate_class: &str, account: &str, region: &str) -> BucketKey {
    BucketKey {
        provider: provider.name().to_string(),
        account: account.to_string(),
        region: if provider.regional_buckets() { region.to_string() } else { String::new() },
        rate_class: rate_class.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[(&str, &str)]) -> Value {
        Value::Record(fields.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect())
    }

    /// A provider that serves nothing, limited per region or not.
    struct Limited(bool);

    #[async_trait::async_trait]
    impl Provider for Limited {
        fn name(&self) -> &str {
            "limited"
        }
        fn serves(&self, _: escher_compiler::stdlib::Cloud) -> bool {
            false
        }
        async fn call(
            &self,
            _: &crate::provider::ProviderCall,
        ) -> Result<crate::provider::ProviderResponse, crate::provider::ProviderError> {
            Err(crate::provider::ProviderError::Unsupported("nothing".into()))
        }
        async fn describe(&self, _: &[Value]) -> Result<Vec<Value>, crate::provider::ProviderError> {
            Ok(Vec::new())
        }
        fn regional_buckets(&self) -> bool {
            self.0
        }
    }

    #[test]
    fn a_cloud_that_limits_per_account_shares_one_bucket_across_its_regions() {
        let regional: Arc<dyn Provider> = Arc::new(Limited(true));
        let east = bucket_key(&regional, "writes", "acct", "eastus");
        assert_ne!(east, bucket_key(&regional, "writes", "acct", "westeurope"));
        let per_account: Arc<dyn Provider> = Arc::new(Limited(false));
        let east = bucket_key(&per_account, "writes", "sub-1", "eastus");
        assert_eq!(east, bucket_key(&per_account, "writes", "sub-1", "westeurope"));
        assert_ne!(east, bucket_key(&per_account, "writes", "sub-2", "eastus"));
    }

    #[test]
    fn buckets_are_per_aws_account_azure_subscription_and_gcp_project() {
        assert_eq!(rate_account(&record(&[("account", "111111111111")])), "111111111111");
        assert_eq!(rate_account(&record(&[("subscription", "8f3c2a1e"), ("resource_group", "rg")])), "8f3c2a1e");
        assert_eq!(rate_account(&record(&[("project", "acme-dev")])), "acme-dev");
        assert_eq!(rate_account(&record(&[("id", "x")])), "");
    }
}
