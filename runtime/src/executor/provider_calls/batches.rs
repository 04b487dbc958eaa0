//! From items to provider calls: targets grouped by (cloud, account, region), in the order they first appear,
//! cut into the action's batch size, each batch sent to the provider serving its cloud. Queries without a cloud
//! go to every provider serving one. Batches are numbered across the whole node, so the same inputs give the
//! same numbers (and idempotency keys) on every resume.

use std::collections::BTreeMap;
use std::sync::Arc;

use escher_compiler::plan::{NodeKind, PlanNode, Value};
use escher_compiler::stdlib::{Cloud, Effect};

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
                for provider in providers_without_targets(ctx, node)? {
                    let region = match item.args.get("region") {
                        Some(Value::String(region)) => region.as_str(),
                        _ => "",
                    };
                    let key = bucket_key(&provider, &node.rate_class, "", region);
                    let routed = Routed::own(node);
                    out.push(batch(ctx, node, &routed, &item, out.len(), (provider, key), Vec::new()));
                }
            }
        }
    }
    Ok(out)
}

/// The action a node's targets of one cloud are called with: for a cloud-agnostic action, the action the stdlib
/// declares implements it on that cloud (`compute.stop` on Azure is `azure.vm.deallocate`), with its arguments
/// renamed as it says, its batch size and its rate class; otherwise the node's own. An agnostic action that no
/// action of the cloud implements goes to the provider under its own name.
struct Routed<'a> {
    action: &'a str,
    renames: Option<&'a BTreeMap<String, String>>,
    batch: Option<u32>,
    rate_class: String,
}

impl<'a> Routed<'a> {
    fn own(node: &'a PlanNode) -> Routed<'a> {
        Routed { action: &node.action, renames: None, batch: node.batch, rate_class: node.rate_class.clone() }
    }

    fn of(node: &'a PlanNode, cloud: Cloud) -> Routed<'a> {
        if node.cloud != Cloud::Any {
            return Routed::own(node);
        }
        match escher_compiler::stdlib::catalog().implementer(&node.action, cloud) {
            Some(implementer) => Routed {
                action: &implementer.name,
                renames: implementer.implements.as_ref().map(|implements| &implements.renames),
                batch: implementer.batch,
                rate_class: implementer.rate_class.clone(),
            },
            None => Routed::own(node),
        }
    }

    /// The call's arguments under the names the routed action takes.
    fn args(&self, args: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
        let mut args = args.clone();
        for (agnostic, own) in self.renames.into_iter().flatten() {
            if let Some(value) = args.remove(agnostic) {
                args.insert(own.clone(), value);
            }
        }
        args
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

/// Targets by (cloud, account, region), groups in order of first appearance.
fn group_targets(node: &PlanNode, targets: &[Value]) -> Result<Vec<Group>, String> {
    let mut groups: Vec<Group> = Vec::new();
    for target in targets {
        let cloud = target_cloud(node, target)?;
        let account = resource_field(target, "account").unwrap_or("").to_string();
        let region = resource_field(target, "region").unwrap_or("").to_string();
        let key = (cloud, account, region);
        match groups.iter_mut().find(|(existing, _)| *existing == key) {
            Some((_, group)) => group.push(target.clone()),
            None => groups.push((key, vec![target.clone()])),
        }
    }
    Ok(groups)
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

/// Who answers a call without targets: the provider of the node's cloud, or for a cloud-agnostic query every
/// provider serving a cloud (each asked once).
fn providers_without_targets(ctx: &RunContext, node: &PlanNode) -> Result<Vec<Arc<dyn Provider>>, String> {
    match node.cloud {
        Cloud::Aws | Cloud::Azure | Cloud::Gcp => Ok(vec![provider(ctx, node, node.cloud)?]),
        Cloud::Any if node.kind == NodeKind::Query => {
            let mut providers: Vec<Arc<dyn Provider>> = Vec::new();
            for cloud in Cloud::ALL {
                if let Some(found) = ctx.provider_for(cloud)
                    && !providers.iter().any(|known| Arc::ptr_eq(known, found))
                {
                    providers.push(found.clone());
                }
            }
            if providers.is_empty() {
                return Err(format!("no provider serves any cloud for `{}`", node.action));
            }
            Ok(providers)
        }
        _ => Err(format!("`{}` has no targets to tell which cloud should act", node.action)),
    }
}

fn bucket_key(provider: &Arc<dyn Provider>, rate_class: &str, account: &str, region: &str) -> BucketKey {
    BucketKey {
        provider: provider.name().to_string(),
        account: account.to_string(),
        region: region.to_string(),
        rate_class: rate_class.to_string(),
    }
}
