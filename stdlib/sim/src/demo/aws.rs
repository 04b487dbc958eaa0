//! The demo's AWS accounts: production in us-east-1 (DR in us-west-2) and eu-west-1, staging, and dev.

use super::{AWS_DEV, AWS_PROD, AWS_STAGING, Demo, owned, with};
use crate::build::{self, HostedZone, SecurityGroup};
use crate::estate::ids;

type Tags = Vec<(&'static str, &'static str)>;
/// An ingress rule: protocol, first port, last port.
type Ports = (&'static str, i64, i64);
/// Account, region, security group, ports and source of a rule.
type RuleRow = (&'static str, &'static str, &'static str, Ports, &'static str);
/// Place, name, engine, class, storage, state and tags of a database.
type DatabaseRow = ((&'static str, &'static str), &'static str, &'static str, &'static str, i64, &'static str, Tags);

pub(super) fn add(demo: &mut Demo) {
    instances(demo);
    loose_volumes(demo);
    snapshots_and_images(demo);
    security_groups(demo);
    lambdas(demo);
    databases(demo);
    dns(demo);
    buckets(demo);
}

/// An instance launched `days` ago with its boot volume (deleted with it); returns the instance id.
fn instance(
    demo: &mut Demo,
    place: (&str, &str),
    name: &str,
    instance_type: &str,
    state: &str,
    tags: Tags,
    days: i64,
) -> String {
    let id = format!("i-{}", ids::hex17(demo.next()));
    instance_with_id(demo, place, &id, (name, instance_type, state), tags, days)
}

fn instance_with_id(
    demo: &mut Demo,
    place: (&str, &str),
    id: &str,
    what: (&str, &str, &str),
    tags: Tags,
    days: i64,
) -> String {
    let ((account, region), (name, instance_type, state)) = (place, what);
    let launched = demo.ago(days);
    let legacy = name.contains("legacy");
    let draft = build::ec2_instance(account, region, id, name, instance_type).state(state).tags(&tags).at(&launched);
    let draft = if state == "running" && name.contains("web") {
        draft.text("public_ip", &format!("54.{}.{}.{}", 80 + demo.next() % 100, demo.next() % 250, demo.next() % 250))
    } else {
        draft
    };
    let id = demo.add(draft);
    if state != "terminated" {
        let volume = format!("vol-{}", ids::hex17(demo.next()));
        let boot = build::ebs_volume_on(account, region, &volume, if legacy { 100 } else { 30 }, &id, true)
            .flag("encrypted", !legacy)
            .tags(&tags)
            .at(&launched);
        demo.add(boot);
    }
    id
}

fn data_volume(demo: &mut Demo, place: (&str, &str), instance: &str, size: i64, tags: Tags) {
    let (account, region) = place;
    let id = format!("vol-{}", ids::hex17(demo.next()));
    let created = demo.ago(200);
    let volume = build::ebs_volume_on(account, region, &id, size, instance, false)
        .text("volume_type", "io2")
        .set("monthly_cost", escher_compiler::plan::Value::Float(build::prices::volume_monthly("io2", size)))
        .tags(&tags)
        .at(&created);
    demo.add(volume);
}

fn instances(demo: &mut Demo) {
    let (dev_east, dev_eu, dev_west) = ((AWS_DEV, "us-east-1"), (AWS_DEV, "eu-west-1"), (AWS_DEV, "us-west-2"));
    // Running dev machines where nightly_shutdown looks (6, within its cap of 10).
    instance(demo, dev_east, "dev-api-1", "t3.medium", "running", owned("dev", "platform"), 41);
    instance(demo, dev_east, "dev-web-1", "t3.small", "running", owned("dev", "web"), 63);
    instance(demo, dev_east, "dev-worker-1", "t3.large", "running", owned("dev", "data"), 12);
    // The instance the README's resize example names.
    let runner = ("dev-build-runner", "t3.small", "running");
    instance_with_id(demo, dev_east, "i-0123456789abcdef0", runner, owned("dev", "platform"), 95);
    instance(demo, dev_eu, "dev-api-eu-1", "t3.medium", "running", owned("dev", "platform"), 30);
    instance(demo, dev_eu, "dev-etl-1", "m7i.large", "running", owned("dev", "data"), 22);
    // A dev machine outside nightly_shutdown's regions, with no cost center.
    instance(demo, dev_west, "dev-sandbox-1", "t3.micro", "running", vec![("env", "dev"), ("owner", "mobile")], 150);
    // Idle dev machines for waste_cleanup; the legacy pair belongs to nobody and has unencrypted volumes.
    instance(demo, dev_east, "dev-legacy-1", "m5.large", "stopped", vec![("env", "dev")], 520);
    instance(demo, dev_east, "dev-legacy-2", "m5.large", "stopped", vec![("env", "dev")], 515);
    instance(demo, dev_eu, "dev-old-reporting", "t3.large", "stopped", owned("dev", "data"), 300);
    // QA machines started on Monday mornings by weekend_startup.
    let office = |tags: Tags| with(tags, &[("auto-start", "office-hours")]);
    instance(demo, dev_east, "test-qa-1", "t3.medium", "stopped", office(owned("test", "qa")), 90);
    instance(demo, dev_east, "test-qa-2", "t3.medium", "stopped", office(owned("test", "qa")), 90);
    instance(demo, dev_eu, "test-perf-1", "c6i.xlarge", "stopped", office(owned("test", "qa")), 45);
    // Staging.
    for (region, name, instance_type) in [
        ("us-east-1", "staging-web-1", "t3.medium"),
        ("us-east-1", "staging-web-2", "t3.medium"),
        ("us-east-1", "staging-api-1", "t3.large"),
        ("eu-west-1", "staging-worker-1", "t3.large"),
    ] {
        instance(demo, (AWS_STAGING, region), name, instance_type, "running", owned("staging", "platform"), 120);
    }
    // Production: the web fleet, and the critical API and payment machines production_dr images.
    let prod_east = (AWS_PROD, "us-east-1");
    for n in 1..=4 {
        let name = format!("prod-web-{n}");
        instance(demo, prod_east, &name, "m7i.large", "running", with(owned("prod", "web"), &[("tier", "web")]), 200);
    }
    for name in ["prod-api-1", "prod-api-2", "prod-payments-1"] {
        let team = if name.contains("payments") { "payments" } else { "platform" };
        let id = instance(
            demo,
            prod_east,
            name,
            "m7i.xlarge",
            "running",
            with(owned("prod", team), &[("tier", "critical")]),
            180,
        );
        data_volume(demo, prod_east, &id, 500, owned("prod", team));
    }
    for n in 1..=6 {
        let name = format!("prod-k8s-node-{n}");
        instance(
            demo,
            prod_east,
            &name,
            "m6i.xlarge",
            "running",
            with(owned("prod", "platform"), &[("tier", "k8s")]),
            35,
        );
    }
    instance(
        demo,
        prod_east,
        "prod-batch-1",
        "c6i.xlarge",
        "stopped",
        with(owned("prod", "data"), &[("tier", "batch")]),
        240,
    );
    instance(demo, prod_east, "prod-web-old", "m5.large", "terminated", owned("prod", "web"), 400);
    instance(
        demo,
        (AWS_PROD, "us-west-2"),
        "prod-dr-standby-1",
        "m7i.xlarge",
        "stopped",
        with(owned("prod", "platform"), &[("tier", "critical")]),
        160,
    );
    for name in ["prod-web-eu-1", "prod-web-eu-2"] {
        instance(
            demo,
            (AWS_PROD, "eu-west-1"),
            name,
            "m7i.large",
            "running",
            with(owned("prod", "web"), &[("tier", "web")]),
            210,
        );
    }
}

/// Volumes attached to nothing: waste_cleanup deletes the ones in its regions not tagged `keep`.
fn loose_volumes(demo: &mut Demo) {
    let loose: [(&str, &str, i64, bool, Tags, i64); 10] = [
        (AWS_DEV, "us-east-1", 100, false, owned("dev", "platform"), 210),
        (AWS_DEV, "us-east-1", 50, true, owned("dev", "platform"), 180),
        (AWS_DEV, "us-east-1", 20, true, owned("dev", "web"), 95),
        (AWS_DEV, "eu-west-1", 200, false, owned("dev", "data"), 330),
        (AWS_DEV, "eu-west-1", 80, true, owned("dev", "data"), 64),
        (AWS_STAGING, "us-east-1", 30, true, owned("staging", "platform"), 140),
        (AWS_DEV, "us-east-1", 500, true, with(owned("dev", "data"), &[("keep", "true")]), 400),
        (AWS_PROD, "us-east-1", 1000, true, with(owned("prod", "payments"), &[("keep", "legal-hold")]), 600),
        (AWS_DEV, "us-west-2", 40, true, owned("dev", "mobile"), 100),
        (AWS_PROD, "us-west-2", 250, true, owned("prod", "platform"), 90),
    ];
    for (account, region, size, encrypted, tags, days) in loose {
        let id = format!("vol-{}", ids::hex17(demo.next()));
        let created = demo.ago(days);
        demo.add(build::ebs_volume(account, region, &id, size).flag("encrypted", encrypted).tags(&tags).at(&created));
    }
}

fn snapshot(demo: &mut Demo, place: (&str, &str), size: i64, tags: Tags, days: i64, description: &str) -> String {
    let (account, region) = place;
    let id = format!("snap-{}", ids::hex17(demo.next()));
    let volume = format!("vol-{}", ids::hex17(demo.next() + 10_000));
    let created = demo.ago(days);
    demo.add(
        build::ebs_snapshot(account, region, &id, &volume, size)
            .tags(&tags)
            .text("description", description)
            .at(&created),
    )
}

fn env_of(account: &str) -> &'static str {
    match account {
        AWS_PROD => "prod",
        AWS_STAGING => "staging",
        _ => "dev",
    }
}

