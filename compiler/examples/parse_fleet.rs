//! Parses the benchmark's 10,000-step playbook (benches/support/fleet.rs) a given number of times and prints
//! the median time, for counting the parse's instructions where timings are too noisy to compare:
//!
//! ```sh
//! cargo build --release -p escher-compiler --example parse_fleet
//! valgrind --tool=callgrind --callgrind-out-file=parse.cg target/release/examples/parse_fleet 1
//! callgrind_annotate --inclusive=yes parse.cg | grep -E 'parse_playbook|parser_state::state'
//! ```
//!
//! The inclusive cost of `parse_playbook` is the whole parse; of `pest::parser_state::state`, pest's share.

#[path = "../benches/support/fleet.rs"]
#[allow(dead_code)]
mod fleet;

use std::time::Instant;

use escher_compiler::syntax::parse_playbook;

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(9).max(1);
    let text = fleet::playbook(100);
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let parsed = parse_playbook(&text);
            let elapsed = started.elapsed().as_secs_f64();
            assert!(parsed.errors.is_empty() && parsed.tree.is_some(), "the fleet parses");
            elapsed
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let mib = text.len() as f64 / (1024.0 * 1024.0);
    println!("{mib:.2} MiB parsed in {:.1} ms (median of {runs}): {:.1} MiB/s", median * 1e3, mib / median);
}
