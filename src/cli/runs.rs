//! `escher runs` and `escher show RUN_ID`: what ran, from the journals.

use std::path::Path;

use escher_runtime::journal::{list_runs, read_state};

use super::{EXIT_OK, EXIT_USAGE, Format};

pub fn list(state: &Path) -> u8 {
    match list_runs(state) {
        Ok(runs) if runs.is_empty() => {
            eprintln!("no runs in {}", state.display());
            EXIT_OK
        }
        Ok(runs) => {
            outln!("{:<26} {:<28} {:<14} {:<26} plan", "run", "playbook", "status", "started");
            for run in runs {
                outln!(
                    "{:<26} {:<28} {:<14} {:<26} {}{}",
                    run.run_id,
                    run.playbook,
                    run.status,
                    run.started_at,
                    &run.plan_hash[..12.min(run.plan_hash.len())],
                    if run.dry_run { " (dry run)" } else { "" }
                );
            }
            EXIT_OK
        }
        Err(error) => {
            eprintln!("error: {error}");
            EXIT_USAGE
        }
    }
}

pub fn show(state: &Path, run_id: &str, format: Format) -> u8 {
    let journal = match read_state(state, run_id) {
        Ok(journal) => journal,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_USAGE;
        }
    };
    let Some(plan) = &journal.plan else {
        eprintln!("error: run {run_id} has no plan in its journal");
        return EXIT_USAGE;
    };
    if format == Format::Json {
        let steps: serde_json::Map<String, serde_json::Value> = journal
            .finished
            .iter()
            .map(|(node, (status, output))| (node.clone(), serde_json::json!({ "status": status, "output": output })))
            .collect();
        let summary = serde_json::json!({
            "run_id": run_id,
            "playbook": plan.playbook,
            "plan_hash": plan.hash,
            "dry_run": journal.dry_run,
            "status": journal.finished_with,
            "steps": steps,
            "skipped": journal.skipped,
            "in_doubt": journal.in_doubt.iter().map(|(node, batch, _)| format!("{node}#{batch}")).collect::<Vec<_>>(),
        });
        outln!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
        return EXIT_OK;
    }
    let status = journal.finished_with.map_or("not finished (crashed or running)".to_string(), |s| format!("{s:?}"));
    outln!("run {run_id}: {} ({status}){}", plan.playbook, if journal.dry_run { ", dry run" } else { "" });
    outln!("plan hash {}", plan.hash);
    for node in &plan.nodes {
        let state = if let Some((status, _)) = journal.finished.get(&node.id) {
            format!("{status:?}")
        } else if let Some(reason) = journal.skipped.get(&node.id) {
            format!("skipped ({reason})")
        } else if journal.in_doubt.iter().any(|(n, _, _)| n == &node.id) {
            "in doubt (was running when the run stopped)".to_string()
        } else {
            "not run".to_string()
        };
        outln!("  {:<28} {:<28} {state}", node.id, node.action);
    }
    EXIT_OK
}
