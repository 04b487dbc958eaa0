//! Estates load from JSON with every problem named, save back so runs can be chained, and generate
//! deterministically from a size and a seed.

mod common;

use common::*;
use escher_compiler::plan::Value;
use escher_sim::{LoadError, Sim};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/estate/demo.json");

#[test]
fn the_demo_file_loads_and_is_the_demo_estate_written_out() {
    let loaded = Sim::from_file(DEMO).expect("demo.json loads");
    assert!(loaded.resources().len() > 250);
    assert_eq!(
        loaded.estate_json(),
        Sim::demo().estate_json(),
        "examples/estate/demo.json is stale: cargo run -q -p escher-sim --example write_demo_estate > examples/estate/demo.json"
    );
}

#[test]
fn the_demo_holds_every_kind_in_every_cloud() {
    let sim = Sim::demo();
    let kinds: std::collections::BTreeSet<String> =
        sim.resources().into_iter().map(|r| field(&record(r), "kind").to_string()).collect();
    let expected: std::collections::BTreeSet<String> = escher_sim::kinds().into_iter().map(String::from).collect();
    assert_eq!(kinds, expected);
    let estate = sim.estate();
    let clouds = |cloud: &str| estate.accounts().iter().filter(|a| a.cloud == cloud).count();
    assert_eq!((clouds("aws"), clouds("azure"), clouds("gcp")), (3, 2, 4));
}

#[tokio::test]
async fn a_saved_estate_reloads_with_its_changes() {
    let sim = Sim::demo();
    let vm = named(&sim, "aws.ec2.Instance", "dev-api-1");
    act(&sim, "aws.ec2.stop", &[], vec![vm.clone()]).await;
    act(&sim, "aws.ec2.create_snapshots", &[], vec![Value::Record(list(&sim, "aws.ec2.volumes", &[]).await.remove(0))])
        .await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("estate.json");
    sim.save(&path).expect("saves");
    let reloaded = Sim::from_file(&path).expect("reloads");
    assert_eq!(state_of(&reloaded, &id_of(&vm)), "stopped");
    assert_eq!(reloaded.estate_json(), sim.estate_json());
    // The serial moves on, so the next run's new ids are new again.
    let again = act(
        &reloaded,
        "aws.ec2.create_snapshots",
        &[],
        vec![Value::Record(list(&reloaded, "aws.ec2.volumes", &[]).await.remove(0))],
    )
    .await;
    assert_eq!(status(&again[0]), "changed");
    let ids: std::collections::BTreeSet<String> = reloaded.resources().iter().map(id_of).collect();
    assert_eq!(ids.len(), reloaded.resources().len());
}

fn problems(text: &str) -> Vec<String> {
    match Sim::from_json(text) {
        Err(LoadError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("not a validation error: {other}"),
        Ok(_) => panic!("the estate loaded"),
    }
}

const ACCOUNT: &str = r#""cloud": "aws", "id": "111122223333", "name": "test""#;

fn estate_with(resources: &str) -> String {
    format!(r#"{{"now": "2025-06-02T19:00:00Z", "accounts": [{{{ACCOUNT}, "resources": [{resources}]}}]}}"#)
}

const BUCKET: &str = r#""kind": "aws.s3.Bucket", "name": "b", "cloud": "aws", "region": "us-east-1", "public": false,
    "encrypted": true, "versioning": false, "tags": {}, "created": "2025-01-01T00:00:00Z", "public_access_blocked": true"#;

#[test]
fn a_valid_resource_loads_with_its_account_and_absent_optional_fields_filled_in() {
    let sim = Sim::from_json(&estate_with(&format!(r#"{{"id": "b", {BUCKET}}}"#))).expect("loads");
    let bucket = current(&sim, "b").expect("the bucket");
    assert_eq!(field(&bucket, "account"), "111122223333");
    assert_eq!(bucket.get("encryption"), Some(&Value::Null));
}

#[test]
fn an_unknown_kind_is_named() {
    let found = problems(&estate_with(r#"{"id": "x-1", "kind": "aws.ec2.Instanse"}"#));
    assert_eq!(found, ["x-1: unknown kind `aws.ec2.Instanse`"]);
}

#[test]
fn a_missing_field_is_named_with_its_resource() {
    let without_region = BUCKET.replace(r#""region": "us-east-1", "#, "");
    let found = problems(&estate_with(&format!(r#"{{"id": "b", {without_region}}}"#)));
    assert_eq!(found, ["b: `aws.s3.Bucket` needs the field `region` (string)"]);
}

#[test]
fn a_mistyped_field_an_unknown_region_and_an_unknown_account_are_each_reported() {
    let bad = BUCKET.replace(r#""public": false"#, r#""public": "no""#).replace("us-east-1", "us-middle-1");
    let found = problems(&estate_with(&format!(r#"{{"id": "b", "account": "999", {bad}}}"#)));
    assert_eq!(found.len(), 1, "a resource named under another account is reported before its fields: {found:?}");
    let found = problems(&estate_with(&format!(r#"{{"id": "b", {bad}}}"#)));
    assert_eq!(found, ["b: field `public` should be bool, not a string", "b: `us-middle-1` is not a region of aws"]);
}

#[test]
fn duplicate_ids_are_errors() {
    let found = problems(&estate_with(&format!(r#"{{"id": "b", {BUCKET}}}, {{"id": "b", {BUCKET}}}"#)));
    assert_eq!(found, ["b: duplicate id: another resource already has it"]);
}

#[test]
fn generated_estates_are_the_same_for_a_seed_and_reload_cleanly() {
    let first = Sim::generate(500, 42);
    assert_eq!(first.resources().len(), 500);
    assert_eq!(first.estate_json(), Sim::generate(500, 42).estate_json());
    assert_ne!(first.estate_json(), Sim::generate(500, 43).estate_json());
    let reloaded = Sim::from_json(&first.estate_json()).expect("a generated estate is valid");
    assert_eq!(reloaded.estate_json(), first.estate_json());
}

#[test]
fn a_large_generated_estate_covers_every_cloud() {
    let sim = Sim::generate(10_000, 1);
    let estate = sim.estate();
    let clouds: std::collections::BTreeSet<String> =
        estate.resources().map(|r| field(r, "cloud").to_string()).collect();
    assert_eq!(clouds.into_iter().collect::<Vec<_>>(), ["aws", "azure", "gcp"]);
    assert_eq!(estate.len(), 10_000);
}
