//! Where the time of one compilation goes: the pipeline of `compile` run phase by phase, each one timed.
//!
//! This repeats the steps of `compile_with` for a single file without imports, so a slow phase can be named with
//! numbers; the benchmark proper measures `compile` itself.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use escher_compiler::lower::{self, Lowered, Program};
use escher_compiler::plan::{PLAN_FORMAT_VERSION, Plan, plan_hash};
use escher_compiler::resolve::{Module, resolve};
use escher_compiler::risk::Policy;
use escher_compiler::syntax::parse_playbook;
use escher_compiler::typecheck::typecheck;
use escher_compiler::{Mode, SourceMap, stdlib};

use super::memory;

/// One phase's cost: its time, and how far the resident set rose above where it stood when the phase began.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub time: Duration,
    pub peak_growth_kib: Option<u64>,
}

/// The phases in pipeline order, and what each cost.
pub type Timings = Vec<(&'static str, Cost)>;

/// Times a phase and takes its memory high-water mark, from a mark reset when the phase began.
struct Meter {
    timings: Timings,
    started: Instant,
    resident: Option<u64>,
}

impl Meter {
    fn start(&mut self) {
        self.resident = memory::resident_kib().filter(|_| memory::reset_peak());
        self.started = Instant::now();
    }

    fn stop(&mut self, name: &'static str) {
        let time = self.started.elapsed();
        let peak_growth_kib = memory::peak_kib().zip(self.resident).map(|(peak, before)| peak.saturating_sub(before));
        self.timings.push((name, Cost { time, peak_growth_kib }));
    }
}

/// Runs every phase once on `text`, in plan mode with default parameters; panics if a phase reports an error,
/// since a benchmark of a failing compilation would measure the wrong thing.
pub fn run(text: &str) -> Timings {
    let catalog = stdlib::catalog();
    let mut meter = Meter { timings: Timings::new(), started: Instant::now(), resident: None };

    meter.start();
    let mut sources = SourceMap::new();
    let file = sources.add("fleet.esc", text);
    let parsed = parse_playbook(text);
    meter.stop("parse");
    assert!(parsed.errors.is_empty(), "parse errors: {:?}", parsed.errors.first());
    let ast = parsed.tree.unwrap_or_else(|| panic!("the parser gave no tree"));
    let modules = [Module { file, ast, imports: BTreeMap::new(), gaps: Default::default() }];

    meter.start();
    let (scope, diagnostics) = resolve(&modules[0], catalog);
    meter.stop("resolve");
    assert!(diagnostics.is_empty(), "resolve: {:?}", diagnostics.first());

    meter.start();
    let (typed, diagnostics) = typecheck(&modules[0], &scope, &BTreeMap::new(), catalog);
    meter.stop("typecheck");
    assert!(diagnostics.is_empty(), "typecheck: {:?}", diagnostics.first());

    meter.start();
    let scopes = [scope];
    let typed = [typed];
    let program = Program { modules: &modules, scopes: &scopes, typed: &typed, main: 0 };
    let (lowered, diagnostics) = lower::lower(&program, &BTreeMap::new(), Mode::Plan, catalog);
    meter.stop("lower");
    assert!(diagnostics.is_empty(), "lower: {:?}", diagnostics.first());
    let Lowered { nodes, edges, sources: node_sources, params, schedule } = lowered;

    meter.start();
    let order = escher_compiler::dag::order(&nodes, &edges, &node_sources)
        .unwrap_or_else(|cycles| panic!("cycles: {:?}", cycles.first()));
    let mut slots: Vec<_> = nodes.into_iter().map(Some).collect();
    let mut nodes: Vec<_> = order.iter().filter_map(|&i| slots[i].take()).collect();
    meter.stop("dag order");

    meter.start();
    let diagnostics = escher_compiler::risk::assess(&mut nodes, &edges, &Policy::default(), catalog, &node_sources);
    meter.stop("risk & policy");
    assert!(!diagnostics.iter().any(|d| d.is_error()), "risk: {:?}", diagnostics.first());

    meter.start();
    let mut plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        playbook: "fleet".to_string(),
        docs: String::new(),
        params,
        schedule,
        nodes,
        edges,
        hash: String::new(),
    };
    plan.hash = plan_hash(&plan);
    meter.stop("plan hash");

    meter.start();
    drop((plan, modules, scopes, typed, sources, node_sources));
    meter.stop("drop");
    meter.timings
}

/// The median time of each phase over several runs, with the largest memory growth seen.
pub fn median(runs: &[Timings]) -> Timings {
    let Some(first) = runs.first() else {
        return Timings::new();
    };
    first
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let mut times: Vec<Duration> = runs.iter().map(|run| run[i].1.time).collect();
            times.sort();
            let peak_growth_kib = runs.iter().filter_map(|run| run[i].1.peak_growth_kib).max();
            (*name, Cost { time: times[times.len() / 2], peak_growth_kib })
        })
        .collect()
}
