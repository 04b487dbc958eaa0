//! The demo's Google Cloud projects: `acme-dev` (dev VMs in us-central1-a for nightly_shutdown), `acme-prod`,
//! `acme-web` (the public site, which public_storage_lockdown checks) and `acme-data`.

use super::{Demo, owned, with};
use crate::build;
use crate::estate::ids;

type Labels = Vec<(&'static str, &'static str)>;

pub(super) fn add(demo: &mut Demo) {
    instances(demo);
    snapshots(demo);
    firewall(demo);
    functions_and_sql(demo);
    buckets(demo);
}

/// An instance with its boot disk (deleted with it).
fn instance(demo: &mut Demo, project: &str, zone: &str, name: &str, machine_type: &str, status: &str, labels: Labels) {
    let created = demo.ago(120);
    let id = ids::numeric(demo.next());
    demo.add(build::gce_instance(project, zone, &id, name, machine_type).state(status).tags(&labels).at(&created));
    let disk_id = ids::numeric(demo.next());
    let disk = build::gce_disk_on(project, zone, &disk_id, name, 50, name, true).tags(&labels).at(&created);
    demo.add(disk);
}

fn instances(demo: &mut Demo) {
    // Running dev machines in acme-dev, us-central1-a: what nightly_shutdown stops (5, within its cap).
    for (name, machine_type, team) in [
        ("dev-api-1", "e2-standard-2", "platform"),
        ("dev-web-1", "e2-medium", "web"),
        ("dev-worker-1", "e2-standard-4", "data"),
        ("dev-ci-runner-1", "n2-standard-4", "platform"),
        ("dev-notebook-1", "e2-standard-4", "data"),
    ] {
        instance(demo, "acme-dev", "us-central1-a", name, machine_type, "running", owned("dev", team));
    }
    instance(demo, "acme-dev", "us-central1-b", "dev-cache-1", "e2-medium", "running", owned("dev", "platform"));
    instance(demo, "acme-dev", "us-central1-a", "dev-old-vm-1", "e2-standard-2", "terminated", vec![("env", "dev")]);
    for name in ["test-qa-1", "test-qa-2"] {
        let labels = with(owned("test", "qa"), &[("auto-start", "office-hours")]);
        instance(demo, "acme-dev", "us-central1-a", name, "e2-standard-2", "terminated", labels);
    }
    for name in ["prod-web-1", "prod-web-2", "prod-web-3"] {
        instance(demo, "acme-prod", "us-central1-b", name, "n2-standard-4", "running", owned("prod", "web"));
    }
    for n in 1..=4 {
        let name = format!("gke-prod-pool-{n}");
        instance(demo, "acme-prod", "us-central1-c", &name, "e2-standard-4", "running", owned("prod", "platform"));
    }
    instance(
        demo,
        "acme-prod",
        "europe-west1-b",
        "prod-api-eu-1",
        "n2-standard-4",
        "running",
        owned("prod", "platform"),
    );
    instance(demo, "acme-data", "us-east1-c", "data-etl-1", "n2-standard-8", "running", owned("prod", "data"));
    let created = demo.ago(3);
    let spark =
        build::gce_instance("acme-data", "us-east1-c", &ids::numeric(demo.next()), "data-spark-1", "e2-standard-4")
            .flag("preemptible", true)
            .tags(&[("env", "prod")])
            .at(&created);
    demo.add(spark);
    instance(demo, "acme-web", "us-central1-f", "web-frontend-1", "e2-standard-2", "running", owned("prod", "web"));
    // Disks nothing uses.
    let old = demo.ago(300);
    let scratch = build::gce_disk("acme-dev", "us-central1-a", &ids::numeric(demo.next()), "dev-scratch-disk", 500);
    demo.add(scratch.tags(&owned("dev", "data")).at(&old));
    let leftover = build::gce_disk("acme-data", "us-east1-c", &ids::numeric(demo.next()), "data-old-disk", 2000);
    demo.add(leftover.tags(&owned("prod", "data")).at(&old));
}

