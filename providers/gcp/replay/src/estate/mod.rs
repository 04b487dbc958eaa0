//! The resources the fake serves, stored as Google's JSON and keyed by (API, resource path), and the builder tests
//! arrange them with.

mod bigquery;
mod compute;
mod functions;
mod sql;
mod standard;
mod storage;

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::api::Api;
use crate::ids;

pub(crate) use bigquery::{schema as billing_schema, table_row};
pub(crate) use compute::{COMPUTE_LINK, label_fingerprint, machine_type_link, snapshot as snapshot_json};
pub(crate) use functions::{v1_view, v1_visible};
pub(crate) use sql::backup_run;
pub(crate) use storage::{bucket_etag, policy_etag};

/// A project: its id and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub number: String,
}

/// The estate a [`crate::Replay`] starts with. Paths are the ones the APIs name resources by:
/// Compute `projects/P/zones/Z/instances/N`, `projects/P/zones/Z/disks/N`, `projects/P/regions/R/disks/N`,
/// `projects/P/global/snapshots/N`, `projects/P/global/firewalls/N`; Cloud SQL `projects/P/instances/N` (backup
/// runs `projects/P/instances/N/backupRuns/ID`); Cloud Functions `projects/P/locations/L/functions/N` (stored in
/// v2's `Function` form, v1 is a view of it); Storage `b/NAME` (its IAM policy at `b/NAME/iam`); BigQuery
/// `projects/P/billing`, an array of `{"service", "amount", "currency"}` rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Estate {
    pub(crate) projects: Vec<Project>,
    pub(crate) zones: Vec<String>,
    pub(crate) resources: BTreeMap<(Api, String), Json>,
}

impl Estate {
    /// No resources; projects `acme-dev` (111111111111) and `acme-prod` (222222222222); zones `us-central1-a`,
    /// `us-central1-b`, `europe-west1-b`.
    pub fn empty() -> Estate {
        Estate {
            projects: Vec::new(),
            zones: ["us-central1-a", "us-central1-b", "europe-west1-b"].map(String::from).to_vec(),
            resources: BTreeMap::new(),
        }
        .project("acme-dev", 111_111_111_111)
        .project("acme-prod", 222_222_222_222)
    }

    /// The standard estate: see the crate documentation for every resource in it.
    pub fn two_projects() -> Estate {
        standard::two_projects()
    }

    pub fn project(mut self, id: &str, number: u64) -> Estate {
        self.projects.retain(|p| p.id != id);
        self.projects.push(Project { id: id.to_string(), number: number.to_string() });
        self
    }

    /// Adds a zone aggregated lists report (its region comes with it).
    pub fn zone(mut self, zone: &str) -> Estate {
        if !self.zones.iter().any(|z| z == zone) {
            self.zones.push(zone.to_string());
        }
        self
    }

    /// Any resource, as Google's JSON.
    pub fn with(mut self, api: Api, path: &str, resource: Json) -> Estate {
        self.resources.insert((api, path.to_string()), resource);
        self
    }

    /// A Compute instance with its boot disk (same name, 10 GB, `users` naming the instance, deleted with it).
    /// `status`: `RUNNING`, `TERMINATED`, ...; `machine_type`: `e2-medium`.
    pub fn instance(
        self,
        project: &str,
        zone: &str,
        name: &str,
        machine_type: &str,
        status: &str,
        labels: &[(&str, &str)],
    ) -> Estate {
        let number = self.project_number(project);
        let instance = compute::instance(project, &number, zone, name, machine_type, status, labels);
        let disk = compute::boot_disk(project, zone, name);
        self.with(Api::Compute, &format!("projects/{project}/zones/{zone}/instances/{name}"), instance).with(
            Api::Compute,
            &format!("projects/{project}/zones/{zone}/disks/{name}"),
            disk,
        )
    }

