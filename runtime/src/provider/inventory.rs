//! What every provider's discovery shares: the file it is kept in (`inventory/CLOUD.json` in the state directory,
//! written whole or not at all, read back by [`load`]), counts by a field, the agnostic `inventory.summary` of it,
//! and what `escher plan` and `escher lint` read from saved inventories: how many resources each step's query
//! matches today ([`Counts`], [`blast_lines`], [`targets_today`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use escher_compiler::plan::{NodeKind, Plan, PlanExpr, PlanNode, Value};
use escher_compiler::stdlib::Cloud;

use super::interface::resource_field;

/// Where a cloud's inventory is kept.
pub fn path(state_dir: &Path, cloud: &str) -> PathBuf {
    state_dir.join("inventory").join(format!("{cloud}.json"))
}

/// Writes a cloud's inventory whole: a file beside it, synced, then renamed over it (and the rename synced), so a
/// failed or interrupted discovery leaves the previous inventory as it was.
pub fn save(state_dir: &Path, cloud: &str, inventory: &impl serde::Serialize) -> std::io::Result<PathBuf> {
    let path = path(state_dir, cloud);
    let dir = path.parent().unwrap_or(state_dir).to_path_buf();
    std::fs::create_dir_all(&dir)?;
    let text = serde_json::to_vec_pretty(inventory).map_err(std::io::Error::other)?;
    let partial = path.with_extension("json.partial");
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(&text)?;
    file.sync_all()?;
    std::fs::rename(&partial, &path)?;
    std::fs::File::open(&dir)?.sync_all()?;
    Ok(path)
}

/// A cloud's saved inventory, if discovery ever ran.
pub fn load<T: serde::de::DeserializeOwned>(state_dir: &Path, cloud: &str) -> Result<Option<T>, String> {
    let path = path(state_dir, cloud);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map(Some).map_err(|e| format!("{} is not an inventory: {e}", path.display()))
}

/// A saved inventory that can say how many of its resources a query matches.
pub trait Counts {
    /// `aws`, `gcp`.
    fn cloud(&self) -> &str;
    fn discovered_at(&self) -> &str;
    fn resources(&self) -> usize;
    /// How many resources this cloud's `query` with `args` matches; `None` when the inventory cannot judge it
    /// (an argument that is not a plain filter), so the plan never shows a guess.
    fn count_own(&self, query: &str, args: &BTreeMap<String, Value>) -> Option<usize>;

    /// As [`count_own`](Self::count_own), and a cloud-agnostic query (as a plan names it: `compute.instances`)
    /// counts as the query of this cloud that the stdlib declares implements it, with its arguments.
    fn count(&self, query: &str, args: &BTreeMap<String, Value>) -> Option<usize> {
        let catalog = escher_compiler::stdlib::catalog();
        let cloud = Cloud::ALL.into_iter().find(|c| c.name() == self.cloud())?;
        match catalog.implementer(query, cloud) {
            Some(own) => self.count_own(&own.name, &own.implementation_of(query)?.args(args)),
            None => self.count_own(query, args),
        }
    }
}

