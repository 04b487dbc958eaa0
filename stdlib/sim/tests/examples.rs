//! The demo estate is made for the example playbooks: every query they make returns something to act on, and
//! what they act on stays within their `max_targets`.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::*;
use escher_compiler::plan::{NodeKind, Plan, Value};
use escher_compiler::{CompileOptions, MemoryLoader, ParamInput, compile};
use escher_sim::Sim;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

/// Required parameters of the examples that have some, as the examples README gives them.
fn params(file: &str) -> BTreeMap<String, ParamInput> {
    let given: &[(&str, &str)] = match file {
        "resize.esc" => &[("instance_id", "i-0123456789abcdef0")],
        "production_dr.esc" => &[("health_check_id", "0a1b2c3d-0000-4000-8000-123456789abc")],
        _ => &[],
    };
    given.iter().map(|(k, v)| (k.to_string(), ParamInput::Text(v.to_string()))).collect()
}

fn plans() -> Vec<(String, Plan)> {
    let mut loader = MemoryLoader::default();
    let library = std::fs::read_to_string(format!("{EXAMPLES}/lib/notify_team.esc")).expect("the notify_team library");
    loader.files.insert("lib/notify_team.esc".into(), library);
    let mut files: Vec<String> = std::fs::read_dir(EXAMPLES)
        .expect("examples/")
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.ends_with(".esc"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "found {files:?}");
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(format!("{EXAMPLES}/{file}")).expect("readable");
            let compiled = compile(&file, &text, &CompileOptions::plan(&loader, params(&file)));
            let plan = compiled.plan.unwrap_or_else(|| panic!("{file} does not compile: {:?}", compiled.diagnostics));
            (file, plan)
        })
        .collect()
}

/// Each query node of a plan whose arguments are all plain values, asked of the demo in a run of its own.
async fn query_results(plan: &Plan, sim: &Arc<Sim>) -> Vec<(String, Value)> {
    let mut results = Vec::new();
    for node in plan.nodes.iter().filter(|n| n.kind == NodeKind::Query) {
        if node.args.values().all(|e| e.as_value().is_some()) {
            results.push((node.id.clone(), answer_in_a_run(sim, plan, node).await));
        }
    }
    results
}

fn count(value: &Value) -> usize {
    match value {
        Value::List(items) => items.len(),
        Value::Record(fields) => fields.len(),
        _ => 1,
    }
}

#[tokio::test]
async fn every_query_of_every_example_finds_something_in_the_demo() {
    let sim = Arc::new(Sim::demo());
    let mut queried = 0;
    for (file, plan) in plans() {
        for (node, value) in query_results(&plan, &sim).await {
            assert!(count(&value) > 0, "{file}: `{node}` found nothing in the demo estate");
            queried += 1;
        }
    }
    assert!(queried >= 20, "only {queried} queries were run");
}

#[tokio::test]
async fn what_the_examples_act_on_stays_within_their_caps() {
    let sim = Arc::new(Sim::demo());
    let expected: &[(&str, &str, usize)] = &[
        ("nightly_shutdown.esc", "ec2", 6),
        ("nightly_shutdown.esc", "azure_vms", 4),
        ("nightly_shutdown.esc", "gce", 5),
        ("weekend_startup.esc", "machines", 7),
        ("weekend_startup.esc", "databases", 4),
        ("waste_cleanup.esc", "idle", 3),
        ("production_dr.esc", "critical", 3),
        ("production_dr.esc", "databases", 3),
        ("public_storage_lockdown.esc", "gcs_public", 2),
        ("open_ports_remediation.esc", "open_rules", 9),
    ];
    let plans = plans();
    for (file, node, size) in expected {
        let (_, plan) = plans.iter().find(|(f, _)| f == file).expect("the example");
        let results = query_results(plan, &sim).await;
        let (_, value) =
            results.iter().find(|(n, _)| n == node).unwrap_or_else(|| panic!("{file} has no query {node}"));
        assert_eq!(count(value), *size, "{file}: {node}");
    }
}

#[tokio::test]
async fn the_instance_the_resize_example_names_is_in_its_region() {
    let sim = Arc::new(Sim::demo());
    let plans = plans();
    let (_, plan) = plans.iter().find(|(f, _)| f == "resize.esc").expect("resize.esc");
    let results = query_results(plan, &sim).await;
    let (_, Value::List(instances)) = results.iter().find(|(n, _)| n == "instances").expect("the instances query")
    else {
        panic!("a list")
    };
    assert!(instances.iter().any(|i| id_of(i) == "i-0123456789abcdef0"));
}
