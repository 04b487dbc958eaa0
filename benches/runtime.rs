//! Runtime benchmarks on the simulated estate, each printing its figures:
//!
//! - `overhead`: 10,000 steps with no latency (chains, fan-in, sim queries and actions) with the journal and
//!   the audit log on disk: wall time and peak memory.
//! - `parallel`: 2,000 independent steps of 50 ms each at concurrency 64: makespan over the ideal bound.
//! - `ratelimit`: 1,000 mutating calls against the EC2 mutating bucket (50, then 5 per second), on tokio's
//!   paused clock: the achieved rate, and whether any window of calls ever exceeded the bucket.
//! - `makespan`: 2,000 independent steps of one 10 ms mutating call each at the runtime's default limits, with
//!   the estate in memory and with the estate written to a file after every change (the CLI's `--estate-out`):
//!   each makespan over the ideal, and the file's cost over memory.
//!
//! ```text
//! cargo bench --no-default-features --bench runtime --features cli,tokio/test-util -- overhead
//! cargo bench --profile dev --no-default-features --bench runtime --features cli,tokio/test-util -- makespan
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
use escher_runtime::provider::{Bucket, Provider, ProviderCall, ProviderError, ProviderResponse};
use escher_runtime::report::RunReport;
use escher_runtime::scheduler::{DependencyGraph, Scheduler};
use escher_runtime::{Limits, RunOptions, Runtime};
use escher_sim::{Sim, SimConfig};

const SCENARIOS: [&str; 4] = ["overhead", "parallel", "ratelimit", "makespan"];

type Outcome = Result<(), String>;

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; anything not starting with a dash names a scenario.
    let named: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with('-')).collect();
    let outcome = match named.as_slice() {
        [] => each_in_its_own_process(),
        [run, plan] if run == "overhead-run" => overhead_run(Path::new(plan)),
        [run, kind] if run == "makespan" => match kind.as_str() {
            "memory" => makespan(&[EstateKind::Memory]),
            "file" => makespan(&[EstateKind::File]),
            other => Err(format!("`makespan {other}`: say `memory` or `file`, or neither for both")),
        },
        [one] => match one.as_str() {
            "overhead" => overhead(),
            "parallel" => parallel(),
            "ratelimit" => ratelimit(),
            "makespan" => makespan(&[EstateKind::Memory, EstateKind::File]),
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
    let instances = spread(PARALLEL_STEPS, &places);
    let config = SimConfig::parse("latency=50ms").map_err(|e| e.to_string())?;
    let sim = Sim::from_json(&estate_json(&instances)).map_err(|e| format!("the estate: {e}"))?.with_config(config);
    let plan = one_tag_per_step(&instances)?;
    let ideal = LATENCY * PARALLEL_STEPS.div_ceil(CONCURRENCY) as u32;
    println!("parallel: {PARALLEL_STEPS} independent steps of {} ms at concurrency {CONCURRENCY}", LATENCY.as_millis());
    print_hash_time(&plan);
    let tokio = multi_thread()?;
    let state = state_dir()?;
    let timed = Arc::new(Timed::new(Arc::new(sim)));
    let limits = Limits { concurrency: CONCURRENCY, ..Limits::default() };
    let ran = tokio.block_on(run(&state, timed.clone(), plan, limits))?;
    all_succeeded(&ran.report)?;
    let calls = timed.calls();
    let (first, last) = call_span(&calls)?;
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
    // The EC2 API's mutating bucket.
    let bucket = Bucket { capacity: 50, per_second: 5.0 };
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
    let timed = Arc::new(Timed::new(Arc::new(sim)));
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
// Scenario 4: makespan

const MAKESPAN_STEPS: usize = 2_000;
const MAKESPAN_LATENCY: Duration = Duration::from_millis(10);
/// Runs of each estate, alternating, so that both see the same load; the median of each is the figure.
const MAKESPAN_ROUNDS: usize = 3;

/// Where the simulated estate lives during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EstateKind {
    /// In memory only: the simulator as the library gives it.
    Memory,
    /// In memory, and written to a file after every change before the call returns (`--estate-out`).
    File,
}

impl EstateKind {
    fn name(self) -> &'static str {
        match self {
            EstateKind::Memory => "in-memory estate",
            EstateKind::File => "--estate-out",
        }
    }
}

