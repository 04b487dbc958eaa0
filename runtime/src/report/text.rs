//! A run report as a person reads it, as Terraform shows a plan: a line per step with what it found or
//! changed, under it a line per resource it changed (`~ i-0abc (web-1, us-east-1, env=dev) running → stopped`,
//! `-` for a removal, `+` for a creation; the first few), the targets it failed on, and a total in the actions'
//! own words (`Plan: 12 to stop, 3 to delete, 0 unchanged`). Hosts print it after a run (the CLI, a container
//! job's log); the report's JSON and the report files have every resource.

use std::collections::BTreeMap;
use std::fmt::Write;

use escher_compiler::plan::Value;

use super::change::{ChangeKind, ResourceChange};
use super::verb::{CHANGE, Verb, created_noun};
use super::{RunReport, StepReport};

/// How many changed resources a step lists before counting the rest.
const LISTED: usize = 10;

/// How many changed fields a resource's line shows.
const FIELDS_SHOWN: usize = 2;

/// The report as a short table, each step with the resources it changed, ending with a total line: "Done: 3
/// stopped, 1 unchanged, 0 failed" ("Plan: 3 to stop, 1 unchanged" for a dry run).
pub fn summary(report: &RunReport) -> String {
    let mut out =
        format!("\n{} {:?}{}\n", report.playbook, report.status, if report.dry_run { " (dry run)" } else { "" });
    let mut totals = Totals::default();
    for step in &report.steps {
        if step.is_waiting_for_approval() {
            let error = step.error.as_deref().unwrap_or_default();
            let _ = writeln!(out, "  {:<28} {:<20} ⏸ {error}", step.node, step.action);
            continue;
        }
        if over_resources(step) {
            totals.add(step);
        }
        let counts = found(step).unwrap_or_else(|| counts(step, report.dry_run));
        let _ = writeln!(out, "  {:<28} {:<20} {:?}: {counts}", step.node, step.action, step.status);
        resources(&mut out, step);
        if let Some(error) = &step.error {
            let _ = writeln!(out, "      error: {error}");
        }
    }
    out.push_str(&totals.line(report.dry_run));
    out
}

/// Only the steps that act on resources, each with the resources it changes (would change, in a dry run), and
/// the total line: what `escher plan` shows under the plan when it can ask a simulated estate.
pub fn resource_diff(report: &RunReport) -> String {
    let mut out = String::new();
    let mut totals = Totals::default();
    for step in report.steps.iter().filter(|step| over_resources(step) && !step.is_waiting_for_approval()) {
        totals.add(step);
        let _ = writeln!(out, "  {} ({}): {}", step.node, step.action, counts(step, report.dry_run));
        resources(&mut out, step);
        if let Some(error) = &step.error {
            let _ = writeln!(out, "      error: {error}");
        }
    }
    out.push_str(&totals.line(report.dry_run));
    out
}

/// What a step that acted on no resources says instead of counts: a query what it found, a wait how long it
/// waited, a report or a notification that it is done. `None` for a step over resources.
fn found(step: &StepReport) -> Option<String> {
    match &step.output {
        _ if acted(step) => None,
        Value::List(found) => Some(format!("found {}", found.len())),
        Value::Record(fields) => match waited(fields) {
            Some(waited) => Some(format!("waited {waited}")),
            None if !fields.contains_key("changed") => Some(String::from("done")),
            None => None,
        },
        _ => None,
    }
}

/// Whether a step acts on resources: it changed, left or failed some, or its output is an outcome.
fn over_resources(step: &StepReport) -> bool {
    acted(step) || matches!(&step.output, Value::Record(fields) if fields.contains_key("changed"))
}

/// Whether a step changed, left or failed some resources.
fn acted(step: &StepReport) -> bool {
    !(step.changed.is_empty() && step.unchanged.is_empty() && step.failed.is_empty())
}

