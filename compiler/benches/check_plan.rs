//! Check and plan of a generated 10,000-step playbook (see `support/fleet.rs` for its shape), then the peak
//! memory of one compilation and the time and memory of each phase.
//!
//! Run: `cargo bench -p escher-compiler --bench check_plan`. Figures are recorded in docs/performance.md.

mod support;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
use escher_compiler::{Compilation, CompileOptions, NoImports, compile, stdlib};

use support::{fleet, memory, phases};

const SHARDS: usize = 100;

/// Set in the child processes this benchmark starts to measure memory. The allocator keeps what a compilation
/// freed, so only the first compilation of a fresh process shows how much memory one needs.
const MEASURE: &str = "ESCHER_BENCH_MEASURE";

fn main() {
    match std::env::var(MEASURE).as_deref() {
        Ok("compilation") => return memory_of_one_compilation(),
        Ok("phases") => return memory_of_each_phase(),
        _ => {}
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

criterion_group!(benches, check_and_plan);

fn check_and_plan(c: &mut Criterion) {
    let text = fleet::playbook(SHARDS);
    // The stdlib catalog is parsed once per process; keep that out of the figures.
    let _ = stdlib::catalog();
    let planned = compile("fleet.esc", &text, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    assert_planned(&planned);
    describe(&text, &planned);
    drop(planned);

    let mut group = c.benchmark_group("fleet_10k_steps");
    group.sample_size(10);
    group.bench_function("check", |b| {
        b.iter(|| compile("fleet.esc", black_box(&text), &CompileOptions::check(&NoImports)));
    });
    group.bench_function("plan", |b| {
        b.iter(|| compile("fleet.esc", black_box(&text), &CompileOptions::plan(&NoImports, BTreeMap::new())));
    });
    group.finish();

    // `cargo test --benches` runs each benchmark once, in debug: the reports are for `cargo bench` only.
    if std::env::args().any(|arg| arg == "--bench") {
        report_phase_times(&text);
        run_child("compilation");
        run_child("phases");
    }
}

/// Fails loudly if the generated playbook does not compile to the plan it should: timing a compilation that
/// stopped at its first error would flatter the compiler.
fn assert_planned(compilation: &Compilation) {
    let errors: Vec<String> = compilation
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(5)
        .map(|d| format!("{}: {}", d.code(), d.message()))
        .collect();
    assert!(errors.is_empty(), "the generated playbook has errors: {errors:#?}");
    let plan = compilation.plan.as_ref().unwrap_or_else(|| panic!("no plan"));
    let steps = SHARDS * fleet::STEPS_PER_SHARD;
    let queries = SHARDS * fleet::QUERIES_PER_SHARD;
    assert_eq!(plan.nodes.len(), steps + queries, "every step and query becomes a plan node");
}

fn describe(text: &str, compilation: &Compilation) {
    println!("fleet: {} steps, {:.1} MiB of source", SHARDS * fleet::STEPS_PER_SHARD, text.len() as f64 / 1_048_576.0);
    if let Some(plan) = &compilation.plan {
        let json_bytes = serde_json::to_string(plan).map_or(0, |json| json.len());
        let json_mib = json_bytes as f64 / 1_048_576.0;
        println!("plan: {} nodes, {} edges, {json_mib:.1} MiB as JSON", plan.nodes.len(), plan.edges.len());
    }
}

/// The median time of each phase over a few runs.
fn report_phase_times(text: &str) {
    let runs: Vec<phases::Timings> = (0..7).map(|_| phases::run(text)).collect();
    let median = phases::median(&runs);
    let total: std::time::Duration = median.iter().map(|(_, cost)| cost.time).sum();
    println!("\nphases, median time of {} runs in plan mode:", runs.len());
    for (name, cost) in &median {
        let ms = cost.time.as_secs_f64() * 1000.0;
        let share = cost.time.as_secs_f64() / total.as_secs_f64().max(f64::EPSILON) * 100.0;
        println!("  {name:<14} {ms:>9.2} ms  {share:>5.1}%");
    }
    println!("  {:<14} {:>9.2} ms", "total", total.as_secs_f64() * 1000.0);
}

/// Runs this benchmark again as a fresh process that measures `what`, and prints what it found.
fn run_child(what: &str) {
    let output = std::env::current_exe().and_then(|exe| Command::new(exe).env(MEASURE, what).output());
    match output {
        Ok(output) if output.status.success() => print!("{}", String::from_utf8_lossy(&output.stdout)),
        Ok(output) => println!("measuring {what} failed: {}", String::from_utf8_lossy(&output.stderr)),
        Err(error) => println!("measuring {what} failed: {error}"),
    }
}

/// In a fresh process: the peak resident memory of one plan-mode compilation.
fn memory_of_one_compilation() {
    let text = fleet::playbook(SHARDS);
    let _ = stdlib::catalog();
    let before = memory::resident_kib();
    let reset = memory::reset_peak();
    let started = Instant::now();
    let compilation = compile("fleet.esc", &text, &CompileOptions::plan(&NoImports, BTreeMap::new()));
    let elapsed = started.elapsed();
    let peak = memory::peak_kib();
    assert_planned(&compilation);
    println!("\none plan compilation in a fresh process: {elapsed:.1?}");
    if reset {
        let growth = peak.zip(before).map(|(peak, before)| peak.saturating_sub(before));
        let (before, peak, growth) = (memory::mib(before), memory::mib(peak), memory::mib(growth));
        println!("  resident before {before} (source and stdlib), peak {peak}: the compilation took {growth}");
    } else {
        println!("  peak resident since start (the mark could not be reset): {}", memory::mib(peak));
    }
}

/// In a fresh process: how far each phase raised the resident set, in one run.
fn memory_of_each_phase() {
    let text = fleet::playbook(SHARDS);
    let _ = stdlib::catalog();
    println!("\nphases, memory: how far each raised the resident set (one run, fresh process):");
    for (name, cost) in phases::run(&text) {
        println!("  {name:<14} {:>10}", memory::mib(cost.peak_growth_kib));
    }
}
