//! Google Cloud resources. Compute Engine ids are numbers; other ids are names or paths.

use escher_compiler::plan::Value;

use super::draft::{DEFAULT_TIME, Draft};
use super::prices;
use crate::record::strings;

/// The region of a zone (`us-central1-a` is in `us-central1`).
pub fn region_of_zone(zone: &str) -> &str {
    zone.rsplit_once('-').map_or(zone, |(region, _)| region)
}

/// A running instance.
pub fn gce_instance(project: &str, zone: &str, id: &str, name: &str, machine_type: &str) -> Draft {
    Draft::new("gcp.compute.Instance", id, name, project, region_of_zone(zone))
        .state("running")
        .text("project", project)
        .text("zone", zone)
        .text("machine_type", machine_type)
        .flag("preemptible", false)
        .text("created", DEFAULT_TIME)
        .cost(prices::monthly(machine_type))
}

/// An unused balanced persistent disk.
pub fn gce_disk(project: &str, zone: &str, id: &str, name: &str, size_gb: i64) -> Draft {
    Draft::new("gcp.compute.Disk", id, name, project, region_of_zone(zone))
        .state("ready")
        .int("size_gb", size_gb)
        .flag("attached", false)
        .flag("encrypted", true)
        .text("project", project)
        .text("zone", zone)
        .text("disk_type", "pd-balanced")
        .set("users", strings(&[]))
        .flag("customer_managed_key", false)
        .text("created", DEFAULT_TIME)
        .cost(prices::disk_monthly("pd-balanced", size_gb))
}

/// A persistent disk used by an instance (named by its instance name); a boot disk goes with the instance.
pub fn gce_disk_on(project: &str, zone: &str, id: &str, name: &str, size_gb: i64, instance: &str, boot: bool) -> Draft {
    gce_disk(project, zone, id, name, size_gb)
        .flag("attached", true)
        .set("users", strings(&[instance]))
        .flag("delete_with_instance", boot)
}

/// A ready snapshot of a disk (named by its disk name), stored in `location`.
pub fn gce_snapshot(project: &str, location: &str, id: &str, name: &str, source_disk: &str, size_gb: i64) -> Draft {
    Draft::new("gcp.compute.Snapshot", id, name, project, location)
        .state("ready")
        .text("status", "ready")
        .int("size_gb", size_gb)
        .flag("encrypted", true)
        .text("created", DEFAULT_TIME)
        .text("project", project)
        .text("source_disk", source_disk)
        .cost(prices::snapshot_monthly(size_gb))
}

/// An enabled VPC firewall rule allowing ingress from the comma-separated source ranges.
pub fn firewall_rule(project: &str, id: &str, name: &str, rule: (&str, i64, i64), source: &str) -> Draft {
    let (protocol, from_port, to_port) = rule;
    Draft::new("gcp.compute.FirewallRule", id, name, project, "global")
        .state("enabled")
        .text("protocol", protocol)
        .int("from_port", from_port)
        .int("to_port", to_port)
        .text("source", source)
        .text("project", project)
        .text("network", "default")
        .flag("disabled", false)
}

/// An active 2nd generation function.
pub fn cloud_function(project: &str, region: &str, name: &str, runtime: &str) -> Draft {
    let id = format!("projects/{project}/locations/{region}/functions/{name}");
    Draft::new("gcp.functions.Function", &id, name, project, region)
        .state("active")
        .text("runtime", runtime)
        .text("project", project)
        .text("generation", "gen2")
        .set("max_instances", Value::Null)
        .text("updated", DEFAULT_TIME)
        .cost(6.5)
}

/// A runnable zonal Cloud SQL instance with a public IP.
pub fn cloud_sql(project: &str, region: &str, name: &str, database_version: &str, tier: &str) -> Draft {
    let engine = database_version.split('_').next().unwrap_or("").to_ascii_lowercase();
    Draft::new("gcp.sql.Instance", &format!("{project}:{name}"), name, project, region)
        .state("runnable")
        .text("engine", &engine)
        .text("project", project)
        .text("database_version", database_version)
        .text("tier", tier)
        .flag("high_availability", false)
        .flag("public_ip", true)
        .text("created", DEFAULT_TIME)
        .cost(prices::monthly(tier))
}

/// A private Standard bucket with public access prevention enforced.
pub fn gcs_bucket(project: &str, location: &str, name: &str) -> Draft {
    Draft::new("gcp.storage.Bucket", name, name, project, location)
        .state("available")
        .flag("public", false)
        .flag("encrypted", true)
        .flag("versioning", false)
        .text("project", project)
        .text("storage_class", "STANDARD")
        .flag("public_access_prevention", true)
        .flag("customer_managed_key", false)
        .text("created", DEFAULT_TIME)
        .cost(20.0)
}

/// A successful on-demand backup of a Cloud SQL instance.
pub fn cloud_sql_backup(project: &str, region: &str, id: &str, instance: &str, description: &str) -> Draft {
    Draft::new("gcp.sql.Backup", id, id, project, region)
        .state("successful")
        .text("project", project)
        .text("instance", instance)
        .text("description", description)
        .text("created", DEFAULT_TIME)
        .cost(2.0)
}
