//! What every provider's discovery shares: the file it is kept in (`inventory/CLOUD.json` in the state directory,
//! written whole or not at all), counts by a field, and the agnostic `inventory.summary` of it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use escher_compiler::plan::Value;

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