/// One run of `makespan`: the figures it prints, kept for the summary.
struct Makespan {
    kind: EstateKind,
    /// From `run()` to the report.
    makespan: Duration,
    /// From the first call's start to the last call's answer.
    calls: Duration,
    /// The ideal with each call as long as it took on average, as the provider saw it.
    ideal_as_called: Duration,
}

fn makespan(kinds: &[EstateKind]) -> Outcome {
    let limits = Limits::default();
    // 2,000 instances over 10 accounts × 5 regions: each (account, region) bucket of `aws.ec2.tag` gets 40
    // calls, under its capacity, so no call ever waits for a token and the global bound alone limits the run.
    let places = aws_places(10, 5);
    let instances = spread(MAKESPAN_STEPS, &places);
    let estate = estate_json(&instances);
    let plan = one_tag_per_step(&instances)?;
    let rate_class = plan.nodes.first().map(|node| node.rate_class.clone()).unwrap_or_default();
    let sim = Sim::from_json(&estate).map_err(|e| format!("the estate: {e}"))?;
    let bucket = sim.bucket(&rate_class).unwrap_or_else(|| escher_runtime::ratelimit::default_bucket(false));
    let per_bucket = MAKESPAN_STEPS.div_ceil(places.len());
    if per_bucket > bucket.capacity as usize {
        return Err(format!(
            "{per_bucket} calls per bucket exceed its capacity {}: the bucket would bind",
            bucket.capacity
        ));
    }
    // Each step is one batch of one target, so the step's own bound (`step_concurrency`) never binds either.
    let concurrency = limits.concurrency;
    let waves = MAKESPAN_STEPS.div_ceil(concurrency);
    let ideal = MAKESPAN_LATENCY * waves as u32;
    println!(
        "makespan: {MAKESPAN_STEPS} independent steps, each one mutating call of {} ms (`{rate_class}`), default limits",
        MAKESPAN_LATENCY.as_millis()
    );
    println!(
        "  effective concurrency: {concurrency}: the run's bound (limits.concurrency); each step is one call, and \
         its `{rate_class}` bucket per (account, region) holds {} tokens for the {per_bucket} calls it gets \
         (over {} (account, region) pairs), so neither the step's bound nor a bucket binds",
        bucket.capacity,
        places.len()
    );
    println!(
        "  ideal: ceil({MAKESPAN_STEPS} / {concurrency}) × {} ms = {:.3} s",
        MAKESPAN_LATENCY.as_millis(),
        ideal.as_secs_f64()
    );
    print_start_costs(&plan)?;
    let tokio = multi_thread()?;
    let mut runs = Vec::new();
    for round in 1..=MAKESPAN_ROUNDS {
        for &kind in kinds {
            println!("round {round}, {}:", kind.name());
            runs.push(makespan_run(&tokio, kind, &estate, &plan, limits, ideal)?);
        }
    }
    let median = |kind: EstateKind, figure: &dyn Fn(&Makespan) -> f64| {
        let mut figures: Vec<f64> = runs.iter().filter(|run| run.kind == kind).map(figure).collect();
        figures.sort_by(f64::total_cmp);
        figures.get(figures.len() / 2).copied()
    };
    let ideal_s = ideal.as_secs_f64();
    println!("summary (median of {MAKESPAN_ROUNDS} runs each), {MAKESPAN_STEPS} steps at concurrency {concurrency}:");
    println!("  ideal makespan:            {ideal_s:.3} s");
    for &kind in kinds {
        let Some(time) = median(kind, &|run| run.makespan.as_secs_f64()) else { continue };
        let calls = median(kind, &|run| run.calls.as_secs_f64()).unwrap_or_default();
        let as_called = median(kind, &|run| run.makespan.as_secs_f64() / run.ideal_as_called.as_secs_f64());
        println!(
            "  {:<26} {time:.3} s, {:.3} × ideal (the calls alone {:.3} ×){}",
            format!("{}:", kind.name()),
            time / ideal_s,
            calls / ideal_s,
            match (kind, as_called) {
                (EstateKind::Memory, Some(ratio)) => format!("; {ratio:.3} × the ideal of calls as long as they took"),
                _ => String::new(),
            }
        );
    }
    let makespan_of = |kind| median(kind, &|run: &Makespan| run.makespan.as_secs_f64());
    if let (Some(memory), Some(file)) = (makespan_of(EstateKind::Memory), makespan_of(EstateKind::File)) {
        println!(
            "  --estate-out / in-memory:  {:.3} (aim: at most 1.2; in-memory aim: at most 1.1 × ideal)",
            file / memory
        );
    }
    print_peak_memory("the process");
    Ok(())
}

