//! `escher serve` under load: a bounded local client (CLIENTS threads, each sending its requests one after the
//! other over its own connections) posts real examples to `/v1/check` and `/v1/plan` and prints requests per
//! second and the latency percentiles. The server is the `escher` binary, started on a free 127.0.0.1 port with
//! its default limits; `ESCHER_BIN` names another build of it (the release figures in docs/ai.md are of
//! `cargo build --release --no-default-features --features cli`):
//!
//!     cargo build --release --no-default-features --features cli
//!     ESCHER_BIN=target/release/escher cargo bench --bench serve_load --profile dev

use std::process::Command;
use std::time::{Duration, Instant};

const CLIENTS: usize = 8;
const REQUESTS_PER_CLIENT: usize = 100;
const EXAMPLES: [&str; 3] =
    ["examples/nightly_shutdown.esc", "examples/waste_cleanup.esc", "examples/open_ports_remediation.esc"];

#[path = "../tests/support/serve.rs"]
mod serve;

use serve::Serving;

fn start() -> Serving {
    let binary = std::env::var("ESCHER_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_escher").to_string());
    let mut command = Command::new(binary);
    command.args(["serve", "--listen", "127.0.0.1:0"]);
    Serving::start(command)
}

/// One POST; its status.
fn post(serving: &Serving, path: &str, body: &str) -> u16 {
    serving.send("POST", path, body).0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let bodies: Vec<(&str, String)> = EXAMPLES
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_else(|error| panic!("{file}: {error}"));
            let body = serde_json::json!({"playbook": text, "name": file}).to_string();
            [("/v1/check", body.clone()), ("/v1/plan", body)]
        })
        .collect();
    let server = start();
    // Warm up: the first compile builds the stdlib catalog.
    for (path, body) in &bodies {
        assert_eq!(post(&server, path, body), 200, "{path}");
    }
    let started = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let (server, bodies) = (&server, &bodies);
                scope.spawn(move || {
                    (0..REQUESTS_PER_CLIENT)
                        .map(|n| {
                            let (path, body) = &bodies[(client + n) % bodies.len()];
                            let sent = Instant::now();
                            assert_eq!(post(server, path, body), 200, "{path}");
                            sent.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().expect("a client")).collect()
    });
    let elapsed = started.elapsed();
    let mut sorted = latencies;
    sorted.sort();
    let total = sorted.len();
    println!(
        "{total} requests from {CLIENTS} clients (check and plan of {} examples) in {:.2} s: {:.0} requests/s; \
         latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        EXAMPLES.len(),
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&sorted, 0.50).as_secs_f64() * 1000.0,
        percentile(&sorted, 0.90).as_secs_f64() * 1000.0,
        percentile(&sorted, 0.99).as_secs_f64() * 1000.0,
        sorted[total - 1].as_secs_f64() * 1000.0,
    );
}
