//! State store benchmarks, printing their figures:
//!
//! - appending 10,000 journal records to a local state directory (the runtime's journal, each record synced);
//! - appending them to moto's S3, one create-only segment per record (each record in the bucket before the
//!   next is written), and as the CLI runs (each record synced locally, then pushed by the replicator before the
//!   next is written);
//! - listing 1,000 runs (their `meta.json`) in a local directory and in moto's S3.
//!
//! ```text
//! scripts/emulators.sh start && . target/emulators.env
//! cargo bench -p escher-state --bench store
//! ```
//!
//! `ESCHER_TEST_MOTO` must be set; `ESCHER_BENCH_RECORDS` changes the record count.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use escher_runtime::journal::{Journal, JournalRecord, RunProgress, RunSummary};
use escher_state::log::{append_segment, segmented_len};
use escher_state::runs::{list_meta, write_meta};
use escher_state::{Replicator, Store, StoreOptions, StoreUrl};

type Outcome = Result<(), String>;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(benchmarks()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn benchmarks() -> Outcome {
    let moto = std::env::var("ESCHER_TEST_MOTO")
        .map_err(|_| "ESCHER_TEST_MOTO is not set: scripts/emulators.sh start && . target/emulators.env")?;
    let records: usize = std::env::var("ESCHER_BENCH_RECORDS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let s3 = s3_store(&moto, "escher-bench-append").await?;

    append_local(dir.path(), records)?;
    append_s3_per_record(&s3, records).await?;
    append_s3_replicated(dir.path(), &moto, records).await?;

    let local = Store::local(dir.path().join("listing"));
    list_runs("local directory", &local, 1_000).await?;
    let s3_listing = s3_store(&moto, "escher-bench-list").await?;
    list_runs("moto S3", &s3_listing, 1_000).await
}

async fn s3_store(moto: &str, name: &str) -> Result<Store, String> {
    let url = s3_bucket(moto, name).await?;
    Store::open(&url, &StoreOptions::emulator(moto)).map_err(|e| e.to_string())
}

/// A new bucket on moto, as a store URL.
async fn s3_bucket(moto: &str, name: &str) -> Result<StoreUrl, String> {
    let bucket = format!("{name}-{}", std::process::id());
    let response = reqwest::Client::new().put(format!("{moto}/{bucket}")).send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("creating bucket {bucket}: {}", response.status()));
    }
    Ok(StoreUrl::S3 { bucket, prefix: "bench".into() })
}

fn record(i: usize) -> JournalRecord {
    JournalRecord::StepStarted {
        node: "stop_dev_vms".to_string(),
        batch: i,
        attempt: 1,
        idempotency_key: format!("20260601T190000Z-4ad71f/stop_dev_vms/{i}/1"),
        targets: vec![format!("i-{i:017x}"), format!("i-{:017x}", i + 1)],
        before: Vec::new(),
        at: "2026-06-01T19:00:00.123Z".to_string(),
    }
}

fn line(i: usize) -> Result<Vec<u8>, String> {
    let mut bytes = serde_json::to_vec(&record(i)).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn report(title: &str, records: usize, elapsed: Duration, bytes: u64, objects: usize) {
    println!(
        "{title}: {records} records in {:.2} s = {:.0} records/s; {:.1} bytes written per record; {objects} objects",
        elapsed.as_secs_f64(),
        records as f64 / elapsed.as_secs_f64(),
        bytes as f64 / records as f64,
    );
}

fn append_local(dir: &std::path::Path, records: usize) -> Outcome {
    let mut journal = Journal::create(dir, "bench-local").map_err(|e| e.to_string())?;
    let start = Instant::now();
    for i in 0..records {
        journal.append(&record(i)).map_err(|e| e.to_string())?;
    }
    let elapsed = start.elapsed();
    let bytes = std::fs::metadata(journal.path()).map_err(|e| e.to_string())?.len();
    report("append, local directory (each record fsynced)", records, elapsed, bytes, 1);
    Ok(())
}

async fn append_s3_per_record(store: &Store, records: usize) -> Outcome {
    let log = "runs/bench-s3/journal.jsonl";
    let start = Instant::now();
    let mut offset = 0;
    for i in 0..records {
        offset = append_segment(store, log, offset, line(i)?.into()).await.map_err(|e| e.to_string())?;
    }
    let elapsed = start.elapsed();
    report("append, moto S3, one create-only segment per record", records, elapsed, offset, records);
    Ok(())
}

/// The CLI's way: each record is synced locally, then the runtime's replica pushes it as a segment and waits
/// (a serial run commits one record at a time; a parallel one shares commits among steps).
async fn append_s3_replicated(dir: &std::path::Path, moto: &str, records: usize) -> Outcome {
    let url = s3_bucket(moto, "escher-bench-replica").await?;
    let open = || Store::open(&url, &StoreOptions::emulator(moto)).map_err(|e| e.to_string());
    let local = dir.join("replicated");
    let mut journal = Journal::create(&local, "bench-replicated").map_err(|e| e.to_string())?;
    let replicator = Replicator::start(open()?, &local, Duration::from_secs(3600), |error| eprintln!("{error}"))?;
    let replica = replicator.replica();
    let start = Instant::now();
    tokio::task::spawn_blocking(move || {
        for i in 0..records {
            journal.append(&record(i)).map_err(|e| e.to_string())?;
            replica.journal_synced(journal.path()).map_err(|e| e.to_string())?;
        }
        Ok::<(), String>(())
    })
    .await
    .map_err(|e| e.to_string())??;
    let elapsed = start.elapsed();
    replicator.finish()?;
    let log = "runs/bench-replicated/journal.jsonl";
    let bytes = segmented_len(&open()?, log).await.map_err(|e| e.to_string())?;
    let segments = escher_state::log::segments(&open()?, log).await.map_err(|e| e.to_string())?.len();
    report("append, moto S3, as the CLI runs (fsynced, then pushed)", records, elapsed, bytes, segments);
    Ok(())
}

async fn list_runs(title: &str, store: &Store, runs: usize) -> Outcome {
    for i in 0..runs {
        let summary = RunSummary {
            run_id: format!("20260601T{:06}Z-{i:06x}", i % 240_000),
            playbook: "nightly_shutdown".to_string(),
            plan_hash: "0512c503addc".repeat(5),
            started_at: "2026-06-01T19:00:00Z".to_string(),
            status: RunProgress::InProgressOrCrashed,
            dry_run: false,
        };
        write_meta(store, &summary).await.map_err(|e| e.to_string())?;
    }
    let start = Instant::now();
    let keys = store.list("runs/").await.map_err(|e| e.to_string())?;
    let listed = start.elapsed();
    let start = Instant::now();
    let summaries = list_meta(store).await.map_err(|e| e.to_string())?;
    let read = start.elapsed();
    if summaries.len() != runs || keys.len() != runs {
        return Err(format!("listed {} runs and {} keys, expected {runs}", summaries.len(), keys.len()));
    }
    println!(
        "list {runs} runs, {title}: keys in {:.1} ms; with every run's summary in {:.1} ms",
        listed.as_secs_f64() * 1000.0,
        read.as_secs_f64() * 1000.0
    );
    Ok(())
}