/// What `run()` does before it returns, each timed apart on the same plan: the plan hash it checks, the
/// scheduler's graph, and the plan as JSON (the journal's first record holds it).
fn print_start_costs(plan: &Plan) -> Outcome {
    let hashing = Instant::now();
    let _ = plan_hash(plan);
    let hashed = hashing.elapsed();
    let building = Instant::now();
    let graph = DependencyGraph::from_plan(plan).map_err(|e| e.to_string())?;
    let scheduler = Scheduler::new(graph);
    let built = building.elapsed();
    drop(scheduler);
    let encoding = Instant::now();
    let json = serde_json::to_vec(plan).map_err(|e| e.to_string())?;
    let encoded = encoding.elapsed();
    println!(
        "  before run() returns: the plan hash {:.1} ms, the scheduler's graph {:.1} ms, the plan as JSON ({:.1} MB, \
         the journal's first record) {:.1} ms",
        hashed.as_secs_f64() * 1e3,
        built.as_secs_f64() * 1e3,
        json.len() as f64 / 1e6,
        encoded.as_secs_f64() * 1e3
    );
    Ok(())
}

/// Whether a resource carries the tag the benchmark's steps set.
fn tagged(resource: &Value) -> bool {
    let Value::Record(fields) = resource else { return false };
    matches!(fields.get("tags"), Some(Value::Record(tags)) if tags.get("bench") == Some(&Value::String("yes".into())))
}

