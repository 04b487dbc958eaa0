//! Compute Engine resources as the API prints them.

use serde_json::{Value as Json, json};

use super::{label_map, region_of};
use crate::ids;

/// The prefix of Compute's `selfLink`s and resource URLs. The fake keeps Google's host in them, as the API does:
/// a client must build request URLs from its configured endpoint, not follow links.
pub(crate) const COMPUTE_LINK: &str = "https://www.googleapis.com/compute/v1/";

/// Resources in the standard estate were made before the replay's clock starts.
const CREATED: &str = "2026-01-05T09:00:00.000-08:00";

pub(crate) fn zone_link(project: &str, zone: &str) -> String {
    format!("{COMPUTE_LINK}projects/{project}/zones/{zone}")
}

pub(crate) fn machine_type_link(project: &str, zone: &str, machine_type: &str) -> String {
    format!("{}/machineTypes/{machine_type}", zone_link(project, zone))
}

pub(crate) fn disk_type_link(project: &str, scope: &str, disk_type: &str) -> String {
    format!("{COMPUTE_LINK}projects/{project}/{scope}/diskTypes/{disk_type}")
}

/// The `labelFingerprint` of a label map: a hash of its sorted pairs, so equal labels have equal fingerprints.
pub(crate) fn label_fingerprint(labels: &Json) -> String {
    let mut pairs: Vec<String> = labels
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    ids::fingerprint(&format!("labels:{}", pairs.join(",")))
}

fn labels_and_fingerprint(resource: &mut Json, labels: &[(&str, &str)]) {
    let map = label_map(labels);
    resource["labelFingerprint"] = json!(label_fingerprint(&map));
    if !labels.is_empty() {
        resource["labels"] = map;
    }
}

pub(crate) fn instance(
    project: &str,
    project_number: &str,
    zone: &str,
    name: &str,
    machine_type: &str,
    status: &str,
    labels: &[(&str, &str)],
) -> Json {
    let path = format!("projects/{project}/zones/{zone}/instances/{name}");
    let region = region_of(zone);
    let mut instance = json!({
        "kind": "compute#instance",
        "id": ids::numeric_id(&path),
        "creationTimestamp": CREATED,
        "name": name,
        "tags": {"fingerprint": ids::fingerprint("tags")},
        "machineType": machine_type_link(project, zone, machine_type),
        "status": status,
        "zone": zone_link(project, zone),
        "canIpForward": false,
        "networkInterfaces": [{
            "kind": "compute#networkInterface",
            "network": format!("{COMPUTE_LINK}projects/{project}/global/networks/default"),
            "subnetwork": format!("{COMPUTE_LINK}projects/{project}/regions/{region}/subnetworks/default"),
            "networkIP": format!("10.128.0.{}", 2 + ids::numeric_id(name).as_bytes()[18] % 200),
            "name": "nic0",
            "fingerprint": ids::fingerprint(&format!("{path}/nic0")),
            "stackType": "IPV4_ONLY",
        }],
        "disks": [{
            "kind": "compute#attachedDisk",
            "type": "PERSISTENT",
            "mode": "READ_WRITE",
            "source": format!("{}/disks/{name}", zone_link(project, zone)),
            "deviceName": "persistent-disk-0",
            "index": 0,
            "boot": true,
            "autoDelete": true,
            "interface": "SCSI",
            "diskSizeGb": "10",
        }],
        "metadata": {"kind": "compute#metadata", "fingerprint": ids::fingerprint(&format!("{path}/metadata"))},
        "serviceAccounts": [{
            "email": format!("{project_number}-compute@developer.gserviceaccount.com"),
            "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
        }],
        "selfLink": format!("{COMPUTE_LINK}{path}"),
        "scheduling": {
            "onHostMaintenance": "MIGRATE",
            "automaticRestart": true,
            "preemptible": false,
            "provisioningModel": "STANDARD",
        },
        "cpuPlatform": "Intel Broadwell",
        "startRestricted": false,
        "deletionProtection": false,
        "fingerprint": ids::fingerprint(&path),
        "lastStartTimestamp": CREATED,
    });
    if status == "TERMINATED" {
        instance["lastStopTimestamp"] = json!("2026-02-01T18:00:00.000-08:00");
    }
    labels_and_fingerprint(&mut instance, labels);
    instance
}

