//! Test doubles for the executor's tests: a fake cloud that keeps a small estate, counts and times its calls and
//! can be told to throttle, fail or be slow; an event collector; approvers; and plans compiled from playbooks.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use escher_compiler::plan::{Plan, PlanNode, Value, plan_hash};
use escher_compiler::stdlib::Cloud;
use escher_compiler::{CompileOptions, NoImports, compile};
use escher_runtime::approval::{ApprovalRequest, Approver, Decision};
use escher_runtime::events::{EventKind, EventSink, RunEvent, SinkError};
use escher_runtime::journal::{JournalRecord, read_records};
use escher_runtime::provider::{
    Bucket, Provider, ProviderCall, ProviderError, ProviderResponse, TargetResult, TargetStatus, resource_id,
};
use escher_runtime::{Limits, Runtime};
use tokio::time::Instant;

/// Compiles a playbook with its parameters' defaults, panicking with the diagnostics if it does not compile.
pub fn plan(source: &str) -> Plan {
    let compilation = compile("test.esc", source, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    match compilation.plan {
        Some(plan) => plan,
        None => {
            let messages: Vec<String> = compilation.diagnostics.iter().map(|d| d.message()).collect();
            panic!("the test playbook does not compile: {messages:#?}")
        }
    }
}

/// Changes a node of a compiled plan (as a host could not without breaking the hash) and seals it again.
pub fn patch(mut plan: Plan, node: &str, change: impl FnOnce(&mut PlanNode)) -> Plan {
    let found = plan.nodes.iter_mut().find(|n| n.id == node).unwrap_or_else(|| panic!("no node `{node}`"));
    change(found);
    plan.hash = plan_hash(&plan);
    plan
}

pub fn instance(id: &str, region: &str) -> Value {
    record(&[
        ("id", Value::String(id.into())),
        ("name", Value::String(format!("vm-{id}"))),
        ("cloud", Value::String("aws".into())),
        ("region", Value::String(region.into())),
        ("account", Value::String("111111111111".into())),
        ("state", Value::String("running".into())),
        ("tags", Value::Record(BTreeMap::from([("env".to_string(), Value::String("dev".into()))]))),
    ])
}

pub fn record(fields: &[(&str, Value)]) -> Value {
    Value::Record(fields.iter().map(|(name, value)| (name.to_string(), value.clone())).collect())
}

pub fn field<'a>(value: &'a Value, name: &str) -> &'a Value {
    match value {
        Value::Record(fields) => fields.get(name).unwrap_or_else(|| panic!("no field `{name}` in {value:?}")),
        _ => panic!("{value:?} is not a record"),
    }
}

pub fn ids(list: &Value) -> Vec<String> {
    match list {
        Value::List(items) => items.iter().map(|item| resource_id(item).unwrap_or("?").to_string()).collect(),
        _ => panic!("{list:?} is not a list"),
    }
}

/// One call the fake cloud received.
#[derive(Debug, Clone)]
pub struct Call {
    pub action: String,
    pub node: String,
    pub key: String,
    pub targets: Vec<String>,
    pub dry_run: bool,
    pub secrets: Vec<String>,
    pub args: BTreeMap<String, Value>,
    /// When it arrived, since the fake was made (tokio time).
    pub at: Duration,
}

type Answer = Result<ProviderResponse, ProviderError>;

/// A cloud of EC2-like instances. Queries list the estate; `*.stop` and `*.start` change instance states (and
/// report targets already in the state as unchanged); other actions change every target.
pub struct FakeCloud {
    name: String,
    clouds: Vec<Cloud>,
    started: Instant,
    pub estate: Mutex<BTreeMap<String, Value>>,
    calls: Mutex<Vec<Call>>,
    describes: Mutex<Vec<Vec<String>>>,
    /// Answers to give, per action, before behaving normally.
    scripted: Mutex<HashMap<String, VecDeque<Answer>>>,
    failing: Mutex<HashSet<String>>,
    /// Every nth call of an action is throttled: (n, calls so far).
    throttle_every: Mutex<BTreeMap<String, (usize, usize)>>,
    not_simulated: Mutex<HashSet<String>>,
    latency: Mutex<Duration>,
    buckets: Mutex<HashMap<String, Bucket>>,
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

impl FakeCloud {
    pub fn new(instances: Vec<Value>) -> Arc<Self> {
        Self::named("fake", &Cloud::ALL, instances)
    }