fn snapshots_and_images(demo: &mut Demo) {
    // Older than waste_cleanup's 90 days: seven to delete, two kept on purpose, two in another region.
    for (account, region, days) in [
        (AWS_DEV, "us-east-1", 400),
        (AWS_DEV, "us-east-1", 365),
        (AWS_DEV, "us-east-1", 200),
        (AWS_DEV, "eu-west-1", 180),
        (AWS_STAGING, "us-east-1", 150),
        (AWS_STAGING, "eu-west-1", 120),
        (AWS_PROD, "us-east-1", 100),
    ] {
        snapshot(demo, (account, region), 50, owned(env_of(account), "platform"), days, "manual backup before upgrade");
    }
    snapshot(
        demo,
        (AWS_PROD, "us-east-1"),
        500,
        with(owned("prod", "payments"), &[("keep", "audit-2024")]),
        380,
        "year-end audit",
    );
    snapshot(
        demo,
        (AWS_PROD, "eu-west-1"),
        200,
        with(owned("prod", "web"), &[("keep", "true")]),
        250,
        "before eu migration",
    );
    snapshot(demo, (AWS_DEV, "us-west-2"), 40, owned("dev", "mobile"), 300, "sandbox");
    snapshot(demo, (AWS_PROD, "us-west-2"), 250, owned("prod", "platform"), 200, "dr seed");
    // Recent daily backups of production.
    for days in 1..=6 {
        snapshot(demo, (AWS_PROD, "us-east-1"), 500, owned("prod", "payments"), days, "daily backup");
    }
    // Golden images and the recent snapshots behind them.
    for (name, days) in [("prod-web-golden-2025-05", 20), ("prod-api-golden-2025-05", 18)] {
        let backing = snapshot(demo, (AWS_PROD, "us-east-1"), 30, owned("prod", "platform"), days, "golden image");
        let id = format!("ami-{}", ids::hex17(demo.next()));
        let created = demo.ago(days);
        demo.add(
            build::ami(AWS_PROD, "us-east-1", &id, name, &[backing.as_str()])
                .tags(&owned("prod", "platform"))
                .at(&created),
        );
    }
    let backing = snapshot(demo, (AWS_DEV, "us-east-1"), 30, owned("dev", "platform"), 60, "dev base image");
    let id = format!("ami-{}", ids::hex17(demo.next()));
    let created = demo.ago(60);
    demo.add(
        build::ami(AWS_DEV, "us-east-1", &id, "dev-base-2025-04", &[backing.as_str()])
            .tags(&owned("dev", "platform"))
            .at(&created),
    );
}

