//! The inventory of the estate: `inventory.summary` and `inventory.accounts`, which no cloud's query implements,
//! so the runtime asks them of the simulator under their own name. The other cloud-agnostic queries reach the
//! simulator as each cloud's query that implements them (`aws.ec2.instances` for `compute.instances`).

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;

use super::{QueryFn, View};
use crate::record::{self, row, text};
use escher_runtime::provider::args::Args;

pub(crate) const QUERIES: &[(&str, QueryFn)] =
    &[("inventory.summary", inventory_summary), ("inventory.accounts", inventory_accounts)];

type Listed = Result<Value, ProviderError>;

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
