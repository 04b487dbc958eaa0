//! A run report as a person reads it: a line per step with what it found or changed, the resources it
//! changed (the first few) and failed on, and a total. Hosts print it after a run (the CLI, a container job's
//! log); the report's JSON and the report files have every resource.

use std::fmt::Write;

use escher_compiler::plan::Value;

use super::RunReport;

/// How many changed resources a step lists by id before counting the rest.
const LISTED: usize = 10;

/// The report as a short table, ending with a total line: "Done: 3 changed, 1 unchanged, 0 failed" ("Plan:" and
/// "would change" for a dry run).
pub fn summary(report: &RunReport) -> String {
    let mut out =
        format!("\n{} {:?}{}\n", report.playbook, report.status, if report.dry_run { " (dry run)" } else { "" });
    let verb = if report.dry_run { "would change" } else { "changed" };
    let mut totals = (0, 0, 0);
    for step in &report.steps {
        if step.is_waiting_for_approval() {
            let error = step.error.as_deref().unwrap_or_default();
            let _ = writeln!(out, "  {:<28} {:<20} ⏸ {error}", step.node, step.action);
            continue;
        }
        let acted = !(step.changed.is_empty() && step.unchanged.is_empty() && step.failed.is_empty());
        let counts = match &step.output {
            // A query, or any step that only answered: what it found.
            Value::List(found) if !acted => format!("found {}", found.len()),
            Value::Record(fields) if !acted && waited(fields).is_some() => {
                format!("waited {}", waited(fields).unwrap_or_default())
            }
            // A report or a notification: no resources to count.
            Value::Record(fields) if !acted && !fields.contains_key("changed") => String::from("done"),
            _ => format!(
                "{} {verb}, {} unchanged, {} failed",
                step.changed.len(),
                step.unchanged.len(),
                step.failed.len()
            ),
        };
        let _ = writeln!(out, "  {:<28} {:<20} {:?}: {counts}", step.node, step.action, step.status);
        totals = (totals.0 + step.changed.len(), totals.1 + step.unchanged.len(), totals.2 + step.failed.len());
        for id in step.changed.iter().take(LISTED) {
            let _ = writeln!(out, "      ~ {id}");
        }
        if step.changed.len() > LISTED {
            let _ = writeln!(out, "      ~ ... and {} more", step.changed.len() - LISTED);
        }
        for failed in &step.failed {
            let _ = writeln!(out, "      ✗ {} failed: {}", failed.id, failed.error);
        }
        if let Some(error) = &step.error {
            let _ = writeln!(out, "      error: {error}");
        }
    }
    let (changed, unchanged, failed) = totals;
    let what = if report.dry_run { "Plan" } else { "Done" };
    let _ = writeln!(out, "{what}: {changed} {verb}, {unchanged} unchanged, {failed} failed");
    out
}

/// A wait step's time waited, as the playbook writes durations.
fn waited(fields: &std::collections::BTreeMap<String, Value>) -> Option<String> {
    match fields.get("waited") {
        Some(Value::Duration { duration_ms }) => Some(escher_compiler::lower::format_duration(*duration_ms)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{RunStatus, StepStatus};
    use crate::report::{FailedTarget, StepReport};

    fn step(node: &str, changed: usize, output: Value) -> StepReport {
        StepReport {
            node: node.into(),
            action: "aws.ec2.stop".into(),
            status: StepStatus::Succeeded,
            changed: (0..changed).map(|i| format!("i-{i}")).collect(),
            resolved_on_resume: Vec::new(),
            unchanged: Vec::new(),
            failed: Vec::new(),
            attempts: 1,
            duration_ms: 5,
            error: None,
            output,
        }
    }

    fn report(dry_run: bool, steps: Vec<StepReport>) -> RunReport {
        RunReport {
            run_id: "r1".into(),
            playbook: "nightly".into(),
            plan_hash: "h".into(),
            dry_run,
            status: RunStatus::Succeeded,
            steps,
            started_at: String::new(),
            finished_at: String::new(),
        }
    }

    #[test]
    fn lists_the_first_changed_resources_and_totals_them() {
        let mut failing = step("tag", 0, Value::Null);
        failing.failed.push(FailedTarget { id: "i-9".into(), error: "denied".into() });
        let text = summary(&report(false, vec![step("stop", 12, Value::Null), failing]));
        assert!(text.contains("      ~ i-9\n      ~ ... and 2 more\n"), "{text}");
        assert!(text.contains("      ✗ i-9 failed: denied\n"), "{text}");
        assert!(text.ends_with("Done: 12 changed, 0 unchanged, 1 failed\n"), "{text}");
    }

    #[test]
    fn a_wait_says_how_long() {
        let waited = Value::Record([("waited".to_string(), Value::Duration { duration_ms: 300_000 })].into());
        let text = summary(&report(false, vec![step("warmup", 0, waited)]));
        assert!(text.contains("Succeeded: waited 5m\n"), "{text}");
    }

    #[test]
    fn a_query_says_what_it_found_and_a_dry_run_what_would_change() {
        let found = Value::List(vec![Value::Null, Value::Null]);
        let text = summary(&report(true, vec![step("find", 0, found), step("stop", 1, Value::Null)]));
        assert!(text.contains("Succeeded: found 2\n"), "{text}");
        assert!(text.contains("Succeeded: 1 would change, 0 unchanged, 0 failed\n"), "{text}");
        assert!(text.ends_with("Plan: 1 would change, 0 unchanged, 0 failed\n"), "{text}");
    }
}