fn security_groups(demo: &mut Demo) {
    let rules: [RuleRow; 10] = [
        (AWS_PROD, "us-east-1", "prod-web", ("tcp", 443, 443), "0.0.0.0/0"),
        (AWS_PROD, "us-east-1", "prod-web", ("tcp", 80, 80), "0.0.0.0/0"),
        (AWS_PROD, "us-east-1", "prod-bastion", ("tcp", 22, 22), "0.0.0.0/0"),
        (AWS_PROD, "us-east-1", "prod-db", ("tcp", 5432, 5432), "10.0.0.0/16"),
        (AWS_PROD, "us-east-1", "prod-internal", ("all", 0, 65535), "sg-0c1d2e3f4a5b6c7d8"),
        (AWS_DEV, "us-east-1", "dev-db", ("tcp", 5432, 5432), "0.0.0.0/0"),
        (AWS_DEV, "us-east-1", "dev-db", ("tcp", 3306, 3306), "0.0.0.0/0"),
        (AWS_DEV, "eu-west-1", "dev-mongo", ("tcp", 27017, 27017), "::/0"),
        (AWS_STAGING, "us-east-1", "staging-windows", ("tcp", 3389, 3389), "0.0.0.0/0"),
        (AWS_STAGING, "us-east-1", "staging-admin", ("tcp", 22, 22), "10.0.0.0/8"),
    ];
    for (account, region, group, rule, source) in rules {
        let id = format!("sgr-{}", ids::hex17(demo.next()));
        let group_id = format!("sg-{}", ids::hex17(crate::rng::hash(&[group])));
        let vpc = format!("vpc-{}", &ids::hex17(crate::rng::hash(&[account, region]))[..9]);
        let sg = SecurityGroup { id: &group_id, name: group, vpc_id: &vpc };
        let env = group.split('-').next().unwrap_or("dev");
        let description = format!("{group} {} {}-{} from {source}", rule.0, rule.1, rule.2);
        demo.add(build::sg_rule(account, region, &id, &sg, rule, source).text("name", &description).tag("env", env));
    }
}