/// "6 to stop, 0 unchanged, 0 failed" or "6 stopped, 0 unchanged, 0 failed".
fn counts(step: &StepReport, dry_run: bool) -> String {
    let verb = Verb::of(&step.action);
    format!(
        "{}, {} unchanged, {} failed",
        verbed(step.changed.len(), verb, dry_run),
        step.unchanged.len(),
        step.failed.len()
    )
}

fn verbed(count: usize, verb: Verb, dry_run: bool) -> String {
    match dry_run {
        true => format!("{count} to {}", verb.base),
        false => format!("{count} {}", verb.past),
    }
}

/// The step's changed resources (the first [`LISTED`]) and its failed targets.
fn resources(out: &mut String, step: &StepReport) {
    if step.changes.is_empty() {
        // A report from before changes were recorded: ids only.
        let sign = Verb::of(&step.action).kind().sign();
        for id in step.changed.iter().take(LISTED) {
            let _ = writeln!(out, "      {sign} {id}");
        }
    } else {
        for change in step.changes.iter().take(LISTED) {
            let _ = writeln!(out, "      {}", line(&step.action, change));
        }
    }
    if step.changed.len().max(step.changes.len()) > LISTED {
        let _ = writeln!(out, "      ... and {} more", step.changed.len().max(step.changes.len()) - LISTED);
    }
    for failed in &step.failed {
        let _ = writeln!(out, "      ✗ {} failed: {}", failed.id, failed.error);
    }
}

/// One resource's line: `~ i-0abc (web-1, us-east-1, env=dev) running → stopped`.
pub fn line(action: &str, change: &ResourceChange) -> String {
    let mut identity: Vec<String> = change.name.iter().chain(&change.region).cloned().collect();
    identity.extend(change.tags.iter().map(|(key, value)| format!("{key}={value}")));
    let identity = match identity.is_empty() {
        true => String::new(),
        false => format!(" ({})", identity.join(", ")),
    };
    let verb = Verb::of(action);
    let what = match (change.change, created_noun(action)) {
        (ChangeKind::Create, Some(noun)) if verb.creates_from_target() => format!("{noun} from {}", change.id),
        _ => change.id.clone(),
    };
    let mut text = format!("{} {what}{identity}", change.change.sign());
    let fields = fields(change);
    if !fields.is_empty() && !change.is_gone() {
        text.push(' ');
        text.push_str(&fields);
    }
    text
}

/// The changed fields, the state first, then the tags, then the rest: `running → stopped`, `tags +owner=platform`,
/// `instance_type t3.large → m7g.large`.
fn fields(change: &ResourceChange) -> String {
    let mut names: Vec<&String> = change.after.keys().collect();
    names.sort_by_key(|name| (name.as_str() != "state", name.as_str() != "tags"));
    let shown: Vec<String> = names
        .iter()
        .take(FIELDS_SHOWN)
        .map(|name| {
            let before = change.before.get(*name).unwrap_or(&Value::Null);
            let after = change.after.get(*name).unwrap_or(&Value::Null);
            match name.as_str() {
                "state" => format!("{} → {}", shown(before), shown(after)),
                "tags" => format!("tags {}", tag_changes(before, after)),
                _ => format!("{name} {} → {}", shown(before), shown(after)),
            }
        })
        .collect();
    shown.join(", ")
}

/// `+owner=platform ~env=dev→test -temp`.
fn tag_changes(before: &Value, after: &Value) -> String {
    let none = BTreeMap::new();
    let tags = |value: &Value| match value {
        Value::Record(tags) => tags.clone(),
        _ => none.clone(),
    };
    let (old, new): (BTreeMap<String, Value>, BTreeMap<String, Value>) = (tags(before), tags(after));
    let mut parts = Vec::new();
    for (key, value) in &new {
        match old.get(key) {
            None => parts.push(format!("+{key}={}", shown(value))),
            Some(was) if was != value => parts.push(format!("~{key}={}→{}", shown(was), shown(value))),
            Some(_) => {}
        }
    }
    parts.extend(old.keys().filter(|key| !new.contains_key(*key)).map(|key| format!("-{key}")));
    parts.join(" ")
}