fn snapshots(demo: &mut Demo) {
    for (project, location, name, disk, days) in [
        ("acme-dev", "us", "dev-api-1-daily-1", "dev-api-1", 1),
        ("acme-dev", "us", "dev-api-1-daily-2", "dev-api-1", 2),
        ("acme-dev", "us", "dev-api-1-daily-3", "dev-api-1", 3),
        ("acme-data", "us", "data-etl-1-weekly-2024-11", "data-etl-1", 200),
        ("acme-data", "us", "data-old-disk-final", "data-old-disk", 290),
    ] {
        let taken = demo.ago(days);
        let env = if project == "acme-dev" { "dev" } else { "prod" };
        let id = ids::numeric(demo.next());
        demo.add(build::gce_snapshot(project, location, &id, name, disk, 50).tags(&owned(env, "data")).at(&taken));
    }
}

fn firewall(demo: &mut Demo) {
    for (project, name, rule, source, disabled) in [
        ("acme-dev", "default-allow-ssh", ("tcp", 22, 22), "0.0.0.0/0", false),
        ("acme-dev", "allow-postgres-any", ("tcp", 5432, 5432), "0.0.0.0/0", false),
        ("acme-web", "allow-http", ("tcp", 80, 80), "0.0.0.0/0", false),
        ("acme-prod", "allow-internal", ("all", 0, 65535), "10.128.0.0/9", false),
        ("acme-prod", "allow-iap-ssh", ("tcp", 22, 22), "35.235.240.0/20", false),
        ("acme-data", "allow-mysql-any", ("tcp", 3306, 3306), "0.0.0.0/0", true),
    ] {
        let id = ids::numeric(demo.next());
        let state = if disabled { "disabled" } else { "enabled" };
        demo.add(build::firewall_rule(project, &id, name, rule, source).flag("disabled", disabled).state(state));
    }
}

fn functions_and_sql(demo: &mut Demo) {
    demo.add(
        build::cloud_function("acme-web", "us-central1", "web-contact-form", "nodejs20").tags(&owned("prod", "web")),
    );
    demo.add(
        build::cloud_function("acme-data", "us-east1", "data-ingest-trigger", "python312").tags(&owned("prod", "data")),
    );
    demo.add(
        build::cloud_function("acme-dev", "us-central1", "dev-test-fn", "python312").tags(&owned("dev", "platform")),
    );
    let users = build::cloud_sql("acme-prod", "us-central1", "prod-users-db", "POSTGRES_16", "db-custom-4-15360");
    demo.add(users.flag("high_availability", true).flag("public_ip", false).tags(&owned("prod", "platform")));
    let taken = demo.ago(7);
    let backup = build::cloud_sql_backup(
        "acme-prod",
        "us-central1",
        &ids::numeric(demo.next()),
        "prod-users-db",
        "before schema change",
    );
    demo.add(backup.tags(&owned("prod", "platform")).at(&taken));
    let analytics = build::cloud_sql("acme-data", "us-east1", "analytics-mysql", "MYSQL_8_0", "db-custom-2-7680");
    demo.add(analytics.tags(&owned("prod", "data")));
    let qa =
        build::cloud_sql("acme-dev", "us-central1", "dev-qa-sql", "POSTGRES_16", "db-custom-1-3840").state("stopped");
    demo.add(qa.tags(&with(owned("test", "qa"), &[("auto-start", "office-hours")])));
}

fn buckets(demo: &mut Demo) {
    for (project, location, name, public, labels) in [
        ("acme-web", "us", "acme-web-public-assets", true, owned("prod", "web")),
        ("acme-web", "us", "acme-web-user-uploads", true, owned("prod", "web")),
        ("acme-web", "us", "acme-web-logs", false, owned("prod", "web")),
        ("acme-data", "us-east1", "acme-data-lake", false, owned("prod", "data")),
        ("acme-prod", "us-central1", "acme-prod-backups", false, owned("prod", "platform")),
    ] {
        let created = demo.ago(500);
        let bucket = build::gcs_bucket(project, location, name).tags(&labels).at(&created);
        let bucket = if public { bucket.flag("public", true).flag("public_access_prevention", false) } else { bucket };
        let bucket = if name == "acme-data-lake" { bucket.flag("versioning", true) } else { bucket };
        demo.add(bucket);
    }
}