    /// An unattached zonal disk.
    pub fn disk(self, project: &str, zone: &str, name: &str, size_gb: u64, labels: &[(&str, &str)]) -> Estate {
        let disk = compute::disk(project, zone, name, size_gb, labels);
        self.with(Api::Compute, &format!("projects/{project}/zones/{zone}/disks/{name}"), disk)
    }

    /// An unattached regional disk, replicated in the region's first two zones (`-a`, `-b`).
    pub fn regional_disk(
        self,
        project: &str,
        region: &str,
        name: &str,
        size_gb: u64,
        labels: &[(&str, &str)],
    ) -> Estate {
        let disk = compute::regional_disk(project, region, name, size_gb, labels);
        self.with(Api::Compute, &format!("projects/{project}/regions/{region}/disks/{name}"), disk)
    }

    /// A READY snapshot of the disk at `source_disk` (a path such as `projects/P/zones/Z/disks/N`).
    pub fn snapshot(self, project: &str, name: &str, source_disk: &str, labels: &[(&str, &str)]) -> Estate {
        let size = self
            .resources
            .get(&(Api::Compute, source_disk.to_string()))
            .and_then(|d| d.get("sizeGb"))
            .and_then(Json::as_str)
            .unwrap_or("10")
            .to_string();
        let snapshot = compute::snapshot(project, name, source_disk, &size, labels, "", 0);
        self.with(Api::Compute, &format!("projects/{project}/global/snapshots/{name}"), snapshot)
    }

    /// An INGRESS firewall rule on the `default` network. `allowed`: `[("tcp", &["22"])]`.
    pub fn firewall(
        self,
        project: &str,
        name: &str,
        source_ranges: &[&str],
        allowed: &[(&str, &[&str])],
        disabled: bool,
    ) -> Estate {
        let firewall = compute::firewall(project, name, source_ranges, allowed, disabled);
        self.with(Api::Compute, &format!("projects/{project}/global/firewalls/{name}"), firewall)
    }

    /// A Cloud SQL instance in `us-central1`. `running: false` is a stopped instance: `state` stays `RUNNABLE`
    /// and `settings.activationPolicy` is `NEVER` (the API has no STOPPED state; `gcloud` derives it).
    pub fn sql_instance(
        self,
        project: &str,
        name: &str,
        database_version: &str,
        tier: &str,
        running: bool,
        labels: &[(&str, &str)],
    ) -> Estate {
        let number = self.project_number(project);
        let instance = sql::instance(project, &number, name, database_version, tier, running, labels);
        self.with(Api::SqlAdmin, &format!("projects/{project}/instances/{name}"), instance)
    }

    /// A Cloud Function. `environment`: `GEN_1` or `GEN_2`; `runtime`: `python312`.
    #[allow(clippy::too_many_arguments)]
    pub fn function(
        self,
        project: &str,
        location: &str,
        name: &str,
        environment: &str,
        runtime: &str,
        max_instances: i64,
        labels: &[(&str, &str)],
    ) -> Estate {
        let number = self.project_number(project);
        let function =
            functions::function(project, &number, location, name, environment, runtime, max_instances, labels);
        self.with(Api::Functions, &format!("projects/{project}/locations/{location}/functions/{name}"), function)
    }

    /// A bucket with uniform bucket-level access and its IAM policy (project roles; with `public`, `allUsers` as
    /// `roles/storage.objectViewer`). Public access prevention is `inherited`.
    pub fn bucket(
        self,
        project: &str,
        name: &str,
        location: &str,
        public: bool,
        versioned: bool,
        labels: &[(&str, &str)],
    ) -> Estate {
        let number = self.project_number(project);
        let bucket = storage::bucket(&number, name, location, versioned, labels);
        let policy = storage::policy(project, name, public);
        self.with(Api::Storage, &format!("b/{name}"), bucket).with(Api::Storage, &format!("b/{name}/iam"), policy)
    }

    /// Sets a bucket's default Cloud KMS key (`encryption.defaultKmsKeyName`).
    pub fn with_kms_key(mut self, bucket: &str, key: &str) -> Estate {
        if let Some(stored) = self.get_mut(Api::Storage, &format!("b/{bucket}")) {
            stored["encryption"] = serde_json::json!({ "defaultKmsKeyName": key });
        }
        self
    }

