//! Dry runs: they must leave the estate as it was, say nowhere that they changed anything, and predict exactly
//! what the real run then changes.

use std::collections::BTreeSet;

use serde_json::Value;

use super::cli::{Finished, Sandbox};
use super::examples::{Example, ids_in, run_cleanly};

/// Whether a line of output says a step changed something (`7 changed`), without saying it only would have.
fn claims_changes(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let counted = words.windows(2).any(|pair| {
        pair[1].trim_end_matches([',', ';', ')', '.']) == "changed" && pair[0].parse::<u64>().is_ok_and(|n| n > 0)
    });
    counted && !line.to_lowercase().contains("would")
}

/// The ids each mutating step changed (or, in a dry run, would change), by step.
fn changes_by_step(example: &Example, show: &Value) -> Vec<(String, BTreeSet<String>)> {
    let plan = example.plan();
    plan["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|node| node["kind"] == "action" && node["effect"] != "read")
        .filter_map(|node| node["id"].as_str())
        .filter(|id| show["steps"][id]["status"] != "not_simulated")
        .map(|id| (id.to_string(), ids_in(&show["steps"][id]["output"]["changed"])))
        .collect()
}

/// Whether any action of the example's plan changes the cloud.
pub fn mutates(example: &Example) -> bool {
    example.plan()["nodes"].as_array().into_iter().flatten().any(|node| {
        node["kind"] == "action" && ["mutate", "disrupt", "destroy"].iter().any(|effect| node["effect"] == *effect)
    })
}

/// Dry-runs the example (human output) on a fresh estate, then runs it for real on the same estate.
pub fn assert_dry_run_changes_nothing_and_predicts_the_real_run(example: &Example) {
    let name = example.name;
    assert!(mutates(example), "{name} changes nothing, so its dry run proves nothing");
    let sandbox = Sandbox::with_demo_estate();
    let pristine = sandbox.estate_bytes();
    let dry: Finished = sandbox.run(&example.path(), &example.args(&["--dry-run"]));
    assert_eq!(dry.code, Some(0), "{name}: the dry run failed:\n{}", dry.describe());
    assert!(sandbox.estate_bytes() == pristine, "{name}: the dry run changed the estate file");
    let run_id = dry.run_id();
    let show = sandbox.show(&run_id);
    assert_eq!(show["dry_run"], true, "{name}: the dry run is not shown as one");
    for (node, step) in show["steps"].as_object().into_iter().flatten() {
        let status = &step["status"];
        assert!(status == "succeeded" || status == "not_simulated", "{name}: dry-run step {node} ended {status}");
    }
    sandbox.assert_audit_intact(name);
    let mut boasts: Vec<String> =
        dry.stderr.lines().filter(|line| claims_changes(line)).map(|line| format!("output: {line}")).collect();
    let audit = sandbox.escher(&["audit", "export", "--format", "jsonl"]);
    for entry in audit.stdout.lines().filter_map(|line| serde_json::from_str::<Value>(line).ok()) {
        let result = entry["result"].as_str().unwrap_or_default();
        if entry["run_id"] == run_id.as_str() && claims_changes(result) {
            boasts.push(format!("audit record {} of {}: {result}", entry["kind"], entry["step"]));
        }
    }

    // Each mutating step would change exactly what the real run then changes.
    let predicted = changes_by_step(example, &show);
    let real = run_cleanly(&sandbox, example);
    assert_eq!(predicted, changes_by_step(example, &real.show), "{name}: the dry run predicted other changes");
    assert!(
        boasts.is_empty(),
        "{name}: the dry run reports changes as made, not as would-change:\n{}",
        boasts.join("\n")
    );
}
