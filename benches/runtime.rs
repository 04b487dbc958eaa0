//! Runtime benchmarks on the simulated estate, each printing its figures:
//!
//! - `overhead`: 10,000 steps with no latency (chains, fan-in, sim queries and actions) with the journal and
//!   the audit log on disk: wall time and peak memory.
//! - `parallel`: 2,000 independent steps of 50 ms each at concurrency 64: makespan over the ideal bound.
//! - `ratelimit`: 1,000 mutating calls against the EC2 mutating bucket (50, then 5 per second), on tokio's
//!   paused clock: the achieved rate, and whether any window of calls ever exceeded the bucket.
//!
//! ```text
//! cargo bench --bench runtime --features tokio/test-util -- overhead
//! ```
//!
//! With no scenario named, each runs in a child process of its own, so the peak memory (VmHWM) each prints is
//! its own. The paused clock needs tokio's `test-util` feature, hence the `--features`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use escher_compiler::plan::{Plan, PlanExpr, Value, plan_hash};
use escher_compiler::stdlib::Cloud;
use escher_compiler::{CompileOptions, NoImports, compile};
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::provider::{Bucket, EC2_MUTATING, Provider, ProviderCall, ProviderError, ProviderResponse};
use escher_runtime::report::RunReport;
use escher_runtime::{Limits, RunOptions, Runtime};
use escher_sim::{Sim, SimConfig};

const SCENARIOS: [&str; 3] = ["overhead", "parallel", "ratelimit"];

