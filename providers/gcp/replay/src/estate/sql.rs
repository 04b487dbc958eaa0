//! Cloud SQL instances as the Admin API prints them.

use serde_json::{Value as Json, json};

use super::label_map;
use crate::ids;

/// The prefix of Cloud SQL's `selfLink`s, Google's host as the API prints it.
pub(crate) const SQL_LINK: &str = "https://sqladmin.googleapis.com/v1/";

pub(crate) fn instance(
    project: &str,
    project_number: &str,
    name: &str,
    database_version: &str,
    tier: &str,
    running: bool,
    labels: &[(&str, &str)],
) -> Json {
    let path = format!("projects/{project}/instances/{name}");
    let mut settings = json!({
        "kind": "sql#settings",
        "settingsVersion": "1",
        "tier": tier,
        "activationPolicy": if running { "ALWAYS" } else { "NEVER" },
        "availabilityType": "ZONAL",
        "pricingPlan": "PER_USE",
        "dataDiskSizeGb": "10",
        "dataDiskType": "PD_SSD",
        "storageAutoResize": true,
        "edition": "ENTERPRISE",
        "ipConfiguration": {"ipv4Enabled": true, "sslMode": "ENCRYPTED_ONLY"},
        "backupConfiguration": {"kind": "sql#backupConfiguration", "enabled": true, "startTime": "03:00"},
        "locationPreference": {"kind": "sql#locationPreference", "zone": "us-central1-a"},
    });
    if !labels.is_empty() {
        settings["userLabels"] = label_map(labels);
    }
    json!({
        "kind": "sql#instance",
        "name": name,
        "project": project,
        "state": "RUNNABLE",
        "databaseVersion": database_version,
        "settings": settings,
        "etag": ids::fingerprint(&format!("{path}/1")),
        "region": "us-central1",
        "gceZone": "us-central1-a",
        "backendType": "SECOND_GEN",
        "instanceType": "CLOUD_SQL_INSTANCE",
        "connectionName": format!("{project}:us-central1:{name}"),
        "ipAddresses": [{"type": "PRIMARY", "ipAddress": format!("34.56.{}.{}", project.len(), name.len())}],
        "serviceAccountEmailAddress": format!("p{project_number}-abcdef@gcp-sa-cloud-sql.iam.gserviceaccount.com"),
        "selfLink": format!("{SQL_LINK}{path}"),
        "createTime": "2026-01-05T17:00:00.000Z",
    })
}

/// A finished on-demand backup run.
pub(crate) fn backup_run(project: &str, instance: &str, id: &str, description: &str, at: &str) -> Json {
    let mut run = json!({
        "kind": "sql#backupRun",
        "id": id,
        "instance": instance,
        "status": "SUCCESSFUL",
        "type": "ON_DEMAND",
        "backupKind": "SNAPSHOT",
        "enqueuedTime": at,
        "startTime": at,
        "endTime": at,
        "windowStartTime": at,
        "location": "us",
        "selfLink": format!("{SQL_LINK}projects/{project}/instances/{instance}/backupRuns/{id}"),
    });
    if !description.is_empty() {
        run["description"] = json!(description);
    }
    run
}