    /// A row of the project's billing export, which `jobs.query` answers whatever the SQL.
    pub fn billing(mut self, project: &str, service: &str, amount: f64, currency: &str) -> Estate {
        let key = (Api::BigQuery, format!("projects/{project}/billing"));
        let rows = self.resources.entry(key).or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(rows) = rows {
            rows.push(bigquery::row(service, amount, currency));
        }
        self
    }

    /// The number of project `id`; a number derived from the id for a project never added.
    pub(crate) fn project_number(&self, id: &str) -> String {
        match self.projects.iter().find(|p| p.id == id || p.number == id) {
            Some(project) => project.number.clone(),
            None => ids::numeric_id(id)[..12].to_string(),
        }
    }

    pub(crate) fn get(&self, api: Api, path: &str) -> Option<&Json> {
        self.resources.get(&(api, path.to_string()))
    }

    pub(crate) fn get_mut(&mut self, api: Api, path: &str) -> Option<&mut Json> {
        self.resources.get_mut(&(api, path.to_string()))
    }

    pub(crate) fn insert(&mut self, api: Api, path: &str, resource: Json) {
        self.resources.insert((api, path.to_string()), resource);
    }

    pub(crate) fn remove(&mut self, api: Api, path: &str) -> Option<Json> {
        self.resources.remove(&(api, path.to_string()))
    }

    /// Every resource of `api` whose path matches `pattern`, where `*` stands for one segment, in path order.
    pub(crate) fn matching(&self, api: Api, pattern: &str) -> Vec<(String, Json)> {
        let wanted: Vec<&str> = pattern.split('/').collect();
        self.resources
            .iter()
            .filter(|((a, path), _)| {
                let segments: Vec<&str> = path.split('/').collect();
                *a == api
                    && segments.len() == wanted.len()
                    && segments.iter().zip(&wanted).all(|(s, w)| *w == "*" || s == w)
            })
            .map(|((_, path), resource)| (path.clone(), resource.clone()))
            .collect()
    }

    /// The regions of the estate's zones, in zone order.
    pub(crate) fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = Vec::new();
        for zone in &self.zones {
            let region = region_of(zone);
            if !regions.contains(&region) {
                regions.push(region);
            }
        }
        regions
    }
}

/// `us-central1` of `us-central1-a`.
pub(crate) fn region_of(zone: &str) -> String {
    zone.rsplit_once('-').map_or(zone, |(region, _)| region).to_string()
}

/// Google's label map of `labels`.
pub(crate) fn label_map(labels: &[(&str, &str)]) -> Json {
    Json::Object(labels.iter().map(|(k, v)| (k.to_string(), Json::String(v.to_string()))).collect())
}

/// The Discovery document version and schema a stored resource at `path` must satisfy.
pub(crate) fn schema_of(api: Api, path: &str) -> Option<(&'static str, &'static str)> {
    let segments: Vec<&str> = path.split('/').collect();
    let collection = segments.len().checked_sub(2).and_then(|i| segments.get(i)).copied().unwrap_or_default();
    match (api, collection, segments.len()) {
        (Api::Compute, "instances", _) => Some(("v1", "Instance")),
        (Api::Compute, "disks", _) => Some(("v1", "Disk")),
        (Api::Compute, "snapshots", _) => Some(("v1", "Snapshot")),
        (Api::Compute, "firewalls", _) => Some(("v1", "Firewall")),
        (Api::SqlAdmin, "instances", 4) => Some(("v1", "DatabaseInstance")),
        (Api::SqlAdmin, "backupRuns", 6) => Some(("v1", "BackupRun")),
        (Api::Functions, "functions", 6) => Some(("v2", "Function")),
        (Api::Storage, "b", 2) => Some(("v1", "Bucket")),
        (Api::Storage, _, 3) if path.ends_with("/iam") => Some(("v1", "Policy")),
        _ => None,
    }
}