type Outcome = Result<(), String>;

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; anything not starting with a dash names a scenario.
    let named: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with('-')).collect();
    let outcome = match named.as_slice() {
        [] => each_in_its_own_process(),
        [run, plan] if run == "overhead-run" => overhead_run(Path::new(plan)),
        [one] => match one.as_str() {
            "overhead" => overhead(),
            "parallel" => parallel(),
            "ratelimit" => ratelimit(),
            other => Err(format!("unknown scenario `{other}`; the scenarios are {}", SCENARIOS.join(", "))),
        },
        _ => Err("name one scenario, or none to run them all".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn each_in_its_own_process() -> Outcome {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this benchmark's executable: {e}"))?;
    let mut failed = Vec::new();
    for scenario in SCENARIOS {
        let status = Command::new(&me).arg(scenario).status().map_err(|e| format!("cannot start {scenario}: {e}"))?;
        if !status.success() {
            failed.push(scenario);
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(format!("failed: {}", failed.join(", "))) }
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario 1: overhead

/// Groups of 100 nodes: a query and a tag over the two instances it finds, a chain of 24 more tags of them, three
/// chains of 24 `wait(0s)`, a fan-in of the chains and the first tag, and a notification after it. 2,600 steps
/// call the simulator; each (account, region) bucket gets 50 tags, its capacity, so no call waits for a token.
const GROUPS: usize = 100;
const CHAINS: usize = 4;
const CHAIN_LENGTH: usize = 24;

fn overhead() -> Outcome {
    println!("overhead: {} steps, no latency, state directory on disk", GROUPS * (4 + CHAINS * CHAIN_LENGTH));
    let places = aws_places(10, 5);
    let compiling = Instant::now();
    let plan = compiled("overhead.esc", &overhead_playbook(&places))?;
    println!("  compiled {} nodes and {} edges in {:.2?}", plan.nodes.len(), plan.edges.len(), compiling.elapsed());
    print_peak_memory("compiling");
    // The run gets a process of its own, so its peak memory is not the compiler's.
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a directory for the plan: {e}"))?;
    let path = dir.path().join("overhead.plan.json");
    let json = serde_json::to_vec(&plan).map_err(|e| format!("cannot write the plan: {e}"))?;
    std::fs::write(&path, json).map_err(|e| format!("cannot write the plan: {e}"))?;
    let me = std::env::current_exe().map_err(|e| format!("cannot find this benchmark's executable: {e}"))?;
    let status = Command::new(me).arg("overhead-run").arg(&path).status().map_err(|e| format!("cannot run: {e}"))?;
    if status.success() { Ok(()) } else { Err("the run failed".into()) }
}

/// The run of `overhead`, in its own process: the plan from its file, on the estate it was compiled for.
fn overhead_run(plan: &Path) -> Outcome {
    let plan: Plan = {
        let text = std::fs::read(plan).map_err(|e| format!("cannot read {}: {e}", plan.display()))?;
        serde_json::from_slice(&text).map_err(|e| format!("cannot read the plan: {e}"))?
    };
    let places = aws_places(10, 5);
    let mut instances = Vec::new();
    for group in 0..GROUPS {
        let (account, region) = &places[group % places.len()];
        for n in 0..2 {
            instances.push(Instance::new(group * 2 + n, account, region, &[("group", format!("g{group}"))]));
        }
    }
    let sim = Sim::from_json(&estate_json(&instances)).map_err(|e| format!("the estate: {e}"))?;
    print_hash_time(&plan);
    let tokio = multi_thread()?;
    let state = state_dir()?;
    let Ran { report, wall, .. } = tokio.block_on(run(&state, Arc::new(sim), plan, Limits::default()))?;
    all_succeeded(&report)?;
    let tagged: usize = report.steps.iter().map(|step| step.changed.len()).sum();
    println!("  wall time: {:.3} s for {} steps ({} instances tagged)", wall.as_secs_f64(), report.steps.len(), tagged);
    println!("  per step:  {:.1} µs", wall.as_secs_f64() * 1e6 / report.steps.len() as f64);
    print_peak_memory("the run (its own process)");
    Ok(())
}

fn overhead_playbook(places: &[(String, String)]) -> String {
    let mut text = String::from("playbook overhead {\n");
    for group in 0..GROUPS {
        let region = &places[group % places.len()].1;
        let g = group;
        text += &format!("  let q{g} = aws.ec2.instances(regions = [\"{region}\"], tags = {{group: \"g{g}\"}})\n");
        text += &format!("  step t{g} = aws.ec2.tag(q{g}, tags = {{touched: \"yes\"}}) {{ max_targets = 5 }}\n");
        let mut ends = vec![format!("t{g}")];
        for chain in 0..CHAINS {
            for link in 0..CHAIN_LENGTH {
                let after = if link == 0 { String::new() } else { format!(" after (c{g}_{chain}_{})", link - 1) };
                let action = match chain {
                    0 => format!("aws.ec2.tag(q{g}, tags = {{link: \"{link}\"}}) {{ max_targets = 5 }}"),
                    _ => "wait(0s)".to_string(),
                };
                text += &format!("  step c{g}_{chain}_{link}{after} = {action}\n");
            }
            ends.push(format!("c{g}_{chain}_{}", CHAIN_LENGTH - 1));
        }
        text += &format!(
            "  step j{g} after ({}) = report.summary(\"group {g}\", values = {{tagged: len(t{g}.changed)}})\n",
            ends.join(", ")
        );
        text += &format!("  step n{g} after (j{g}) = notify(\"#bench\", \"group {g} done\")\n");
    }
    text + "}\n"
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario 2: parallel

const PARALLEL_STEPS: usize = 2_000;
const CONCURRENCY: usize = 64;
const LATENCY: Duration = Duration::from_millis(50);

fn parallel() -> Outcome {
    // Spread over 10 accounts × 5 regions, each (account, region) bucket gets 40 calls, under its capacity of 50:
    // this scenario measures scheduling, and `ratelimit` measures the buckets.
    let places = aws_places(10, 5);
    let instances: Vec<Instance> = (0..PARALLEL_STEPS)
        .map(|n| {
            let (account, region) = &places[n % places.len()];
            Instance::new(n, account, region, &[])
        })
        .collect();
    let config = SimConfig::parse("latency=50ms").map_err(|e| e.to_string())?;
    let sim = Sim::from_json(&estate_json(&instances)).map_err(|e| format!("the estate: {e}"))?.with_config(config);
    let plan = one_tag_per_step(&instances)?;
    let ideal = LATENCY * PARALLEL_STEPS.div_ceil(CONCURRENCY) as u32;
    println!("parallel: {PARALLEL_STEPS} independent steps of {} ms at concurrency {CONCURRENCY}", LATENCY.as_millis());
    print_hash_time(&plan);
    let tokio = multi_thread()?;
    let state = state_dir()?;
    let timed = Arc::new(Timed::new(sim));
    let limits = Limits { concurrency: CONCURRENCY, ..Limits::default() };
    let ran = tokio.block_on(run(&state, timed.clone(), plan, limits))?;
    all_succeeded(&ran.report)?;
    let calls = timed.calls();
    let (Some(first), Some(last)) =
        (calls.iter().map(|call| call.start).min(), calls.iter().map(|call| call.end).max())
    else {
        return Err("no call was made".into());
    };
    let makespan = ran.wall;
    let waves = PARALLEL_STEPS.div_ceil(CONCURRENCY) as f64;
    let call_ms =
        calls.iter().map(|call| (call.end - call.start).as_secs_f64()).sum::<f64>() * 1e3 / calls.len() as f64;
    let wave_ms = (last - first).as_secs_f64() * 1e3 / waves;
    println!("  calls: {}, at most {} in flight", calls.len(), max_in_flight(&calls));
    println!(
        "  a call takes {call_ms:.2} ms on average; a wave of {CONCURRENCY} calls {wave_ms:.2} ms, so {:.2} ms pass \
         between one call's answer and the next call in its place",
        wave_ms - call_ms
    );
    println!("  ideal:    {:.3} s (ceil({PARALLEL_STEPS} / {CONCURRENCY}) × 50 ms)", ideal.as_secs_f64());
    println!("  makespan: {:.3} s from run() to the report", makespan.as_secs_f64());
    println!(
        "  of which: {:.1} ms to the first call, {:.3} s of calls, {:.1} ms from the last answer to the report",
        (first - ran.clock_started).as_secs_f64() * 1e3,
        (last - first).as_secs_f64(),
        (ran.clock_finished - last).as_secs_f64() * 1e3
    );
    println!("  ratio:    {:.3} (aim: at most 1.05)", makespan.as_secs_f64() / ideal.as_secs_f64());
    print_peak_memory("the process (the template's compilation included)");
    Ok(())
}

/// The most calls that were in flight at one moment.
fn max_in_flight(calls: &[Call]) -> usize {
    let mut edges: Vec<(tokio::time::Instant, i32)> =
        calls.iter().flat_map(|call| [(call.start, 1), (call.end, -1)]).collect();
    // At equal times an answer comes before a start: a slot freed and reused at once is not two calls at once.
    edges.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, change) in edges {
        now += change;
        most = most.max(now);
    }
    most as usize
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario 3: ratelimit

const RATE_LIMITED_CALLS: usize = 1_000;

fn ratelimit() -> Outcome {
    let bucket = EC2_MUTATING;
    println!(
        "ratelimit: {RATE_LIMITED_CALLS} mutating calls against one bucket of {} at {}/s, on tokio's paused clock",
        bucket.capacity, bucket.per_second
    );
    let places = aws_places(1, 1);
    let (account, region) = &places[0];
    let instances: Vec<Instance> = (0..RATE_LIMITED_CALLS).map(|n| Instance::new(n, account, region, &[])).collect();
    let sim = Sim::from_json(&estate_json(&instances)).map_err(|e| format!("the estate: {e}"))?;
    let plan = one_tag_per_step(&instances)?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    let state = state_dir()?;
    let timed = Arc::new(Timed::new(sim));
    let limits = Limits { concurrency: CONCURRENCY, ..Limits::default() };
    let ran = tokio.block_on(run(&state, timed.clone(), plan, limits))?;
    all_succeeded(&ran.report)?;
    let on_clock = ran.clock_finished - ran.clock_started;
    let Some(first) = timed.calls().iter().map(|call| call.start).min() else {
        return Err("no call was made".into());
    };
    let mut times: Vec<Duration> = timed.calls().iter().map(|call| call.start - first).collect();
    times.sort();
    let last = times.last().copied().unwrap_or_default();
    let refilled = (times.len() - bucket.capacity as usize) as f64;
    let rate = refilled / last.as_secs_f64();
    let excess = worst_window(&times, bucket);
    println!("  calls: {}, the last {:.3} s after the first, on the runtime's clock", times.len(), last.as_secs_f64());
    println!("  ideal last call: {:.3} s", refilled / bucket.per_second);
    println!(
        "  achieved rate: {rate:.3} calls/s after the first {} ({:+.2}% of {}/s; aim: within 5%)",
        bucket.capacity,
        (rate / bucket.per_second - 1.0) * 100.0,
        bucket.per_second
    );
    println!(
        "  worst window: {excess:+.3} calls against capacity + rate × elapsed ({})",
        if excess <= 1e-9 { "never over the bucket" } else { "OVER THE BUCKET" }
    );
    println!(
        "  run on the runtime's clock: {:.3} s; in real time: {:.3} s",
        on_clock.as_secs_f64(),
        ran.wall.as_secs_f64()
    );
    print_peak_memory("the process (the template's compilation included)");
    if excess > 1e-9 {
        return Err("a window of calls exceeded the bucket".into());
    }
    Ok(())
}

/// The largest excess, over every window of consecutive calls, of their count over what the bucket allows in
/// the window's span: `capacity + per_second × (last − first)`. Zero or less means the bucket was never exceeded.
fn worst_window(times: &[Duration], bucket: Bucket) -> f64 {
    let mut worst = f64::NEG_INFINITY;
    for (i, start) in times.iter().enumerate() {
        for (j, end) in times.iter().enumerate().skip(i) {
            let allowed = f64::from(bucket.capacity) + bucket.per_second * (*end - *start).as_secs_f64();
            worst = worst.max((j - i + 1) as f64 - allowed);
        }
    }
    worst
}

// ---------------------------------------------------------------------------------------------------------------
// Shared: estates, plans, runs, figures

/// One EC2 instance of a generated estate.
struct Instance {
    id: String,
    account: String,
    region: String,
    tags: Vec<(String, String)>,
}

impl Instance {
    fn new(n: usize, account: &str, region: &str, tags: &[(&str, String)]) -> Self {
        Instance {
            id: format!("i-{:017x}", 0x1000 + n),
            account: account.to_string(),
            region: region.to_string(),
            tags: tags.iter().map(|(key, value)| (key.to_string(), value.clone())).collect(),
        }
    }

    /// The instance as a step names it: the fields every resource record has, as a query would give them.
    fn target(&self) -> Value {
        let text = |value: &str| Value::String(value.to_string());
        let tags = self.tags.iter().map(|(key, value)| (key.clone(), text(value))).collect();
        Value::Record(BTreeMap::from([
            ("id".to_string(), text(&self.id)),
            ("name".to_string(), text(&format!("bench-{}", self.id))),
            ("cloud".to_string(), text("aws")),
            ("account".to_string(), text(&self.account)),
            ("region".to_string(), text(&self.region)),
            ("state".to_string(), text("running")),
            ("tags".to_string(), Value::Record(tags)),
        ]))
    }

    /// The instance as the estate holds it, with every field its resource declares.
    fn record(&self) -> BTreeMap<String, Value> {
        let name = format!("bench-{}", self.id);
        let draft = escher_sim::build::ec2_instance(&self.account, &self.region, &self.id, &name, "t3.micro");
        let draft = self.tags.iter().fold(draft, |draft, (key, value)| draft.tag(key, value));
        draft.record()
    }
}

/// `accounts × regions` (account, region) pairs of AWS.
fn aws_places(accounts: usize, regions: usize) -> Vec<(String, String)> {
    const REGIONS: [&str; 5] = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
    let mut places = Vec::new();
    for account in 0..accounts {
        for region in REGIONS.iter().take(regions) {
            places.push((format!("{:012}", 100_000_000_000u64 + account as u64), region.to_string()));
        }
    }
    places
}

fn estate_json(instances: &[Instance]) -> String {
    let mut accounts: BTreeMap<&str, Vec<BTreeMap<String, Value>>> = BTreeMap::new();
    for instance in instances {
        accounts.entry(&instance.account).or_default().push(instance.record());
    }
    let accounts: Vec<serde_json::Value> = accounts
        .into_iter()
        .map(|(id, resources)| {
            serde_json::json!({ "cloud": "aws", "id": id, "name": format!("bench-{id}"), "resources": resources })
        })
        .collect();
    serde_json::json!({ "now": "2025-06-02T19:00:00Z", "accounts": accounts }).to_string()
}

fn compiled(name: &str, source: &str) -> Result<Plan, String> {
    let compilation = compile(name, source, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    compilation.plan.ok_or_else(|| {
        let messages: Vec<String> = compilation.diagnostics.iter().map(|d| d.message()).collect();
        format!("{name} does not compile: {}", messages.join("; "))
    })
}

/// One independent step per instance, each tagging its instance: a compiled `aws.ec2.tag` step, copied with
/// the instance as a literal target (the language has no literal resources, so the plan is built directly).
fn one_tag_per_step(instances: &[Instance]) -> Result<Plan, String> {
    let template = compiled(
        "template.esc",
        "playbook one_tag_per_step {
           let vms = aws.ec2.instances(regions = [\"us-east-1\"])
           step tag = aws.ec2.tag(vms, tags = {bench: \"yes\"}) { max_targets = 1 }
         }",
    )?;
    let step = template.nodes.iter().find(|node| node.id == "tag").ok_or("the template has no step `tag`")?;
    let target = step.targets.clone().ok_or("`aws.ec2.tag` declares no targets")?;
    let nodes = instances
        .iter()
        .enumerate()
        .map(|(n, instance)| {
            let mut node = step.clone();
            node.id = format!("tag{n:04}");
            node.args.insert(target.clone(), PlanExpr::Value { value: Value::List(vec![instance.target()]) });
            node
        })
        .collect();
    let mut plan = Plan { nodes, edges: Vec::new(), ..template };
    plan.hash = plan_hash(&plan);
    Ok(plan)
}

fn multi_thread() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("cannot start tokio: {e}"))
}

/// A fresh state directory on disk (not in memory: the journal's and the audit log's syncs are part of the cost).
fn state_dir() -> Result<tempfile::TempDir, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a state directory: {e}"))?;
    println!("  state directory: {} ({})", dir.path().display(), filesystem_of(dir.path()));
    Ok(dir)
}

/// The filesystem type holding `path`, from /proc/mounts (the longest mount point that contains it).
fn filesystem_of(path: &Path) -> String {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (_, mount, kind) = (fields.next()?, fields.next()?, fields.next()?);
            path.starts_with(mount).then(|| (mount.len(), kind.to_string()))
        })
        .max()
        .map_or_else(|| "unknown filesystem".into(), |(_, kind)| kind)
}

/// A finished run: its report, its real duration, and when it started and ended on tokio's clock.
struct Ran {
    report: RunReport,
    wall: Duration,
    clock_started: tokio::time::Instant,
    clock_finished: tokio::time::Instant,
}

/// Runs `plan` as a host would, reading its events as they come.
async fn run(
    state: &tempfile::TempDir,
    provider: Arc<dyn Provider>,
    plan: Plan,
    limits: Limits,
) -> Result<Ran, String> {
    let runtime = Runtime::builder()
        .provider(provider)
        .state_dir(state.path())
        .limits(limits)
        .identity("bench", "executor")
        .build()
        .map_err(|e| e.to_string())?;
    let clock_started = tokio::time::Instant::now();
    let started = Instant::now();
    let mut handle = runtime.run(plan, RunOptions::default()).map_err(|e| e.to_string())?;
    println!(
        "  run() returned in {:.1} ms (plan checked, journal and audit log started)",
        started.elapsed().as_secs_f64() * 1e3
    );
    let mut events = 0usize;
    while handle.next_event().await.is_some() {
        events += 1;
    }
    let report = handle.finish().await.map_err(|e| e.to_string())?;
    let wall = started.elapsed();
    println!("  events read: {events}");
    Ok(Ran { report, wall, clock_started, clock_finished: tokio::time::Instant::now() })
}

fn all_succeeded(report: &RunReport) -> Outcome {
    let bad: Vec<&str> =
        report.steps.iter().filter(|s| s.status != StepStatus::Succeeded).map(|s| s.node.as_str()).collect();
    if report.status != RunStatus::Succeeded || !bad.is_empty() {
        let first = report.steps.iter().find(|s| s.status != StepStatus::Succeeded);
        return Err(format!(
            "the run ended {:?}; {} steps did not succeed, the first: {:?}",
            report.status,
            bad.len(),
            first.map(|s| (&s.node, s.status, &s.error))
        ));
    }
    Ok(())
}

/// How long the plan hash takes, which `run()` recomputes to check the plan before anything runs.
fn print_hash_time(plan: &Plan) {
    let hashing = Instant::now();
    let hash = plan_hash(plan);
    let took = hashing.elapsed();
    let matches = if hash == plan.hash { "matches" } else { "DOES NOT MATCH" };
    println!("  the plan hash ({matches}) takes {:.1} ms; run() checks it first", took.as_secs_f64() * 1e3);
}

/// VmHWM: the most resident memory this process has had.
fn print_peak_memory(of: &str) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    match status.lines().find(|line| line.starts_with("VmHWM:")) {
        Some(line) => println!("  peak memory of {of}: {}", line.trim_start_matches("VmHWM:").trim()),
        None => println!("  peak memory: not available (no /proc/self/status)"),
    }
}

/// One provider call as the provider saw it, on tokio's clock.
#[derive(Debug, Clone, Copy)]
struct Call {
    start: tokio::time::Instant,
    end: tokio::time::Instant,
}

/// The simulator, with the time of every call noted on tokio's clock.
struct Timed {
    sim: Sim,
    calls: Mutex<Vec<Call>>,
}

impl Timed {
    fn new(sim: Sim) -> Self {
        Timed { sim, calls: Mutex::new(Vec::new()) }
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|calls| calls.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl Provider for Timed {
    fn name(&self) -> &str {
        self.sim.name()
    }

    fn serves(&self, cloud: Cloud) -> bool {
        self.sim.serves(cloud)
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        let start = tokio::time::Instant::now();
        let answer = self.sim.call(call).await;
        let end = tokio::time::Instant::now();
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(Call { start, end });
        }
        answer
    }

    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        self.sim.describe(resources).await
    }

    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        self.sim.bucket(rate_class)
    }
}