fn lambdas(demo: &mut Demo) {
    for (account, region, name, runtime, tags) in [
        (AWS_PROD, "us-east-1", "payments-webhook", "python3.12", owned("prod", "payments")),
        (AWS_PROD, "us-east-1", "image-resizer", "nodejs20.x", owned("prod", "web")),
        (AWS_PROD, "us-east-1", "order-events", "java21", owned("prod", "platform")),
        (AWS_PROD, "eu-west-1", "gdpr-export", "python3.12", owned("prod", "data")),
        (AWS_DEV, "us-east-1", "dev-slack-bot", "python3.12", owned("dev", "platform")),
        (AWS_DEV, "us-east-1", "legacy-importer", "python3.9", owned("dev", "data")),
    ] {
        let updated = demo.ago(30);
        let function = build::lambda_function(account, region, name, runtime).tags(&tags).at(&updated);
        // The legacy importer is switched off by a reserved concurrency of zero.
        let function = if name == "legacy-importer" { function.int("reserved_concurrency", 0) } else { function };
        demo.add(function);
    }
}

fn databases(demo: &mut Demo) {
    let prod_east = (AWS_PROD, "us-east-1");
    let office = |tags: Tags| with(tags, &[("auto-start", "office-hours")]);
    let instances: [DatabaseRow; 7] = [
        (prod_east, "prod-orders-db", "postgres", "db.r6g.large", 500, "available", owned("prod", "platform")),
        (prod_east, "prod-payments-db", "postgres", "db.r7g.large", 1000, "available", owned("prod", "payments")),
        (prod_east, "prod-analytics-db", "mysql", "db.m6g.large", 2000, "available", owned("prod", "data")),
        (
            (AWS_PROD, "eu-west-1"),
            "prod-eu-orders-db",
            "postgres",
            "db.r6g.large",
            500,
            "available",
            owned("prod", "platform"),
        ),
        (
            (AWS_STAGING, "us-east-1"),
            "staging-orders-db",
            "postgres",
            "db.t4g.large",
            100,
            "available",
            owned("staging", "platform"),
        ),
        ((AWS_DEV, "us-east-1"), "dev-qa-db", "postgres", "db.t4g.medium", 50, "stopped", office(owned("test", "qa"))),
        (
            (AWS_DEV, "eu-west-1"),
            "dev-reporting-db",
            "mysql",
            "db.t4g.medium",
            50,
            "stopped",
            office(owned("test", "data")),
        ),
    ];
    for ((account, region), name, engine, class, storage, state, tags) in instances {
        let created = demo.ago(365);
        let db =
            build::rds_instance(account, region, name, engine, class, storage).state(state).tags(&tags).at(&created);
        let db = if name.starts_with("prod-orders") || name.starts_with("prod-payments") {
            db.flag("multi_az", true)
        } else {
            db
        };
        let snapshots: &[(&str, &str, i64)] = match name {
            "prod-orders-db" => &[
                ("rds:prod-orders-db-2025-06-01", "automated", 1),
                ("rds:prod-orders-db-2025-06-02", "automated", 0),
                ("prod-orders-db-pre-migration", "manual", 210),
            ],
            "staging-orders-db" => &[("staging-orders-db-seed", "manual", 120)],
            "prod-analytics-db" => &[("rds:prod-analytics-db-2025-06-02", "automated", 0)],
            _ => &[],
        };
        for (snapshot, kind, days) in snapshots {
            let taken = demo.ago(*days);
            let snap = build::rds_snapshot(account, region, snapshot, &db, kind).tags(&tags).at(&taken);
            demo.add(snap);
        }
        demo.add(db);
    }
}

