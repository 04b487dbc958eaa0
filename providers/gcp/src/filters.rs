//! Which records a GCP query keeps, judged on the record alone: the same rule for a live query (after its
//! listing) and for counting a saved inventory (`escher plan`'s "what each step's query matches today").

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;
use escher_runtime::provider::args::Args;

use crate::record::{field, flag, has_tags};

/// The kind each query lists.
pub(crate) fn kind_of(query: &str) -> Option<&'static str> {
    Some(match query {
        "gcp.compute.instances" => crate::services::compute::INSTANCE,
        "gcp.compute.disks" => crate::services::compute::DISK,
        "gcp.compute.snapshots" => crate::services::compute::SNAPSHOT,
        "gcp.compute.open_firewall_rules" => crate::services::compute::FIREWALL,
        "gcp.sql.instances" => crate::services::sql::INSTANCE,
        "gcp.functions.list" => crate::services::functions::FUNCTION,
        "gcp.storage.buckets" => crate::services::storage::BUCKET,
        _ => return None,
    })
}

/// Whether `query` with `args` keeps `record`; `None` when an argument cannot be judged on the record (a
/// firewall query's `ports`, whose ranges the record sums up) or is not the query's.
pub(crate) fn keeps(query: &str, args: &BTreeMap<String, Value>, record: &Value) -> Option<bool> {
    let read = Args(args);
    let mut keep = true;
    for (name, value) in args {
        if matches!(value, Value::Null) {
            continue;
        }
        keep &= match (query, name.as_str()) {
            (_, "project") => field(record, "project") == read.str("project").ok()?,
            (_, "labels") => has_tags(record, &read.tags("labels").ok()?),
            ("gcp.compute.instances" | "gcp.compute.disks", "zone") => {
                field(record, "zone") == read.str("zone").ok()?
            }
            ("gcp.functions.list", "region") => field(record, "region") == read.str("region").ok()?,
            ("gcp.compute.instances", "status") => in_status(field(record, "state"), read.str("status").ok()?),
            ("gcp.sql.instances", "state") => field(record, "state").eq_ignore_ascii_case(read.str("state").ok()?),
            ("gcp.compute.disks", "attached" | "encrypted") | ("gcp.storage.buckets", "public" | "encrypted") => {
                flag(record, name) == read.opt_bool(name).ok()?
            }
            ("gcp.compute.snapshots", "older_than") => {
                let age = read.opt_duration("older_than").ok()??;
                let cutoff = chrono::Utc::now().timestamp() - i64::try_from(age.as_secs()).ok()?;
                chrono::DateTime::parse_from_rfc3339(field(record, "created")).map_or(0, |t| t.timestamp()) < cutoff
            }
            ("gcp.compute.open_firewall_rules", "ports") if read.ints("ports").ok()?.is_empty() => true,
            _ => return None,
        };
    }
    Some(keep && kind_of(query).is_some_and(|kind| field(record, "kind") == kind))
}

/// [`keeps`] for a live query, whose arguments are all judged on the record.
pub(crate) fn keep(query: &str, args: &BTreeMap<String, Value>, record: &Value) -> Result<bool, ProviderError> {
    keeps(query, args, record)
        .ok_or_else(|| ProviderError::Invalid(format!("`{query}` was given an argument it does not filter on")))
}

/// `stopped` also finds terminated (stopped) instances, as the declaration says.
fn in_status(state: &str, wanted: &str) -> bool {
    let wanted = wanted.to_ascii_lowercase();
    state == wanted || (wanted == "stopped" && state == "terminated")
}

#[cfg(test)]
mod tests {
    use escher_runtime::provider::record::Record;

    use super::*;

    fn instance(state: &str, zone: &str) -> Value {
        Record::new(crate::services::compute::INSTANCE, "1", "web-1", "gcp", "us-central1")
            .str("project", "acme-dev")
            .str("state", state)
            .str("zone", zone)
            .map("tags", [("env", "dev")])
            .build()
    }

    fn args(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn each_argument_is_judged_on_the_record() {
        let text = |t: &str| Value::String(t.into());
        let labels = Value::Record(BTreeMap::from([("env".to_string(), text("dev"))]));
        let query = "gcp.compute.instances";
        let wanted = args(&[("labels", labels), ("status", text("stopped")), ("zone", text("us-central1-a"))]);
        assert_eq!(keeps(query, &wanted, &instance("terminated", "us-central1-a")), Some(true));
        assert_eq!(keeps(query, &wanted, &instance("running", "us-central1-a")), Some(false));
        assert_eq!(keeps(query, &wanted, &instance("terminated", "us-central1-b")), Some(false));
        assert_eq!(keeps(query, &args(&[("project", text("acme-prod"))]), &instance("running", "z")), Some(false));
        assert_eq!(
            keeps("gcp.compute.disks", &BTreeMap::new(), &instance("running", "z")),
            Some(false),
            "another kind"
        );
    }

    #[test]
    fn every_argument_an_agnostic_query_passes_is_one_the_gcp_query_takes() {
        let catalog = escher_compiler::stdlib::catalog();
        for callable in catalog.callables.values().filter(|c| kind_of(&c.name).is_some()) {
            for implements in &callable.implements {
                let agnostic = &catalog.callables[&implements.agnostic];
                let passed: BTreeMap<String, Value> =
                    agnostic.params.iter().map(|p| (p.name.clone(), Value::Null)).collect();
                for name in implements.args(&passed).keys() {
                    assert!(callable.param(name).is_some(), "{} passes `{name}` to {}", agnostic.name, callable.name);
                }
            }
        }
    }

    #[test]
    fn what_the_record_cannot_tell_is_not_guessed() {
        let ports = args(&[("ports", Value::List(vec![Value::Int(22)]))]);
        assert_eq!(keeps("gcp.compute.open_firewall_rules", &ports, &instance("running", "z")), None);
        assert_eq!(
            keeps("gcp.compute.instances", &args(&[("colour", Value::Bool(true))]), &instance("running", "z")),
            None
        );
    }
}
