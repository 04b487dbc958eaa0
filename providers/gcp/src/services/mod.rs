//! One module per Google API: `compute` (Compute Engine), `sql` (Cloud SQL Admin), `functions` (Cloud
//! Functions v2, and v1 for 1st-gen changes), `storage` (Cloud Storage JSON API), `billing` (the Cloud Billing
//! export, read with BigQuery).

pub(crate) mod billing;
pub(crate) mod compute;
pub(crate) mod functions;
pub(crate) mod sql;
pub(crate) mod storage;

/// `gcp.compute.stop` is served by `compute`; a resource kind (`gcp.sql.Instance`) names its service the same
/// way.
pub(crate) fn service_of(name: &str) -> Option<&str> {
    name.strip_prefix("gcp.")?.split('.').next()
}