fn dns(demo: &mut Demo) {
    let public = HostedZone { id: "Z1D633PJN98FT9", name: "example.com" };
    demo.add(
        build::route53_set(AWS_PROD, &public, "app.example.com.", "A", &["203.0.113.10"], "primary").int("ttl", 60),
    );
    demo.add(
        build::route53_set(AWS_PROD, &public, "app.example.com.", "A", &["198.51.100.20"], "secondary").int("ttl", 60),
    );
    demo.add(build::route53_record(AWS_PROD, &public, "api.example.com.", "A", &["203.0.113.11"]));
    demo.add(build::route53_record(AWS_PROD, &public, "www.example.com.", "CNAME", &["app.example.com."]));
    demo.add(build::route53_record(AWS_PROD, &public, "example.com.", "MX", &["10 mail.example.com."]));
    demo.add(build::route53_record(
        AWS_PROD,
        &public,
        "example.com.",
        "TXT",
        &["\"v=spf1 include:_spf.example.com ~all\""],
    ));
    let internal = HostedZone { id: "Z0812973BQ4LKFAKYVPQ", name: "acme.internal" };
    demo.add(build::route53_record(
        AWS_PROD,
        &internal,
        "db.acme.internal.",
        "CNAME",
        &["prod-orders-db.c9akciq32.us-east-1.rds.amazonaws.com."],
    ));
    demo.add(build::route53_record(AWS_PROD, &internal, "cache.acme.internal.", "A", &["10.0.12.40"]));
}

fn buckets(demo: &mut Demo) {
    let buckets: [(&str, &str, &str, Tags, &[&str]); 13] = [
        (AWS_PROD, "us-east-1", "acme-prod-orders-archive", owned("prod", "platform"), &["versioning"]),
        (AWS_PROD, "us-east-1", "acme-prod-payments-receipts", owned("prod", "payments"), &[]),
        (AWS_PROD, "us-east-1", "acme-prod-app-assets", owned("prod", "web"), &[]),
        (AWS_PROD, "us-east-1", "acme-prod-logs", owned("prod", "platform"), &["versioning"]),
        (AWS_PROD, "eu-west-1", "acme-prod-backups-eu", owned("prod", "platform"), &[]),
        (AWS_PROD, "us-east-1", "acme-public-website", owned("shared", "web"), &["public"]),
        (AWS_DEV, "us-east-1", "acme-dev-shared-uploads", vec![("env", "dev"), ("owner", "web")], &["public"]),
        (AWS_STAGING, "us-east-1", "acme-staging-test-fixtures", owned("staging", "qa"), &["public"]),
        (AWS_PROD, "us-east-1", "acme-legacy-reports-2019", vec![("env", "prod")], &["unencrypted"]),
        (AWS_DEV, "us-east-1", "acme-dev-scratch-data", vec![("env", "dev")], &["unencrypted"]),
        (
            AWS_DEV,
            "us-east-1",
            "acme-ml-training-raw",
            with(owned("dev", "data"), &[("encryption-exempt", "client-side")]),
            &["unencrypted"],
        ),
        (AWS_DEV, "us-east-1", "acme-dev-terraform-state", owned("dev", "platform"), &["versioning"]),
        (AWS_STAGING, "us-east-1", "acme-staging-artifacts", owned("staging", "platform"), &[]),
    ];
    for (account, region, name, tags, traits) in buckets {
        let created = demo.ago(if traits.contains(&"unencrypted") { 2200 } else { 700 });
        let mut bucket = build::s3_bucket(account, region, name).tags(&tags).at(&created);
        if traits.contains(&"versioning") {
            bucket = bucket.flag("versioning", true);
        }
        if traits.contains(&"public") {
            bucket = bucket.flag("public", true).flag("public_access_blocked", false);
        }
        if traits.contains(&"unencrypted") {
            bucket = bucket.flag("encrypted", false).set("encryption", escher_compiler::plan::Value::Null);
        }
        demo.add(bucket);
    }
}