fn makespan_run(
    tokio: &tokio::runtime::Runtime,
    kind: EstateKind,
    estate: &str,
    plan: &Plan,
    limits: Limits,
    ideal: Duration,
) -> Result<Makespan, String> {
    let config = SimConfig::parse("latency=10ms,jitter=0ms").map_err(|e| e.to_string())?;
    let sim = Arc::new(Sim::from_json(estate).map_err(|e| format!("the estate: {e}"))?.with_config(config));
    let state = state_dir()?;
    let out = state.path().join("estate.json");
    let persisting =
        Arc::new(escher_sim::Persisting::new(sim.clone(), (kind == EstateKind::File).then(|| out.clone())));
    let provider: Arc<dyn Provider> = match kind {
        EstateKind::Memory => sim.clone(),
        EstateKind::File => persisting.clone(),
    };
    let timed = Arc::new(Timed::new(provider));
    let load = load_average();
    let cpu = cpu_time();
    let ran = tokio.block_on(run(&state, timed.clone(), plan.clone(), limits))?;
    let cpu = cpu_time().saturating_sub(cpu);
    all_succeeded(&ran.report)?;
    let calls = timed.calls();
    let (first, last) = call_span(&calls)?;
    if kind == EstateKind::File {
        let saved = Sim::from_file(&out).map_err(|e| format!("the estate file: {e}"))?;
        let tagged = saved.resources().iter().filter(|resource| tagged(resource)).count();
        let (writing, gathering) = persisting.time_writing();
        let writes = persisting.writes().max(1) as f64;
        println!(
            "  estate writes: {} for {} calls, {:.2} ms each on average (the first writes the whole file, the others \
             append the changes to its change log and sync it), after {:.2} ms gathering changes",
            persisting.writes(),
            calls.len(),
            writing.as_secs_f64() * 1e3 / writes,
            gathering.as_secs_f64() * 1e3 / writes
        );
        println!("  the estate file and its change log hold {tagged} tagged instances");
        if tagged != MAKESPAN_STEPS {
            return Err(format!("the estate file holds {tagged} tagged instances, not {MAKESPAN_STEPS}"));
        }
    }
    let call_ms =
        calls.iter().map(|call| (call.end - call.start).as_secs_f64()).sum::<f64>() * 1e3 / calls.len() as f64;
    let waves = MAKESPAN_STEPS.div_ceil(limits.concurrency) as f64;
    let wave_ms = (last - first).as_secs_f64() * 1e3 / waves;
    let ideal_as_called = Duration::from_secs_f64(call_ms * waves / 1e3);
    println!("  calls: {}, at most {} in flight", calls.len(), max_in_flight(&calls));
    println!(
        "  a call: {call_ms:.2} ms on average as the provider sees it (the simulator's {} ms, paced on tokio's 1 ms \
         timer{})",
        MAKESPAN_LATENCY.as_millis(),
        if kind == EstateKind::File { ", or the estate write that holds its change if that is longer" } else { "" }
    );
    println!(
        "  a wave of {} calls: {wave_ms:.2} ms, so {:.2} ms pass between one call's answer and the next call in its \
         place (admission, its `step_started` journal sync)",
        limits.concurrency,
        wave_ms - call_ms
    );
    println!(
        "  phases: {:.1} ms to the first call, {:.3} s of calls, {:.1} ms from the last answer to the report",
        (first - ran.clock_started).as_secs_f64() * 1e3,
        (last - first).as_secs_f64(),
        (ran.clock_finished - last).as_secs_f64() * 1e3
    );
    println!(
        "  CPU: {:.2} s (user and system) over the run, {:.0} µs a step; load average {load} before it (2 cores)",
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / MAKESPAN_STEPS as f64
    );
    println!(
        "  makespan: {:.3} s from run() to the report: {:.3} × ideal; the calls alone (first start to last answer) \
         {:.3} × ideal",
        ran.wall.as_secs_f64(),
        ran.wall.as_secs_f64() / ideal.as_secs_f64(),
        (last - first).as_secs_f64() / ideal.as_secs_f64()
    );
    println!(
        "  against calls as long as they took: ceil({MAKESPAN_STEPS} / {}) × {call_ms:.2} ms = {:.3} s; makespan \
         {:.3} × that",
        limits.concurrency,
        ideal_as_called.as_secs_f64(),
        ran.wall.as_secs_f64() / ideal_as_called.as_secs_f64()
    );
    Ok(Makespan { kind, makespan: ran.wall, calls: last - first, ideal_as_called })
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
/// When the first call started and the last one ended.
fn call_span(calls: &[Call]) -> Result<(tokio::time::Instant, tokio::time::Instant), String> {
    match (calls.iter().map(|call| call.start).min(), calls.iter().map(|call| call.end).max()) {
        (Some(first), Some(last)) => Ok((first, last)),
        _ => Err("no call was made".into()),
    }
}

/// `count` untagged instances, dealt round the places in turn.
fn spread(count: usize, places: &[(String, String)]) -> Vec<Instance> {
    (0..count)
        .map(|n| {
            let (account, region) = &places[n % places.len()];
            Instance::new(n, account, region, &[])
        })
        .collect()
}

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

/// The CPU time this process has used (user and system, all threads), from /proc/self/stat, in clock ticks of
/// 10 ms (Linux's USER_HZ).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |n: usize| fields.get(n).and_then(|field| field.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The machine's load average over the last minute, from /proc/loadavg.
fn load_average() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    loadavg.split_whitespace().next().unwrap_or("unknown").to_string()
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

/// A provider (the simulator), with the time of every call noted on tokio's clock.
struct Timed {
    sim: Arc<dyn Provider>,
    calls: Mutex<Vec<Call>>,
}

impl Timed {
    fn new(sim: Arc<dyn Provider>) -> Self {
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
