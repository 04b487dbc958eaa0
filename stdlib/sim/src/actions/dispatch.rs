//! The cloud-agnostic actions: each target goes to its own cloud's action (`compute.stop` on an Azure VM is
//! `azure.vm.deallocate`), so one batch may mix clouds.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;

use super::spec::ActionSpec;
use super::spec_named;

/// Each agnostic action and the AWS, Azure and GCP actions it dispatches to.
const ROUTES: &[(&str, [&str; 3])] = &[
    ("compute.start", ["aws.ec2.start", "azure.vm.start", "gcp.compute.start"]),
    ("compute.stop", ["aws.ec2.stop", "azure.vm.deallocate", "gcp.compute.stop"]),
    ("compute.restart", ["aws.ec2.reboot", "azure.vm.restart", "gcp.compute.reset"]),
    ("compute.tag", ["aws.ec2.tag", "azure.vm.tag", "gcp.compute.label"]),
    (
        "compute.create_snapshots",
        ["aws.ec2.create_snapshots", "azure.disk.create_snapshots", "gcp.compute.create_snapshots"],
    ),
    ("compute.delete_disks", ["aws.ec2.delete_volumes", "azure.disk.delete", "gcp.compute.delete_disks"]),
    (
        "compute.delete_snapshots",
        ["aws.ec2.delete_snapshots", "azure.disk.delete_snapshots", "gcp.compute.delete_snapshots"],
    ),
    ("database.start", ["aws.rds.start", "azure.sql.resume", "gcp.sql.start"]),
    ("database.stop", ["aws.rds.stop", "azure.sql.pause", "gcp.sql.stop"]),
    ("database.backup", ["aws.rds.create_snapshots", "azure.sql.backup", "gcp.sql.backup"]),
    (
        "storage.block_public_access",
        ["aws.s3.block_public_access", "azure.storage.set_private", "gcp.storage.remove_public_access"],
    ),
    (
        "storage.enable_encryption",
        ["aws.s3.enable_default_encryption", "azure.storage.enable_encryption", "gcp.storage.enable_encryption"],
    ),
    (
        "storage.enable_versioning",
        ["aws.s3.enable_versioning", "azure.storage.enable_versioning", "gcp.storage.enable_versioning"],
    ),
    (
        "security.close_ingress",
        ["aws.ec2.revoke_ingress", "azure.network.delete_rules", "gcp.compute.disable_firewall_rules"],
    ),
];

pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    ROUTES.iter().map(|(name, _)| *name)
}

/// The per-cloud actions an agnostic action dispatches to.
pub(crate) fn routes(name: &str) -> Option<Vec<&'static ActionSpec>> {
    let (_, targets) = ROUTES.iter().find(|(n, _)| *n == name)?;
    targets.iter().map(|t| spec_named(t)).collect()
}

/// The agnostic call's arguments as the per-cloud action reads them: GCP calls tags labels.
pub(crate) fn args_for(spec: &ActionSpec, args: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let mut mapped = args.clone();
    if let Some(tags) = args.get("tags").filter(|_| spec.name.starts_with("gcp.")) {
        mapped.insert("labels".into(), tags.clone());
    }
    mapped
}