    pub fn named(name: &str, clouds: &[Cloud], instances: Vec<Value>) -> Arc<Self> {
        Arc::new(FakeCloud {
            name: name.into(),
            clouds: clouds.to_vec(),
            started: Instant::now(),
            estate: Mutex::new(
                instances.into_iter().map(|i| (resource_id(&i).unwrap_or_default().to_string(), i)).collect(),
            ),
            calls: Mutex::default(),
            describes: Mutex::default(),
            scripted: Mutex::default(),
            failing: Mutex::default(),
            throttle_every: Mutex::default(),
            not_simulated: Mutex::default(),
            latency: Mutex::new(Duration::ZERO),
            buckets: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }

    /// Answers the next calls of `action` with these, in order.
    pub fn script(&self, action: &str, answers: Vec<Answer>) {
        self.scripted.lock().expect("unpoisoned").entry(action.into()).or_default().extend(answers);
    }

    /// Every `n`th call of `action` (the first, then each `n` after) is throttled, scripted answers aside.
    pub fn throttle_every(&self, action: &str, n: usize) {
        self.throttle_every.lock().expect("unpoisoned").insert(action.into(), (n, 0));
    }

    /// Every call of an action on this target fails.
    pub fn fail_target(&self, id: &str) {
        self.failing.lock().expect("unpoisoned").insert(id.into());
    }

    /// Dry runs of this action answer "not simulated".
    pub fn cannot_simulate(&self, action: &str) {
        self.not_simulated.lock().expect("unpoisoned").insert(action.into());
    }

    pub fn set_latency(&self, latency: Duration) {
        *self.latency.lock().expect("unpoisoned") = latency;
    }

    pub fn set_bucket(&self, rate_class: &str, bucket: Bucket) {
        self.buckets.lock().expect("unpoisoned").insert(rate_class.into(), bucket);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("unpoisoned").clone()
    }

    pub fn calls_of(&self, action: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|call| call.action == action).collect()
    }

    pub fn describes(&self) -> Vec<Vec<String>> {
        self.describes.lock().expect("unpoisoned").clone()
    }

    pub fn state_of(&self, id: &str) -> String {
        match field(&self.estate.lock().expect("unpoisoned")[id], "state") {
            Value::String(state) => state.clone(),
            other => panic!("state {other:?}"),
        }
    }

    fn answer(&self, call: &ProviderCall) -> Answer {
        if let Some(answer) =
            self.scripted.lock().expect("unpoisoned").get_mut(&call.action).and_then(VecDeque::pop_front)
        {
            return answer;
        }
        if let Some((n, calls)) = self.throttle_every.lock().expect("unpoisoned").get_mut(&call.action) {
            *calls += 1;
            if (*calls - 1) % *n == 0 {
                let message = "RequestLimitExceeded".to_string();
                return Err(ProviderError::Throttled { message, retry_after: Some(std::time::Duration::ZERO) });
            }
        }
        if call.dry_run && self.not_simulated.lock().expect("unpoisoned").contains(&call.action) {
            return Err(ProviderError::NotSimulated(format!("{} has no dry run here", call.action)));
        }
        if call.targets.is_empty() {
            // Listings honour a `regions` argument; an empty one means every region.
            let regions: Vec<&Value> = match call.args.get("regions") {
                Some(Value::List(regions)) => regions.iter().collect(),
                _ => Vec::new(),
            };
            let estate = self.estate.lock().expect("unpoisoned");
            let listing = estate.values().filter(|i| regions.is_empty() || regions.contains(&field(i, "region")));
            return Ok(ProviderResponse::Value(Value::List(listing.cloned().collect())));
        }
        let desired = match call.action.rsplit('.').next() {
            Some("stop" | "deallocate") => Some("stopped"),
            Some("start") => Some("running"),
            _ => None,
        };
        let mut estate = self.estate.lock().expect("unpoisoned");
        let failing = self.failing.lock().expect("unpoisoned");
        let results = call
            .targets
            .iter()
            .map(|target| {
                let id = resource_id(target).unwrap_or_default().to_string();
                if failing.contains(&id) {
                    let status = TargetStatus::Failed { error: "InsufficientInstanceCapacity".into() };
                    return TargetResult { id, status, resource: target.clone() };
                }
                let current = estate.get(&id).cloned().unwrap_or_else(|| target.clone());
                let already = desired.is_some_and(|d| matches!(field(&current, "state"), Value::String(s) if s == d));
                let mut after = current.clone();
                if let (Some(desired), Value::Record(fields)) = (desired, &mut after) {
                    fields.insert("state".into(), Value::String(desired.into()));
                }
                if !call.dry_run {
                    estate.insert(id.clone(), after.clone());
                }
                let status = if already { TargetStatus::Unchanged } else { TargetStatus::Changed };
                TargetResult { id, status, resource: after }
            })
            .collect();
        Ok(ProviderResponse::Targets(results))
    }
}

#[async_trait::async_trait]
impl Provider for FakeCloud {
    fn name(&self) -> &str {
        &self.name
    }