/// A field's value as a line shows it.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "none".into(),
        Value::String(text) => text.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Duration { duration_ms } => escher_compiler::lower::format_duration(*duration_ms),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The total line's counts, each verb in the order its first step came.
#[derive(Default)]
struct Totals {
    by_verb: Vec<(Verb, usize)>,
    unchanged: usize,
    failed: usize,
}

impl Totals {
    fn add(&mut self, step: &StepReport) {
        let verb = Verb::of(&step.action);
        match self.by_verb.iter_mut().find(|(known, _)| *known == verb) {
            Some((_, count)) => *count += step.changed.len(),
            None => self.by_verb.push((verb, step.changed.len())),
        }
        self.unchanged += step.unchanged.len();
        self.failed += step.failed.len();
    }

    /// `Plan: 12 to stop, 3 to delete, 0 unchanged` (and the failures, if any), or `Done: 12 stopped, 3 deleted,
    /// 0 unchanged, 0 failed`.
    fn line(&self, dry_run: bool) -> String {
        let mut parts: Vec<String> = self.by_verb.iter().map(|(verb, count)| verbed(*count, *verb, dry_run)).collect();
        if parts.is_empty() {
            parts.push(verbed(0, CHANGE, dry_run));
        }
        parts.push(format!("{} unchanged", self.unchanged));
        if !dry_run || self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        format!("{}: {}\n", if dry_run { "Plan" } else { "Done" }, parts.join(", "))
    }
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
    use crate::report::change::changes_in;
    use crate::report::{FailedTarget, StepReport};

    fn text(s: &str) -> Value {
        Value::String(s.into())
    }

    fn resource(id: &str, name: &str, fields: &[(&str, Value)]) -> Value {
        let mut record = BTreeMap::from([
            ("id".to_string(), text(id)),
            ("name".to_string(), text(name)),
            ("region".to_string(), text("us-east-1")),
            ("tags".to_string(), Value::Record(BTreeMap::from([("env".to_string(), text("dev"))]))),
        ]);
        record.extend(fields.iter().map(|(field, value)| (field.to_string(), value.clone())));
        Value::Record(record)
    }

    fn instance(n: usize, state: &str) -> Value {
        resource(&format!("i-0{n}"), &format!("web-{n}"), &[("state", text(state))])
    }

    /// A step over targets: each `(before, after)` changed, `unchanged` left as they were.
    fn acting(node: &str, action: &str, changed: Vec<(Value, Value)>, unchanged: Vec<Value>) -> StepReport {
        let targets: Vec<Value> = changed.iter().map(|(before, _)| before.clone()).chain(unchanged.clone()).collect();
        let after: Vec<Value> = changed.into_iter().map(|(_, after)| after).collect();
        let output = Value::Record(BTreeMap::from([
            ("targets".to_string(), Value::List(targets)),
            ("changed".to_string(), Value::List(after.clone())),
            ("unchanged".to_string(), Value::List(unchanged.clone())),
            ("failed".to_string(), Value::List(Vec::new())),
        ]));
        let id = |v: &Value| crate::provider::resource_id(v).unwrap_or_default().to_string();
        StepReport {
            node: node.into(),
            action: action.into(),
            status: StepStatus::Succeeded,
            changed: after.iter().map(id).collect(),
            resolved_on_resume: Vec::new(),
            unchanged: unchanged.iter().map(id).collect(),
            failed: Vec::new(),
            changes: changes_in(action, &output),
            attempts: 1,
            duration_ms: 5,
            error: None,
            output,
        }
    }

