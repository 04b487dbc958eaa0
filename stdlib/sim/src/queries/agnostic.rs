//! Cloud-agnostic listings over every cloud, account, subscription and project of the estate, and inventory.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::filter::{flag, in_state, older_than, open_to_internet, opens_port};
use super::{QueryFn, View, list};
use crate::record::{self, has_tags, row, text};
use escher_runtime::provider::args::Args;

pub(crate) const QUERIES: &[(&str, QueryFn)] = &[
    ("compute.instances", compute_instances),
    ("compute.disks", compute_disks),
    ("compute.snapshots", compute_snapshots),
    ("compute.functions", compute_functions),
    ("database.instances", database_instances),
    ("storage.buckets", storage_buckets),
    ("security.public_storage", public_storage),
    ("security.open_ports", open_ports),
    ("security.unencrypted_disks", unencrypted_disks),
    ("inventory.summary", inventory_summary),
    ("inventory.accounts", inventory_accounts),
];

type Listed = Result<Value, ProviderError>;

fn compute_instances(view: &View, args: &Args) -> Listed {
    let (tags, state) = (args.tags("tags")?, args.opt_str("state")?);
    Ok(list(view.implementing("compute.Instance").filter(|r| has_tags(r, &tags) && in_state(r, state))))
}

fn compute_disks(view: &View, args: &Args) -> Listed {
    let (tags, attached) = (args.tags("tags")?, args.opt_bool("attached")?);
    Ok(list(view.implementing("compute.Disk").filter(|r| has_tags(r, &tags) && flag(r, "attached", attached))))
}

fn compute_snapshots(view: &View, args: &Args) -> Listed {
    let (tags, age) = (args.tags("tags")?, args.opt_duration("older_than")?);
    Ok(list(
        view.implementing("compute.Snapshot").filter(|r| has_tags(r, &tags) && older_than(r, "created", age, view.now)),
    ))
}

fn compute_functions(view: &View, args: &Args) -> Listed {
    let tags = args.tags("tags")?;
    Ok(list(view.implementing("compute.Function").filter(|r| has_tags(r, &tags))))
}

fn database_instances(view: &View, args: &Args) -> Listed {
    let (tags, state) = (args.tags("tags")?, args.opt_str("state")?);
    Ok(list(view.implementing("database.Instance").filter(|r| has_tags(r, &tags) && in_state(r, state))))
}

fn storage_buckets(view: &View, args: &Args) -> Listed {
    let (tags, public, encrypted) = (args.tags("tags")?, args.opt_bool("public")?, args.opt_bool("encrypted")?);
    Ok(list(
        view.implementing("storage.Bucket")
            .filter(|r| has_tags(r, &tags) && flag(r, "public", public) && flag(r, "encrypted", encrypted)),
    ))
}

fn public_storage(view: &View, _: &Args) -> Listed {
    Ok(list(view.implementing("storage.Bucket").filter(|r| record::bool_of(r, "public") == Some(true))))
}

/// Rules open to the internet; disabled GCP firewall rules let nothing in.
fn open_ports(view: &View, args: &Args) -> Listed {
    let ports = args.ints("ports")?;
    Ok(list(
        view.implementing("security.IngressRule")
            .filter(|r| record::bool_of(r, "disabled") != Some(true) && open_to_internet(r) && opens_port(r, &ports)),
    ))
}

fn unencrypted_disks(view: &View, _: &Args) -> Listed {
    Ok(list(view.implementing("compute.Disk").filter(|r| record::bool_of(r, "encrypted") == Some(false))))
}

fn inventory_summary(view: &View, _: &Args) -> Listed {
    let mut by_cloud: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_region: BTreeMap<String, i64> = BTreeMap::new();
    let mut total = 0;
    for resource in view.all() {
        total += 1;
        *by_cloud.entry(record::kinds_cloud(resource).to_string()).or_default() += 1;
        *by_kind.entry(record::kind(resource).to_string()).or_default() += 1;
        *by_region.entry(record::field(resource, "region").to_string()).or_default() += 1;
    }
    let counts = |map: BTreeMap<String, i64>| Value::Record(map.into_iter().map(|(k, n)| (k, Value::Int(n))).collect());
    Ok(row(vec![
        ("total", Value::Int(total)),
        ("by_cloud", counts(by_cloud)),
        ("by_kind", counts(by_kind)),
        ("by_region", counts(by_region)),
    ]))
}

fn inventory_accounts(view: &View, _: &Args) -> Listed {
    Ok(Value::List(
        view.accounts
            .iter()
            .map(|a| {
                row(vec![("cloud", text(a.cloud.clone())), ("id", text(a.id.clone())), ("name", text(a.name.clone()))])
            })
            .collect(),
    ))
}
