//! A compiled plan and the journal of a realistic run of it, shared by the journal tests.

// Each test file uses only some of these.
#![allow(dead_code)]

use std::collections::BTreeMap;

use escher_compiler::plan::{Plan, Value};
use escher_compiler::{CompileOptions, NoImports, compile};
use escher_runtime::approval::Decision;
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::journal::JournalRecord;
use escher_runtime::provider::{TargetResult, TargetStatus};

pub const RUN_ID: &str = "20250106T200000Z-0a1b2c";

const PLAYBOOK: &str = r#"
playbook nightly {
  let vms = aws.ec2.instances(regions = ["eu-west-1"], state = "running")
  step stop = aws.ec2.stop(vms) { max_targets = 5, retry = 2 }
  step summary = report.summary("Stopped", values = { stopped: len(stop.changed) })
}
"#;

pub fn plan() -> Plan {
    let options = CompileOptions::plan(&NoImports, BTreeMap::new());
    let compilation = compile("nightly.esc", PLAYBOOK, &options);
    compilation.plan.unwrap_or_else(|| panic!("the fixture playbook compiles: {:?}", compilation.diagnostics))
}

pub fn at(second: u32) -> String {
    format!("2025-01-06T20:00:{second:02}Z")
}

pub fn instance(id: &str, state: &str) -> Value {
    Value::Record(BTreeMap::from([
        ("id".to_string(), Value::String(id.to_string())),
        ("name".to_string(), Value::String(format!("dev-{id}"))),
        ("cloud".to_string(), Value::String("aws".to_string())),
        ("region".to_string(), Value::String("eu-west-1".to_string())),
        ("account".to_string(), Value::String("123456789012".to_string())),
        ("state".to_string(), Value::String(state.to_string())),
        ("tags".to_string(), Value::Record(BTreeMap::from([("env".to_string(), Value::String("dev".to_string()))]))),
        ("cpu".to_string(), Value::Float(0.5)),
        ("vcpus".to_string(), Value::Int(2)),
        ("launched".to_string(), Value::Null),
        ("ebs_optimized".to_string(), Value::Bool(true)),
    ]))
}

pub fn result(id: &str, status: TargetStatus) -> TargetResult {
    TargetResult { id: id.to_string(), status, resource: instance(id, "stopped") }
}

fn ids(ids: &[&str]) -> Value {
    Value::List(ids.iter().map(|id| Value::String(id.to_string())).collect())
}

/// `{targets, changed, unchanged, failed}`: an action's output.
pub fn outcome() -> Value {
    Value::Record(BTreeMap::from([
        ("targets".to_string(), ids(&["i-1", "i-2", "i-3"])),
        ("changed".to_string(), Value::List(vec![instance("i-1", "stopped")])),
        ("unchanged".to_string(), Value::List(vec![instance("i-2", "stopped")])),
        (
            "failed".to_string(),
            Value::List(vec![Value::Record(BTreeMap::from([
                ("id".to_string(), Value::String("i-3".to_string())),
                ("error".to_string(), Value::String("rejected: UnauthorizedOperation".to_string())),
            ]))]),
        ),
    ]))
}

pub fn decision(plan: &Plan, node: &str) -> Decision {
    Decision {
        approved: true,
        by: "auto".to_string(),
        role: "manager".to_string(),
        reason: Some("risk medium is within --approve-up-to high".to_string()),
        plan_hash: plan.hash.clone(),
        node: node.to_string(),
        proof: None,
    }
}

pub fn step_started(node: &str, batch: usize, attempt: u32, targets: &[&str], second: u32) -> JournalRecord {
    JournalRecord::StepStarted {
        node: node.to_string(),
        batch,
        attempt,
        idempotency_key: format!("{RUN_ID}:{node}:{batch}"),
        targets: targets.iter().map(|t| t.to_string()).collect(),
        before: Vec::new(),
        at: at(second),
    }
}

/// A run that stops three instances in two batches, retries the second batch once, skips its summary, and
/// finishes: every record kind except `run_resumed` and `rolled_back`.
pub fn realistic_run(plan: &Plan) -> Vec<JournalRecord> {
    vec![
        JournalRecord::RunStarted { run_id: RUN_ID.to_string(), plan: plan.clone(), dry_run: false, at: at(0) },
        JournalRecord::StepFinished {
            node: "vms".to_string(),
            status: StepStatus::Succeeded,
            output: Value::List(vec![
                instance("i-1", "running"),
                instance("i-2", "stopped"),
                instance("i-3", "running"),
            ]),
            error: None,
            at: at(1),
        },
        JournalRecord::ApprovalDecided { node: "stop".to_string(), decision: decision(plan, "stop"), at: at(2) },
        step_started("stop", 0, 1, &["i-1", "i-2"], 3),
        step_started("stop", 1, 1, &["i-3"], 3),
        JournalRecord::BatchFinished {
            node: "stop".to_string(),
            batch: 0,
            results: vec![result("i-1", TargetStatus::Changed), result("i-2", TargetStatus::Unchanged)],
            at: at(4),
        },
        step_started("stop", 1, 2, &["i-3"], 5),
        JournalRecord::BatchFinished {
            node: "stop".to_string(),
            batch: 1,
            results: vec![result("i-3", TargetStatus::Failed { error: "rejected: UnauthorizedOperation".to_string() })],
            at: at(6),
        },
        JournalRecord::StepFinished {
            node: "stop".to_string(),
            status: StepStatus::PartiallySucceeded,
            output: outcome(),
            error: None,
            at: at(7),
        },
        JournalRecord::StepSkipped { node: "summary".to_string(), reason: "when was false".to_string(), at: at(8) },
        JournalRecord::RunFinished { status: RunStatus::Succeeded, at: at(9) },
    ]
}