fn disk_common(project: &str, scope: &str, name: &str, size_gb: u64, labels: &[(&str, &str)]) -> Json {
    let path = format!("projects/{project}/{scope}/disks/{name}");
    let mut disk = json!({
        "kind": "compute#disk",
        "id": ids::numeric_id(&path),
        "creationTimestamp": CREATED,
        "name": name,
        "sizeGb": size_gb.to_string(),
        "status": "READY",
        "selfLink": format!("{COMPUTE_LINK}{path}"),
        "type": disk_type_link(project, scope, "pd-balanced"),
        "physicalBlockSizeBytes": "4096",
        "architecture": "X86_64",
    });
    labels_and_fingerprint(&mut disk, labels);
    disk
}

pub(crate) fn disk(project: &str, zone: &str, name: &str, size_gb: u64, labels: &[(&str, &str)]) -> Json {
    let mut disk = disk_common(project, &format!("zones/{zone}"), name, size_gb, labels);
    disk["zone"] = json!(zone_link(project, zone));
    disk
}

pub(crate) fn boot_disk(project: &str, zone: &str, instance: &str) -> Json {
    let mut disk = disk(project, zone, instance, 10, &[]);
    disk["sourceImage"] =
        json!(format!("{COMPUTE_LINK}projects/debian-cloud/global/images/debian-12-bookworm-v20260110"));
    disk["users"] = json!([format!("{}/instances/{instance}", zone_link(project, zone))]);
    disk["lastAttachTimestamp"] = json!(CREATED);
    disk
}

pub(crate) fn regional_disk(project: &str, region: &str, name: &str, size_gb: u64, labels: &[(&str, &str)]) -> Json {
    let mut disk = disk_common(project, &format!("regions/{region}"), name, size_gb, labels);
    disk["region"] = json!(format!("{COMPUTE_LINK}projects/{project}/regions/{region}"));
    disk["replicaZones"] =
        json!([zone_link(project, &format!("{region}-a")), zone_link(project, &format!("{region}-b"))]);
    disk
}

/// A READY snapshot of the disk at `source_disk` (a path), made `created` seconds into the replay's clock (0: with
/// the rest of the estate).
pub(crate) fn snapshot(
    project: &str,
    name: &str,
    source_disk: &str,
    size_gb: &str,
    labels: &[(&str, &str)],
    description: &str,
    created: u64,
) -> Json {
    let path = format!("projects/{project}/global/snapshots/{name}");
    let location = if source_disk.contains("europe-") { "eu" } else { "us" };
    let mut snapshot = json!({
        "kind": "compute#snapshot",
        "id": ids::numeric_id(&path),
        "creationTimestamp": if created == 0 { CREATED.to_string() } else { ids::timestamp(created) },
        "name": name,
        "status": "READY",
        "sourceDisk": format!("{COMPUTE_LINK}{source_disk}"),
        "sourceDiskId": ids::numeric_id(source_disk),
        "diskSizeGb": size_gb,
        "storageBytes": "1073741824",
        "storageBytesStatus": "UP_TO_DATE",
        "storageLocations": [location],
        "selfLink": format!("{COMPUTE_LINK}{path}"),
        "snapshotType": "STANDARD",
        "architecture": "X86_64",
    });
    if !description.is_empty() {
        snapshot["description"] = json!(description);
    }
    labels_and_fingerprint(&mut snapshot, labels);
    snapshot
}

pub(crate) fn firewall(
    project: &str,
    name: &str,
    source_ranges: &[&str],
    allowed: &[(&str, &[&str])],
    disabled: bool,
) -> Json {
    let path = format!("projects/{project}/global/firewalls/{name}");
    let allowed: Vec<Json> = allowed
        .iter()
        .map(|(protocol, ports)| {
            if ports.is_empty() {
                json!({"IPProtocol": protocol})
            } else {
                json!({"IPProtocol": protocol, "ports": ports})
            }
        })
        .collect();
    json!({
        "kind": "compute#firewall",
        "id": ids::numeric_id(&path),
        "creationTimestamp": CREATED,
        "name": name,
        "network": format!("{COMPUTE_LINK}projects/{project}/global/networks/default"),
        "priority": 1000,
        "sourceRanges": source_ranges,
        "allowed": allowed,
        "direction": "INGRESS",
        "logConfig": {"enable": false},
        "disabled": disabled,
        "selfLink": format!("{COMPUTE_LINK}{path}"),
    })
}
