//! Queries filter the estate the way the clouds do. Cloud-agnostic queries are asked through the runtime, which
//! routes them to each cloud's query.

mod common;

use std::sync::Arc;

use common::*;
use escher_compiler::plan::Value;
use escher_runtime::provider::ProviderError;
use escher_sim::Sim;

#[tokio::test]
async fn ec2_instances_filter_by_region_tags_and_state() {
    let sim = Sim::demo();
    let found = list(
        &sim,
        "aws.ec2.instances",
        &[("regions", strs(&["us-east-1"])), ("tags", map(&[("env", "dev")])), ("state", s("running"))],
    )
    .await;
    assert_eq!(names(&found), ["dev-api-1", "dev-build-runner", "dev-web-1", "dev-worker-1"]);
}

#[tokio::test]
async fn no_regions_means_every_region() {
    let sim = Sim::demo();
    let found = list(&sim, "aws.ec2.instances", &[("tags", map(&[("env", "dev")])), ("state", s("running"))]).await;
    assert!(names(&found).contains(&"dev-sandbox-1".to_string()), "us-west-2 is included: {:?}", names(&found));
    assert_eq!(found.len(), 7);
}

#[tokio::test]
async fn every_given_tag_must_match() {
    let sim = Sim::demo();
    let critical = list(&sim, "aws.ec2.instances", &[("tags", map(&[("env", "prod"), ("tier", "critical")]))]).await;
    assert_eq!(names(&critical), ["prod-api-1", "prod-api-2", "prod-dr-standby-1", "prod-payments-1"]);
    let none = list(&sim, "aws.ec2.instances", &[("tags", map(&[("env", "prod"), ("tier", "nonexistent")]))]).await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn volumes_filter_by_attachment() {
    let sim = Sim::demo();
    let loose = list(
        &sim,
        "aws.ec2.volumes",
        &[("regions", strs(&["us-east-1", "eu-west-1"])), ("attached", Value::Bool(false))],
    )
    .await;
    assert_eq!(loose.len(), 8);
    assert!(loose.iter().all(|v| v.get("attached") == Some(&Value::Bool(false)) && field(v, "state") == "available"));
    let attached = list(&sim, "aws.ec2.volumes", &[("attached", Value::Bool(true))]).await;
    assert!(attached.iter().all(|v| v.get("instance_id").is_some_and(|i| matches!(i, Value::String(_)))));
}

#[tokio::test]
async fn older_than_counts_back_from_the_estates_clock() {
    let sim = Sim::demo();
    let regions = ("regions", strs(&["us-east-1", "eu-west-1"]));
    let old = list(&sim, "aws.ec2.snapshots", &[regions.clone(), ("older_than", days(90))]).await;
    assert_eq!(old.len(), 9, "seven to clean up and two tagged keep");
    let all = list(&sim, "aws.ec2.snapshots", &[regions]).await;
    assert!(all.len() > old.len());
    assert!(old.iter().all(|s| field(s, "created") < "2025-03-04T19:00:00Z"));
}

#[tokio::test]
async fn buckets_filter_by_public_and_encrypted() {
    let sim = Sim::demo();
    let public = list(&sim, "aws.s3.buckets", &[("public", Value::Bool(true))]).await;
    assert_eq!(names(&public), ["acme-dev-shared-uploads", "acme-public-website", "acme-staging-test-fixtures"]);
    let unencrypted = list(&sim, "aws.s3.buckets", &[("encrypted", Value::Bool(false))]).await;
    assert_eq!(unencrypted.len(), 3);
    let everywhere = list_in_a_run(&Arc::new(sim), "storage.buckets(encrypted = false)").await;
    let clouds: Vec<&str> = everywhere.iter().map(|b| field(b, "cloud")).collect();
    assert_eq!(clouds, ["aws", "aws", "aws", "azure", "azure"]);
}

#[tokio::test]
async fn disks_filter_by_encryption_on_every_cloud() {
    let sim = Sim::demo();
    let unencrypted = [("encrypted", Value::Bool(false))];
    for query in ["aws.ec2.volumes", "azure.disk.list", "gcp.compute.disks"] {
        let plain = list(&sim, query, &unencrypted).await;
        assert!(plain.iter().all(|d| d.get("encrypted") == Some(&Value::Bool(false))), "{query}");
        let all = list(&sim, query, &[]).await;
        let encrypted = list(&sim, query, &[("encrypted", Value::Bool(true))]).await;
        assert_eq!(plain.len() + encrypted.len(), all.len(), "{query}");
    }
    let agnostic = list_in_a_run(&Arc::new(sim), "security.unencrypted_disks()").await;
    let clouds: Vec<&str> = agnostic.iter().map(|d| field(d, "cloud")).collect();
    assert!(!clouds.is_empty() && clouds.is_sorted(), "AWS, then Azure, then GCP: {clouds:?}");
}

#[tokio::test]
async fn open_ports_are_rules_open_to_the_internet_on_those_ports() {
    let sim = Arc::new(Sim::demo());
    let open = list_in_a_run(&sim, "security.open_ports(ports = [22, 3389, 3306, 5432, 1433, 27017])").await;
    let per_cloud = |cloud: &str| open.iter().filter(|r| field(r, "cloud") == cloud).count();
    assert_eq!((per_cloud("aws"), per_cloud("azure"), per_cloud("gcp")), (5, 2, 2));
    let https = list(&sim, "aws.ec2.open_ingress_rules", &[("ports", Value::List(vec![Value::Int(443)]))]).await;
    assert_eq!(https.len(), 1, "the web rule only; the internal all-traffic rule is not open to the internet");
    let any_port = list(&sim, "gcp.compute.open_firewall_rules", &[("project", s("acme-data"))]).await;
    assert!(any_port.is_empty(), "a disabled rule lets nothing in");
}

#[tokio::test]
async fn gcp_queries_without_a_project_cover_every_project() {
    let sim = Sim::demo();
    let everywhere = list(&sim, "gcp.compute.instances", &[]).await;
    let mut projects: Vec<&str> = everywhere.iter().map(|i| field(i, "project")).collect();
    projects.dedup();
    assert!(projects.len() > 1, "{projects:?}");
    let dev = list(&sim, "gcp.compute.instances", &[("project", s("acme-dev"))]).await;
    assert_eq!(dev.len(), everywhere.iter().filter(|i| field(i, "project") == "acme-dev").count());
}

#[tokio::test]
async fn gcp_queries_are_per_project_and_zone() {
    let sim = Sim::demo();
    let args = [
        ("project", s("acme-dev")),
        ("zone", s("us-central1-a")),
        ("labels", map(&[("env", "dev")])),
        ("status", s("running")),
    ];
    let running = list(&sim, "gcp.compute.instances", &args).await;
    assert_eq!(names(&running), ["dev-api-1", "dev-ci-runner-1", "dev-notebook-1", "dev-web-1", "dev-worker-1"]);
    let unknown = query(&sim, "gcp.compute.instances", &[("project", s("acme-nowhere"))]).await;
    assert!(
        matches!(unknown, Err(ProviderError::Rejected(m)) if m.contains("acme-nowhere")),
        "an unknown project fails closed"
    );
}

#[tokio::test]
async fn azure_queries_are_per_resource_group_and_an_unknown_one_is_an_error() {
    let sim = Sim::demo();
    let args = [("resource_group", s("rg-dev")), ("tags", map(&[("env", "dev")])), ("state", s("running"))];
    let running = list(&sim, "azure.vm.list", &args).await;
    assert_eq!(names(&running), ["vm-dev-api-01", "vm-dev-jumpbox", "vm-dev-web-01", "vm-dev-worker-01"]);
    let missing = query(&sim, "azure.vm.list", &[("resource_group", s("rg-typo"))]).await;
    assert!(matches!(missing, Err(ProviderError::Rejected(m)) if m.starts_with("ResourceGroupNotFound")));
}

#[tokio::test]
async fn agnostic_state_filters_read_each_clouds_word_for_stopped() {
    let sim = Arc::new(Sim::demo());
    let group = r#"tags = { "auto-start": "office-hours" }, state = "stopped""#;
    let machines = list_in_a_run(&sim, &format!("compute.instances({group})")).await;
    let states: Vec<&str> = machines.iter().map(|m| field(m, "state")).collect();
    assert_eq!(machines.len(), 7);
    assert!(states.contains(&"deallocated") && states.contains(&"terminated") && states.contains(&"stopped"));
    let databases = list_in_a_run(&sim, &format!("database.instances({group})")).await;
    assert_eq!(names(&databases), ["dev-qa-db", "dev-qa-sql", "dev-reporting-db", "qa-orders"]);
    // Each cloud's own query reads the common word too, and its own.
    let paused = list(&sim, "azure.sql.databases", &[("state", s("stopped"))]).await;
    assert_eq!(paused, list(&sim, "azure.sql.databases", &[("state", s("paused"))]).await);
    assert!(!paused.is_empty());
    let deallocated = list(&sim, "azure.vm.list", &[("state", s("deallocated"))]).await;
    assert!(deallocated.iter().all(|vm| field(vm, "state") == "deallocated") && !deallocated.is_empty());
}

#[tokio::test]
async fn route53_lists_a_zones_records_and_refuses_an_unknown_zone() {
    let sim = Sim::demo();
    let records =
        list(&sim, "aws.route53.records", &[("zones", strs(&["example.com"])), ("record_type", s("A"))]).await;
    assert_eq!(names(&records), ["api.example.com.", "app.example.com.", "app.example.com."]);
    let missing = query(&sim, "aws.route53.records", &[("zones", strs(&["example.org"]))]).await;
    assert!(matches!(missing, Err(ProviderError::Rejected(m)) if m.starts_with("NoSuchHostedZone")));
}

#[tokio::test]
async fn costs_add_up_to_the_estates_monthly_costs() {
    let sim = Sim::demo();
    let total: f64 = sim
        .resources()
        .into_iter()
        .map(record)
        .map(|r| match r.get("monthly_cost") {
            Some(Value::Float(c)) => *c,
            _ => 0.0,
        })
        .sum();
    let Ok(Value::List(by_cloud)) = query(&sim, "cost.by_cloud", &[("period", days(30))]).await else {
        panic!("a list")
    };
    let summed: f64 = by_cloud
        .into_iter()
        .map(record)
        .map(|r| match r.get("amount") {
            Some(Value::Float(a)) => *a,
            _ => 0.0,
        })
        .sum();
    assert!((summed - total).abs() < 0.05, "{summed} vs {total}");
    let Ok(Value::List(services)) = query(&sim, "aws.cost.by_service", &[("period", days(60))]).await else {
        panic!("a list")
    };
    let amounts: Vec<f64> = services
        .into_iter()
        .map(record)
        .map(|r| match r.get("amount") {
            Some(Value::Float(a)) => *a,
            _ => 0.0,
        })
        .collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "most expensive first: {amounts:?}");
}

#[tokio::test]
async fn inventory_counts_every_resource() {
    let sim = Sim::demo();
    let summary = record(query(&sim, "inventory.summary", &[]).await.expect("a summary"));
    assert_eq!(summary.get("total"), Some(&Value::Int(sim.resources().len() as i64)));
    let Ok(Value::List(accounts)) = query(&sim, "inventory.accounts", &[]).await else { panic!("a list") };
    assert_eq!(accounts.len(), 9);
}
