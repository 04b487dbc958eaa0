//! Discovery against moto: the inventory holds what the listings found, is written whole, reads back the same,
//! and counts what a query with plain filters would match (and refuses to guess for other filters).

use escher_runtime::provider::inventory::Counts;
use std::collections::BTreeMap;

use crate::support::*;
use escher_aws::inventory::{self, Inventory};
use escher_compiler::plan::Value;

#[tokio::test]
async fn discovery_finds_the_estate_and_counts_plain_queries() {
    let region = "il-central-1";
    let suite = unique("inventory");
    let ids = launch(&ec2(region), 3, &[("suite", &suite)]).await;
    ec2(region).stop_instances().instance_ids(&ids[0]).send().await.expect("moto stops");
    let ctx = context(&[region]);
    let found = inventory::discover(&ctx, &[]).await.expect("discovery succeeds");
    assert_eq!(found.regions, vec![region.to_string()]);
    assert_eq!(found.accounts, vec!["123456789012".to_string()]);
    for id in &ids {
        assert!(found.resources.iter().any(|r| field(r, "id") == id), "{id} is in the inventory");
    }
    assert!(found.by_kind().contains_key("aws.ec2.Volume"), "the instances' root volumes are listed");

    let args = |pairs: Vec<(&str, Value)>| -> BTreeMap<String, Value> {
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    };
    let running = args(vec![("tags", tags(&[("suite", &suite)])), ("state", text("running"))]);
    assert_eq!(found.count("aws.ec2.instances", &running), Some(2));
    assert_eq!(found.count("compute.instances", &running), Some(2));
    let elsewhere = args(vec![("tags", tags(&[("suite", &suite)])), ("regions", strings(&["eu-west-1"]))]);
    assert_eq!(found.count("aws.ec2.instances", &elsewhere), Some(0));
    let aged = args(vec![("older_than", Value::Duration { duration_ms: 1000 })]);
    assert_eq!(found.count("aws.ec2.snapshots", &aged), None, "no count is guessed for an age filter");

    let dir = tempfile::tempdir().expect("a state dir");
    let path = found.save(dir.path()).expect("the inventory is written");
    assert_eq!(path, dir.path().join("inventory").join("aws.json"));
    assert!(!path.with_extension("json.partial").exists());
    let back = Inventory::load(dir.path()).expect("it reads").expect("it exists");
    assert_eq!(back, found);
}

#[tokio::test]
async fn inventory_summary_counts_by_kind_and_region() {
    let region = "me-central-1";
    launch(&ec2(region), 2, &[("suite", &unique("summary"))]).await;
    let provider = provider(&[region]);
    let answer =
        escher_runtime::provider::Provider::call(provider.as_ref(), &call("inventory.summary", vec![], vec![], false))
            .await
            .expect("the summary answers");
    let escher_runtime::provider::ProviderResponse::Value(Value::Record(summary)) = answer else {
        panic!("a record, not {answer:?}")
    };
    let count = |group: &str, key: &str| match summary.get(group) {
        Some(Value::Record(counts)) => match counts.get(key) {
            Some(Value::Int(n)) => *n,
            _ => 0,
        },
        _ => 0,
    };
    assert!(count("by_kind", "aws.ec2.Instance") >= 2, "{summary:?}");
    assert!(count("by_region", region) >= 2, "{summary:?}");
    assert!(matches!(summary.get("total"), Some(Value::Int(n)) if *n >= 2));
}
