//! The standard estate: two projects with a little of everything, so a test can show a filter keeping some and
//! leaving others. The crate documentation lists every resource.

use super::Estate;

const DEV: &str = "acme-dev";
const PROD: &str = "acme-prod";

pub(super) fn two_projects() -> Estate {
    let dev = [("env", "dev")];
    let prod = [("env", "prod")];
    Estate::empty()
        // Compute, acme-dev: three running `env=dev` over two zones, one stopped, one without the label.
        .instance(DEV, "us-central1-a", "web-1", "e2-standard-2", "RUNNING", &dev)
        .instance(DEV, "us-central1-a", "web-2", "e2-medium", "RUNNING", &dev)
        .instance(DEV, "us-central1-b", "api-1", "e2-medium", "RUNNING", &dev)
        .instance(DEV, "us-central1-a", "batch-1", "e2-standard-2", "TERMINATED", &dev)
        .instance(DEV, "europe-west1-b", "bastion", "e2-micro", "RUNNING", &[])
        // Compute, acme-prod: two `env=prod` and one `env=dev`, which a project filter must leave out.
        .instance(PROD, "us-central1-a", "web-prod-1", "e2-standard-2", "RUNNING", &prod)
        .instance(PROD, "europe-west1-b", "web-prod-2", "e2-standard-2", "RUNNING", &prod)
        .instance(PROD, "us-central1-b", "tools-1", "e2-medium", "RUNNING", &dev)
        // Unattached disks in acme-dev: a labelled zonal one and a regional one.
        .disk(DEV, "us-central1-b", "data-archive", 200, &[("env", "dev"), ("purpose", "archive")])
        .regional_disk(DEV, "us-central1", "shared-data", 100, &[])
        .snapshot(DEV, "web-1-nightly", "projects/acme-dev/zones/us-central1-a/disks/web-1", &[("env", "dev")])
        .snapshot(DEV, "archive-2025", "projects/acme-dev/zones/us-central1-b/disks/data-archive", &[])
        .firewall(DEV, "allow-ssh-anywhere", &["0.0.0.0/0"], &[("tcp", &["22"])], false)
        .firewall(DEV, "allow-web-anywhere", &["0.0.0.0/0"], &[("tcp", &["80", "443"])], true)
        .firewall(
            DEV,
            "allow-internal",
            &["10.0.0.0/8"],
            &[("tcp", &["0-65535"]), ("udp", &["0-65535"]), ("icmp", &[])],
            false,
        )
        // Cloud SQL: a running Postgres and a stopped MySQL in acme-dev, a running Postgres in acme-prod.
        .sql_instance(DEV, "orders-db", "POSTGRES_15", "db-custom-2-7680", true, &dev)
        .sql_instance(DEV, "legacy-mysql", "MYSQL_8_0", "db-n1-standard-1", false, &[])
        .sql_instance(PROD, "orders-db-prod", "POSTGRES_15", "db-custom-4-15360", true, &prod)
        // Cloud Functions in acme-dev: a 2nd gen one (v2 API) and a 1st gen one (v1 API for changes).
        .function(DEV, "us-central1", "thumbnailer", "GEN_2", "python312", 100, &dev)
        .function(DEV, "europe-west1", "legacy-webhook", "GEN_1", "nodejs20", 10, &dev)
        // Storage: a public and a private versioned (CMEK) bucket in acme-dev, a private one in acme-prod.
        .bucket(DEV, "acme-dev-public-assets", "US", true, false, &dev)
        .bucket(DEV, "acme-dev-backups", "US-CENTRAL1", false, true, &[("env", "dev"), ("purpose", "backup")])
        .with_kms_key("acme-dev-backups", "projects/acme-dev/locations/us-central1/keyRings/storage/cryptoKeys/backups")
        .bucket(PROD, "acme-prod-logs", "EU", false, false, &prod)
        .billing(DEV, "Compute Engine", 123.45, "USD")
        .billing(DEV, "Cloud SQL", 67.8, "USD")
        .billing(DEV, "Cloud Storage", 4.2, "USD")
        .billing(PROD, "Compute Engine", 456.78, "USD")
        .billing(PROD, "Cloud Functions", 12.5, "USD")
}
