//! Google's rate limits, as token buckets. Compute Engine's are per project, whatever the zone or region, in four
//! categories of 1,500 requests a minute each (reads, lists, operation reads, mutations: "Compute Engine API rate
//! limits", cloud.google.com/compute/api-quotas). Cloud Functions allows 5,000 API reads and 80 writes per 100
//! seconds per project ("Cloud Functions quotas"). Cloud Storage allows about one metadata update a second per
//! bucket ("Cloud Storage quotas & limits"). Cloud SQL Admin and BigQuery's job API publish no per-project figure
//! Escher can rely on, so their buckets are conservative guesses, said so.
//!
//! Each bucket holds `capacity + window × per_second` at or under its quota over the quota's window, so a burst
//! followed by the steady rate never goes over. The runtime paces each call by its declared rate class
//! ([`runtime_class`]); the provider paces every request it sends itself as well ([`Category`]), because one call
//! may read many pages, re-read its targets and poll operations.

use escher_runtime::provider::Bucket;

/// A kind of request, as Google's quotas count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    ComputeRead,
    ComputeList,
    ComputeOperation,
    ComputeMutation,
    SqlRead,
    SqlWrite,
    FunctionsRead,
    FunctionsWrite,
    StorageRead,
    /// Keyed by bucket, not project: the limit is per bucket.
    StorageUpdate,
    BigQuery,
}

/// A published quota: `requests` per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    pub requests: f64,
    pub window_secs: f64,
    /// Where the figure comes from, or why there is none.
    pub source: &'static str,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Category::ComputeRead,
        Category::ComputeList,
        Category::ComputeOperation,
        Category::ComputeMutation,
        Category::SqlRead,
        Category::SqlWrite,
        Category::FunctionsRead,
        Category::FunctionsWrite,
        Category::StorageRead,
        Category::StorageUpdate,
        Category::BigQuery,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::ComputeRead => "compute.read",
            Category::ComputeList => "compute.list",
            Category::ComputeOperation => "compute.operation",
            Category::ComputeMutation => "compute.mutation",
            Category::SqlRead => "sqladmin.read",
            Category::SqlWrite => "sqladmin.write",
            Category::FunctionsRead => "cloudfunctions.read",
            Category::FunctionsWrite => "cloudfunctions.write",
            Category::StorageRead => "storage.read",
            Category::StorageUpdate => "storage.update",
            Category::BigQuery => "bigquery.jobs",
        }
    }

    pub fn bucket(self) -> Bucket {
        match self {
            Category::ComputeRead | Category::ComputeList | Category::ComputeOperation | Category::ComputeMutation => {
                Bucket { capacity: 300, per_second: 20.0 }
            }
            Category::SqlRead => Bucket { capacity: 20, per_second: 2.0 },
            Category::SqlWrite => Bucket { capacity: 5, per_second: 0.5 },
            Category::FunctionsRead => Bucket { capacity: 1_000, per_second: 40.0 },
            Category::FunctionsWrite => Bucket { capacity: 20, per_second: 0.6 },
            Category::StorageRead => Bucket { capacity: 30, per_second: 2.5 },
            Category::StorageUpdate => Bucket { capacity: 1, per_second: 0.9 },
            Category::BigQuery => Bucket { capacity: 5, per_second: 0.5 },
        }
    }

    pub fn quota(self) -> Quota {
        let compute = "Compute Engine API rate limits: 1,500 per minute per project for each category";
        match self {
            Category::ComputeRead | Category::ComputeList | Category::ComputeOperation | Category::ComputeMutation => {
                Quota { requests: 1_500.0, window_secs: 60.0, source: compute }
            }
            Category::FunctionsRead => {
                Quota { requests: 5_000.0, window_secs: 100.0, source: "Cloud Functions quotas: API reads" }
            }
            Category::FunctionsWrite => {
                Quota { requests: 80.0, window_secs: 100.0, source: "Cloud Functions quotas: API writes" }
            }
            Category::StorageUpdate => Quota {
                requests: 10.0,
                window_secs: 10.0,
                source: "Cloud Storage: about one metadata update per second per bucket",
            },
            Category::SqlRead | Category::SqlWrite | Category::StorageRead | Category::BigQuery => {
                Quota { requests: 180.0, window_secs: 60.0, source: "none published per project: a conservative guess" }
            }
        }
    }
}

/// The bucket of a rate class of the stdlib's GCP declarations, for the runtime's pacing of calls.
pub fn runtime_class(rate_class: &str) -> Option<Bucket> {
    let category = match rate_class {
        "gce.read" => Category::ComputeList,
        "gce.write" => Category::ComputeMutation,
        "sqladmin.read" => Category::SqlRead,
        "sqladmin.write" => Category::SqlWrite,
        "cloudfunctions.read" => Category::FunctionsRead,
        "cloudfunctions.write" => Category::FunctionsWrite,
        "gcs.read" => Category::StorageRead,
        "gcs.write" => Category::StorageUpdate,
        "bigquery.read" => Category::BigQuery,
        _ => return None,
    };
    Some(category.bucket())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_then_its_refill_stays_within_each_quota() {
        for category in Category::ALL {
            let (bucket, quota) = (category.bucket(), category.quota());
            let most = f64::from(bucket.capacity) + quota.window_secs * bucket.per_second;
            assert!(
                most <= quota.requests,
                "{}: {most} over {} per {} s",
                category.name(),
                quota.requests,
                quota.window_secs
            );
            assert!(bucket.capacity >= 1 && bucket.per_second > 0.0, "{} can send", category.name());
        }
    }

    #[test]
    fn every_gcp_rate_class_of_the_stdlib_has_a_bucket() {
        let catalog = escher_compiler::stdlib::catalog();
        let mut classes: Vec<&str> = catalog
            .callables
            .values()
            .filter(|callable| callable.cloud == escher_compiler::stdlib::Cloud::Gcp)
            .map(|callable| callable.rate_class.as_str())
            .collect();
        classes.sort_unstable();
        classes.dedup();
        assert!(!classes.is_empty());
        for class in classes {
            assert!(runtime_class(class).is_some(), "`{class}` has no bucket");
        }
    }
}
