//! The demo estate: Acme's three AWS accounts, two Azure subscriptions and four GCP projects, a few hundred
//! resources of every kind, laid out so that each example playbook finds something to do (running dev VMs
//! where `nightly_shutdown` looks, stopped `office-hours` machines for `weekend_startup`, unattached volumes and
//! old snapshots for `waste_cleanup`, public buckets, open admin ports, unencrypted buckets and disks, untagged
//! machines, production databases and the Route 53 failover pair) while every step stays within its
//! `max_targets`. `examples/estate/demo.json` is this estate written out.

mod aws;
mod azure;
mod gcp;

use chrono::{DateTime, Duration, Utc};

use crate::build::Draft;
use crate::estate::{Account, Estate, timestamp};

/// The demo's clock: a Monday, 8 pm in London.
pub(crate) const NOW: &str = "2025-06-02T19:00:00Z";

pub(crate) const AWS_PROD: &str = "402918375566";
pub(crate) const AWS_STAGING: &str = "518273649012";
pub(crate) const AWS_DEV: &str = "693027418835";
pub(crate) const AZURE_PROD: &str = "8f3c2a1e-5b7d-4e9a-9c61-2d4f8a0b7e13";
pub(crate) const AZURE_DEV: &str = "c2a9e4d7-1f38-4b6e-a5d0-93e7b1c4f826";

pub(crate) fn estate() -> Estate {
    let now = DateTime::parse_from_rfc3339(NOW).map(|t| t.with_timezone(&Utc)).unwrap_or_default();
    let mut demo = Demo { estate: Estate::new(now), now, serial: 0 };
    for (cloud, id, name) in [
        ("aws", AWS_PROD, "acme-prod"),
        ("aws", AWS_STAGING, "acme-staging"),
        ("aws", AWS_DEV, "acme-dev"),
        ("azure", AZURE_PROD, "acme-production"),
        ("azure", AZURE_DEV, "acme-development"),
        ("gcp", "acme-prod", "Acme Production"),
        ("gcp", "acme-dev", "Acme Development"),
        ("gcp", "acme-web", "Acme Website"),
        ("gcp", "acme-data", "Acme Data Platform"),
    ] {
        demo.estate.add_account(Account::new(cloud, id, name));
    }
    aws::add(&mut demo);
    azure::add(&mut demo);
    gcp::add(&mut demo);
    demo.estate
}

pub(crate) struct Demo {
    estate: Estate,
    now: DateTime<Utc>,
    serial: u64,
}

impl Demo {
    /// A number for the next id.
    fn next(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// A time `days` before the demo's clock.
    fn ago(&self, days: i64) -> String {
        timestamp(self.now - Duration::days(days))
    }

    fn add(&mut self, draft: Draft) -> String {
        let id = draft.id().to_string();
        let inserted = self.estate.insert(draft.record());
        // The demo is fixed; a test loads its JSON, so a mistake here fails that test rather than a run.
        debug_assert!(inserted.is_ok(), "invalid demo resource {id}: {inserted:?}");
        id
    }
}

/// The tags every team's resources carry: `env`, `owner` and the team's `cost-center`.
fn owned(env: &'static str, team: &'static str) -> Vec<(&'static str, &'static str)> {
    let cost_center = match team {
        "payments" => "cc-2040",
        "data" => "cc-3300",
        "web" => "cc-4100",
        "qa" => "cc-1500",
        _ => "cc-1001",
    };
    vec![("env", env), ("owner", team), ("cost-center", cost_center)]
}

/// Tags with extra pairs.
fn with(
    mut tags: Vec<(&'static str, &'static str)>,
    extra: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    tags.extend_from_slice(extra);
    tags
}