    fn serves(&self, cloud: Cloud) -> bool {
        self.clouds.contains(&cloud)
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        self.calls.lock().expect("unpoisoned").push(Call {
            action: call.action.clone(),
            node: call.node.clone(),
            key: call.idempotency_key.clone(),
            targets: call.targets.iter().filter_map(resource_id).map(str::to_string).collect(),
            dry_run: call.dry_run,
            secrets: call.secrets.values().map(|s| s.expose().to_string()).collect(),
            args: call.args.clone(),
            at: self.started.elapsed(),
        });
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let latency = *self.latency.lock().expect("unpoisoned");
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let answer = self.answer(call);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        answer
    }

    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        let wanted: Vec<String> = resources.iter().filter_map(resource_id).map(str::to_string).collect();
        self.describes.lock().expect("unpoisoned").push(wanted.clone());
        let estate = self.estate.lock().expect("unpoisoned");
        Ok(wanted.iter().filter_map(|id| estate.get(id).cloned()).collect())
    }

    /// Stops and starts show in an instance's state; nothing else is told from a record.
    fn is_done(&self, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
        let wanted = match call.action.as_str() {
            "aws.ec2.stop" => "stopped",
            "aws.ec2.start" => "running",
            _ => return None,
        };
        Some(matches!(field(resource?, "state"), Value::String(state) if state == wanted))
    }

    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        self.buckets.lock().expect("unpoisoned").get(rate_class).copied()
    }
}

/// Keeps every event; can be told to fail from the n-th event on.
#[derive(Default)]
pub struct Collect {
    pub events: Mutex<Vec<RunEvent>>,
    pub fail_from: Option<usize>,
}

impl Collect {
    pub fn kinds(&self) -> Vec<EventKind> {
        self.events.lock().expect("unpoisoned").iter().map(|e| e.kind.clone()).collect()
    }
}

impl EventSink for Collect {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
        let mut events = self.events.lock().expect("unpoisoned");
        events.push(event.clone());
        match self.fail_from {
            Some(n) if events.len() >= n => Err(SinkError("the terminal went away".into())),
            _ => Ok(()),
        }
    }
}

/// Answers every request the same way, keeping the requests; can tamper with the decision's binding.
pub struct Decide {
    pub approve: bool,
    pub requests: Mutex<Vec<ApprovalRequest>>,
    pub tamper: fn(&mut Decision),
}

impl Decide {
    pub fn approving() -> Arc<Self> {
        Arc::new(Decide { approve: true, requests: Mutex::default(), tamper: |_| {} })
    }

    pub fn refusing() -> Arc<Self> {
        Arc::new(Decide { approve: false, requests: Mutex::default(), tamper: |_| {} })
    }

    pub fn tampering(tamper: fn(&mut Decision)) -> Arc<Self> {
        Arc::new(Decide { approve: true, requests: Mutex::default(), tamper })
    }
}

#[async_trait::async_trait]
impl Approver for Decide {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        self.requests.lock().expect("unpoisoned").push(request.clone());
        let mut decision = Decision {
            approved: self.approve,
            by: "maria".into(),
            role: request.required.role.clone(),
            reason: Some(if self.approve { "looks right".into() } else { "not tonight".into() }),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        };
        (self.tamper)(&mut decision);
        decision
    }
}

/// A runtime over one fake cloud, with the given approver and event sink.
pub fn runtime(dir: &Path, cloud: &Arc<FakeCloud>, approver: Arc<dyn Approver>, events: Arc<Collect>) -> Runtime {
    runtime_with(dir, cloud, approver, events, Limits::default())
}

pub fn runtime_with(
    dir: &Path,
    cloud: &Arc<FakeCloud>,
    approver: Arc<dyn Approver>,
    events: Arc<Collect>,
    limits: Limits,
) -> Runtime {
    Runtime::builder()
        .provider(cloud.clone())
        .approver(approver)
        .event_sink(events)
        .state_dir(dir)
        .limits(limits)
        .identity("tester", "executor")
        .build()
        .expect("a runtime")
}

/// The journal's records of a run, by kind name (`step_started`, ...).
pub fn journal_kinds(dir: &Path, run_id: &str) -> Vec<String> {
    read_records(dir, run_id)
        .expect("a journal")
        .iter()
        .map(|record| {
            let json = serde_json::to_value(record).expect("a record serializes");
            json["record"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

pub fn journal(dir: &Path, run_id: &str) -> Vec<JournalRecord> {
    read_records(dir, run_id).expect("a journal")
}

/// The audit log's entries as JSON values.
pub fn audit(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("audit").join("audit.jsonl")).expect("an audit log");
    text.lines().map(|line| serde_json::from_str(line).expect("an audit record")).collect()
}
