//! The filters the clouds apply to listings.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::record::{self, Record};

/// In one of the regions, or anywhere when none are given.
pub(crate) fn in_regions(resource: &Record, regions: &[String]) -> bool {
    regions.is_empty() || regions.iter().any(|r| r == record::field(resource, "region"))
}

/// The string field equals the wanted value, or no value is wanted.
pub(crate) fn is(resource: &Record, field: &str, wanted: Option<&str>) -> bool {
    wanted.is_none_or(|w| record::str_of(resource, field) == Some(w))
}

/// The bool field equals the wanted value, or no value is wanted.
pub(crate) fn flag(resource: &Record, field: &str, wanted: Option<bool>) -> bool {
    wanted.is_none_or(|w| record::bool_of(resource, field) == Some(w))
}

/// Created (per the datetime field) longer than `age` before `now`, or no age is given.
pub(crate) fn older_than(resource: &Record, field: &str, age: Option<Duration>, now: DateTime<Utc>) -> bool {
    let Some(age) = age else { return true };
    let Some(created) = record::str_of(resource, field).and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return false;
    };
    let age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
    now.checked_sub_signed(age).is_some_and(|cutoff| created.with_timezone(&Utc) < cutoff)
}

/// The rule opens one of the ports, or any port when none are given. ICMP opens no port.
pub(crate) fn opens_port(rule: &Record, ports: &[i64]) -> bool {
    if ports.is_empty() {
        return true;
    }
    if record::field(rule, "protocol") == "icmp" {
        return false;
    }
    let from = record::int_of(rule, "from_port").unwrap_or(0);
    let to = record::int_of(rule, "to_port").unwrap_or(65535);
    ports.iter().any(|p| (from..=to).contains(p))
}

/// The rule lets the whole internet in: each cloud writes "anywhere" its own way.
pub(crate) fn open_to_internet(rule: &Record) -> bool {
    let source = record::field(rule, "source");
    match record::kinds_cloud(rule) {
        "azure" => matches!(source, "*" | "Internet" | "0.0.0.0/0" | "Any"),
        // GCP rules list their source ranges, comma separated.
        "gcp" => source.split(',').any(|s| matches!(s.trim(), "0.0.0.0/0" | "::/0")),
        _ => matches!(source, "0.0.0.0/0" | "::/0"),
    }
}

/// The state as the cloud-agnostic interfaces compare it: a cloud's own word for "stopped" or "running"
/// counts as that word, so `compute.instances(state = "stopped")` (routed as `azure.vm.list(state = "stopped")`
/// and `gcp.compute.instances(status = "stopped")`) finds deallocated Azure VMs and terminated (stopped) Compute
/// Engine instances, and `database.instances(state = "stopped")` paused Azure SQL databases.
fn common_state(resource: &Record) -> &str {
    let state = record::field(resource, "state");
    match (record::kind(resource), state) {
        ("azure.vm.VirtualMachine", "deallocated") => "stopped",
        ("gcp.compute.Instance", "terminated") => "stopped",
        ("azure.sql.Database", "paused") => "stopped",
        ("azure.sql.Database", "online") => "available",
        ("gcp.sql.Instance", "runnable") => "available",
        _ => state,
    }
}

/// The state filter of the listings that implement an agnostic one: the cloud's own word, or the common word it
/// counts as.
pub(crate) fn in_state(resource: &Record, wanted: Option<&str>) -> bool {
    wanted.is_none_or(|w| record::field(resource, "state") == w || common_state(resource) == w)
}
