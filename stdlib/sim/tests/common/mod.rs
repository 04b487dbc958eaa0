//! Helpers shared by the simulator's tests: calls, and reading results.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use escher_compiler::plan::{Plan, PlanNode, RiskLevel, Value, plan_hash};
use escher_compiler::{CompileOptions, NoImports, compile};
use escher_runtime::approval::ApproveUpTo;
use escher_runtime::events::StepStatus;
use escher_runtime::provider::{Provider, ProviderCall, ProviderError, ProviderResponse, TargetResult, TargetStatus};
use escher_runtime::report::RunReport;
use escher_runtime::{RunOptions, Runtime};
use escher_sim::Sim;

pub type Record = BTreeMap<String, Value>;

pub fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

pub fn map(pairs: &[(&str, &str)]) -> Value {
    Value::Record(pairs.iter().map(|(k, v)| (k.to_string(), s(v))).collect())
}

pub fn strs(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}

pub fn days(n: u64) -> Value {
    Value::Duration { duration_ms: n * 24 * 3600 * 1000 }
}

pub fn call(action: &str, args: &[(&str, Value)], targets: Vec<Value>) -> ProviderCall {
    ProviderCall {
        run_id: "test".into(),
        node: "node".into(),
        action: action.into(),
        args: args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        secrets: BTreeMap::new(),
        targets,
        dry_run: false,
        idempotency_key: String::new(),
        in_doubt: false,
    }
}

pub async fn query(sim: &Sim, action: &str, args: &[(&str, Value)]) -> Result<Value, ProviderError> {
    match sim.call(&call(action, args, Vec::new())).await? {
        ProviderResponse::Value(value) => Ok(value),
        ProviderResponse::Targets(_) => panic!("{action} answered with targets"),
    }
}

/// The records a listing returned.
pub async fn list(sim: &Sim, action: &str, args: &[(&str, Value)]) -> Vec<Record> {
    match query(sim, action, args).await {
        Ok(Value::List(items)) => items.into_iter().map(record).collect(),
        other => panic!("{action} did not list: {other:?}"),
    }
}

/// Several listings' records, joined in the order given: what a cloud-agnostic query lists over the clouds.
pub async fn list_each(sim: &Sim, listings: &[(&str, &[(&str, Value)])]) -> Vec<Record> {
    let mut joined = Vec::new();
    for (action, args) in listings {
        joined.extend(list(sim, action, args).await);
    }
    joined
}

/// A run of `plan` on the simulator, approving everything.
pub async fn run_plan(sim: &Arc<Sim>, plan: Plan) -> RunReport {
    let state = tempfile::tempdir().expect("a state directory");
    let runtime = Runtime::builder()
        .provider(sim.clone())
        .approver(Arc::new(ApproveUpTo { level: RiskLevel::Critical, who: "test".into() }))
        .state_dir(state.path())
        .identity("test", "manager")
        .build()
        .expect("a runtime");
    runtime.run(plan, RunOptions::default()).expect("the run starts").finish().await.expect("the run ends")
}

/// What the query node `node` of `plan` answers when a run of it alone asks the simulator: a cloud-agnostic
/// query is routed by the runtime to each cloud's query that implements it.
pub async fn answer_in_a_run(sim: &Arc<Sim>, plan: &Plan, node: &PlanNode) -> Value {
    let mut alone = Plan { nodes: vec![node.clone()], edges: Vec::new(), ..plan.clone() };
    alone.hash = plan_hash(&alone);
    let report = run_plan(sim, alone).await;
    let step = report.steps.into_iter().next().expect("the query's step");
    match step.status {
        StepStatus::Succeeded => step.output,
        other => panic!("{}: `{}` ended {other:?}: {:?}", plan.playbook, node.id, step.error),
    }
}

/// The records a cloud-agnostic query, such as `storage.buckets(encrypted = false)`, lists when a run asks it of
/// the simulator.
pub async fn list_in_a_run(sim: &Arc<Sim>, query: &str) -> Vec<Record> {
    let text =
        format!("playbook listing {{\n  let found = {query}\n  step show = report.table(\"found\", found)\n}}\n");
    let compiled = compile("listing.esc", &text, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    let plan = compiled.plan.unwrap_or_else(|| panic!("`{query}` does not compile: {:?}", compiled.diagnostics));
    let node = plan.nodes.iter().find(|node| node.id == "found").expect("the query's node");
    match answer_in_a_run(sim, &plan, node).await {
        Value::List(items) => items.into_iter().map(record).collect(),
        other => panic!("`{query}` did not list: {other:?}"),
    }
}

pub async fn act(sim: &Sim, action: &str, args: &[(&str, Value)], targets: Vec<Value>) -> Vec<TargetResult> {
    act_with(sim, call(action, args, targets)).await
}

pub async fn act_with(sim: &Sim, call: ProviderCall) -> Vec<TargetResult> {
    match sim.call(&call).await {
        Ok(ProviderResponse::Targets(results)) => results,
        other => panic!("{} did not act on targets: {other:?}", call.action),
    }
}

pub fn record(value: Value) -> Record {
    match value {
        Value::Record(fields) => fields,
        other => panic!("not a record: {other:?}"),
    }
}

pub fn field<'a>(record: &'a Record, name: &str) -> &'a str {
    match record.get(name) {
        Some(Value::String(value)) => value,
        other => panic!("field {name} is not a string: {other:?}"),
    }
}

pub fn names(records: &[Record]) -> Vec<String> {
    let mut names: Vec<String> = records.iter().map(|r| field(r, "name").to_string()).collect();
    names.sort();
    names
}

/// The one resource of a kind with this name, as a value to target.
pub fn named(sim: &Sim, kind: &str, name: &str) -> Value {
    let found: Vec<Value> = sim
        .resources()
        .into_iter()
        .filter(|r| matches!(r, Value::Record(f) if f.get("kind") == Some(&s(kind)) && f.get("name") == Some(&s(name))))
        .collect();
    assert_eq!(found.len(), 1, "expected one {kind} named {name}");
    found.into_iter().next().expect("one")
}

pub fn id_of(resource: &Value) -> String {
    escher_runtime::provider::resource_id(resource).expect("a resource id").to_string()
}

/// The current record of a resource, if it still exists.
pub fn current(sim: &Sim, id: &str) -> Option<Record> {
    sim.resource(id).map(record)
}

pub fn state_of(sim: &Sim, id: &str) -> String {
    field(&current(sim, id).expect("the resource exists"), "state").to_string()
}

pub fn status(result: &TargetResult) -> &'static str {
    match result.status {
        TargetStatus::Changed => "changed",
        TargetStatus::Unchanged => "unchanged",
        TargetStatus::Failed { .. } => "failed",
        TargetStatus::NotSimulated { .. } => "not simulated",
    }
}

pub fn error(result: &TargetResult) -> &str {
    match &result.status {
        TargetStatus::Failed { error } => error,
        other => panic!("{} did not fail: {other:?}", result.id),
    }
}