/// What the inventories say of a step's targets.
enum Today<'p> {
    /// Its query matches this many resources.
    Counted { query: &'p str, count: usize },
    /// Its query has filters the inventories cannot judge, or is of a cloud none of them holds.
    NotJudged { query: &'p str },
    /// Its targets are computed, not a query's result.
    Computed,
}

/// What `escher plan` shows beside the plan: per step acting on a query's result, how many resources of the saved
/// inventories the query matches today (a cloud-agnostic query: summed over them). Only queries whose arguments
/// are all known at plan time and are plain filters are counted; others say so.
pub fn blast_lines(plan: &Plan, inventories: &[&dyn Counts]) -> String {
    let held: Vec<String> = inventories
        .iter()
        .map(|i| format!("{} ({} resources, discovered {})", i.cloud(), i.resources(), i.discovered_at()))
        .collect();
    let mut out = format!("inventory {}: what each step's query matches today\n", held.join(", "));
    let steps = steps_today(plan, inventories);
    for (node, today) in &steps {
        let shown = match today {
            Today::Counted { query, count } => format!("{count} (query `{query}`)"),
            Today::NotJudged { query } => format!("not counted (the inventory cannot judge query `{query}`)"),
            Today::Computed => "not counted (targets are computed)".into(),
        };
        out.push_str(&format!("  {:<24} {:<34} {shown}\n", node.id, node.action));
    }
    if steps.is_empty() {
        out.push_str("  no step acts on targets\n");
    }
    out
}

/// For each step acting on a query's result, how many resources the query matches today, where the inventories
/// can count them (see [`blast_lines`]): what `escher lint` judges `max_targets` against.
pub fn targets_today(plan: &Plan, inventories: &[&dyn Counts]) -> BTreeMap<String, usize> {
    steps_today(plan, inventories)
        .into_iter()
        .filter_map(|(node, today)| match today {
            Today::Counted { count, .. } => Some((node.id.clone(), count)),
            _ => None,
        })
        .collect()
}

/// Each action acting on targets, with what the inventories say of its targets' query.
fn steps_today<'p>(plan: &'p Plan, inventories: &[&dyn Counts]) -> Vec<(&'p PlanNode, Today<'p>)> {
    let today_of = |query: &'p str| -> Today<'p> {
        let Some(node) = plan.nodes.iter().find(|n| n.id == query && n.kind == NodeKind::Query) else {
            return Today::Computed;
        };
        let mut args = BTreeMap::new();
        for (name, expr) in &node.args {
            match expr {
                PlanExpr::Value { value } => {
                    args.insert(name.clone(), value.clone());
                }
                _ => return Today::NotJudged { query },
            }
        }
        let cloud = Cloud::of(&node.action);
        let judging: Vec<&&dyn Counts> =
            inventories.iter().filter(|i| cloud == Cloud::Any || i.cloud() == cloud.name()).collect();
        let counts: Option<Vec<usize>> = judging.iter().map(|i| i.count(&node.action, &args)).collect();
        match counts {
            Some(counts) if !judging.is_empty() => Today::Counted { query, count: counts.iter().sum() },
            _ => Today::NotJudged { query },
        }
    };
    let mut steps = Vec::new();
    for node in plan.nodes.iter().filter(|n| n.kind == NodeKind::Action) {
        let Some(source) = node.targets.as_ref().and_then(|t| node.args.get(t)) else { continue };
        let today = match source {
            PlanExpr::Ref { node: query, path } if path.is_empty() => today_of(query),
            _ => Today::Computed,
        };
        steps.push((node, today));
    }
    steps
}

/// How many resources have each value of `field` (a string field; absent counts as `""`).
pub fn count_by(resources: &[Value], field: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for resource in resources {
        *counts.entry(resource_field(resource, field).unwrap_or("").to_string()).or_insert(0) += 1;
    }
    counts
}

/// The answer to the agnostic `inventory.summary` for the resources a provider discovered: how many in all, and
/// per cloud, kind and region.
pub fn summary(resources: &[Value]) -> Value {
    let count = |field: &str| {
        let counts = count_by(resources, field).into_iter();
        Value::Record(counts.map(|(value, n)| (value, Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))).collect())
    };
    Value::Record(BTreeMap::from([
        ("total".to_string(), Value::Int(i64::try_from(resources.len()).unwrap_or(i64::MAX))),
        ("by_cloud".to_string(), count("cloud")),
        ("by_kind".to_string(), count("kind")),
        ("by_region".to_string(), count("region")),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_by_cloud_kind_and_region() {
        let resource = |kind: &str, region: &str| {
            Value::Record(BTreeMap::from([
                ("cloud".to_string(), Value::String("azure".into())),
                ("kind".to_string(), Value::String(kind.into())),
                ("region".to_string(), Value::String(region.into())),
            ]))
        };
        let summary = summary(&[resource("vm", "eastus"), resource("vm", "westus"), resource("disk", "eastus")]);
        let Value::Record(fields) = summary else { panic!("a record") };
        assert_eq!(fields.get("total"), Some(&Value::Int(3)));
        let Some(Value::Record(by_kind)) = fields.get("by_kind") else { panic!("by kind") };
        assert_eq!((by_kind.get("vm"), by_kind.get("disk")), (Some(&Value::Int(2)), Some(&Value::Int(1))));
        let Some(Value::Record(by_region)) = fields.get("by_region") else { panic!("by region") };
        assert_eq!(by_region.get("eastus"), Some(&Value::Int(2)));
    }

    #[test]
    fn an_inventory_is_written_whole_in_its_clouds_file() {
        let dir = tempfile::tempdir().expect("a state dir");
        let written = save(dir.path(), "azure", &serde_json::json!({"resources": []})).expect("saved");
        assert_eq!(written, dir.path().join("inventory").join("azure.json"));
        assert_eq!(std::fs::read_to_string(&written).expect("read"), "{\n  \"resources\": []\n}");
        assert!(!written.with_extension("json.partial").exists());
    }
}
