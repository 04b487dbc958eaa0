//! `escher runs` and `escher show RUN_ID`: what ran, from the journals.

use std::path::{Path, PathBuf};

use escher_runtime::journal::{list_runs, read_state};

use super::{CliError, EXIT_OK, Format, Outcome};

#[derive(Debug, clap::Args)]
pub struct RunsArgs {
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    pub run_id: String,
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn list(state: &Path) -> Outcome {
    match list_runs(state) {
        Ok(runs) if runs.is_empty() => {
            eprintln!("no runs in {}", state.display());
            Ok(EXIT_OK)
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
            Ok(EXIT_OK)
        }
        Err(error) => Err(CliError::Usage(error.to_string())),
    }
}

pub fn show(state: &Path, args: &ShowArgs) -> Outcome {
    let (run_id, format) = (&args.run_id, args.format);
    let journal = read_state(state, run_id).map_err(|error| CliError::Usage(error.to_string()))?;
    let Some(plan) = &journal.plan else {
        return Err(CliError::Usage(format!("run {run_id} has no plan in its journal")));
    };
    if format == Format::Json {
        let steps: serde_json::Map<String, serde_json::Value> = journal
            .finished
            .iter()
            .map(|(node, (status, output))| {
                let action = plan.nodes.iter().find(|n| &n.id == node).map_or("", |n| n.action.as_str());
                let changes = escher_runtime::report::change::changes_in(action, output);
                (node.clone(), serde_json::json!({ "status": status, "output": output, "changes": changes }))
            })
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
        return Ok(EXIT_OK);
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
    Ok(EXIT_OK)
}