    /// A query, a wait or a notification: a step that only answers.
    fn answering(node: &str, action: &str, output: Value) -> StepReport {
        StepReport { output, ..acting(node, action, Vec::new(), Vec::new()) }
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

    /// A small estate's night: three instances found, two stopped (one already was), a volume deleted, one
    /// instance tagged, one resized, a snapshot made.
    fn night(dry_run: bool) -> RunReport {
        let volume = resource("vol-0123", "data-1", &[("state", text("available"))]);
        let mut deleted = volume.clone();
        if let Value::Record(fields) = &mut deleted {
            fields.insert("state".into(), text("deleted"));
        }
        let tagged = resource("i-01", "web-1", &[("state", text("stopped"))]);
        let mut with_owner = tagged.clone();
        if let Value::Record(fields) = &mut with_owner {
            fields.insert(
                "tags".into(),
                Value::Record(BTreeMap::from([("env".into(), text("dev")), ("owner".into(), text("platform"))])),
            );
        }
        let small = resource("i-02", "web-2", &[("state", text("stopped")), ("instance_type", text("t3.large"))]);
        let large = resource("i-02", "web-2", &[("state", text("stopped")), ("instance_type", text("m7g.large"))]);
        let found = Value::List(vec![instance(1, "running"), instance(2, "running"), instance(3, "stopped")]);
        report(
            dry_run,
            vec![
                answering("find", "aws.ec2.instances", found),
                acting(
                    "stop",
                    "aws.ec2.stop",
                    vec![
                        (instance(1, "running"), instance(1, "stopped")),
                        (instance(2, "running"), instance(2, "stopped")),
                    ],
                    vec![instance(3, "stopped")],
                ),
                acting("clean", "aws.ec2.delete_volumes", vec![(volume.clone(), deleted)], Vec::new()),
                acting("own", "aws.ec2.tag", vec![(tagged, with_owner)], Vec::new()),
                acting("grow", "aws.ec2.resize", vec![(small, large)], Vec::new()),
                acting("keep", "aws.ec2.create_snapshots", vec![(volume.clone(), volume)], Vec::new()),
                answering("told", "notify", Value::Record(BTreeMap::from([("sent".to_string(), Value::Bool(true))]))),
            ],
        )
    }

    #[test]
    fn a_dry_run_summary_names_each_resource_and_totals_in_the_actions_words() {
        insta::assert_snapshot!(summary(&night(true)));
    }

    #[test]
    fn a_run_summary_says_what_was_done() {
        insta::assert_snapshot!(summary(&night(false)));
    }

    #[test]
    fn the_resource_diff_has_only_the_steps_over_resources() {
        insta::assert_snapshot!(resource_diff(&night(true)));
    }

    #[test]
    fn lists_the_first_changed_resources_and_counts_the_rest() {
        let many = (0..12).map(|n| (instance(n, "running"), instance(n, "stopped"))).collect();
        let mut failing = acting("tag", "aws.ec2.tag", Vec::new(), Vec::new());
        failing.failed.push(FailedTarget { id: "i-9".into(), error: "denied".into() });
        let text = summary(&report(false, vec![acting("stop", "aws.ec2.stop", many, Vec::new()), failing]));
        assert!(
            text.contains("      ~ i-09 (web-9, us-east-1, env=dev) running → stopped\n      ... and 2 more\n"),
            "{text}"
        );
        assert!(!text.contains("i-010"), "{text}");
        assert!(text.contains("      ✗ i-9 failed: denied\n"), "{text}");
        assert!(text.ends_with("Done: 12 stopped, 0 tagged, 0 unchanged, 1 failed\n"), "{text}");
    }

    #[test]
    fn a_report_without_changes_lists_its_ids() {
        let mut old =
            acting("stop", "aws.ec2.terminate", vec![(instance(1, "running"), instance(1, "terminated"))], Vec::new());
        old.changes.clear();
        let text = summary(&report(false, vec![old]));
        assert!(text.contains("Succeeded: 1 terminated, 0 unchanged, 0 failed\n      - i-01\n"), "{text}");
    }

    #[test]
    fn a_wait_says_how_long() {
        let waited = Value::Record([("waited".to_string(), Value::Duration { duration_ms: 300_000 })].into());
        let text = summary(&report(false, vec![answering("warmup", "wait", waited)]));
        assert!(text.contains("Succeeded: waited 5m\n"), "{text}");
        assert!(text.ends_with("Done: 0 changed, 0 unchanged, 0 failed\n"), "{text}");
    }
}
