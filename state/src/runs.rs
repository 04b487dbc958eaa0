//! Runs in a store: their ids, and `runs/<id>/meta.json`, the summary `escher runs` shows, written from the
//! journal's first and last records.

use std::collections::BTreeSet;

use escher_runtime::journal::{JournalRecord, RunProgress, RunSummary};

use crate::backend::PutMode;
use crate::log::{SEGMENTS, read_log};
use crate::{Store, StoreError};

pub const JOURNAL: &str = "journal.jsonl";
pub const META: &str = "meta.json";

pub fn journal_key(run_id: &str) -> String {
    format!("runs/{run_id}/{JOURNAL}")
}

pub fn meta_key(run_id: &str) -> String {
    format!("runs/{run_id}/{META}")
}

/// Every run with a journal (a single object or segments), sorted.
pub async fn journal_run_ids(store: &Store) -> Result<Vec<String>, StoreError> {
    let keys = store.list("runs/").await?;
    let journal_segments = format!("{JOURNAL}{SEGMENTS}");
    let ids: BTreeSet<String> = keys
        .iter()
        .filter_map(|key| {
            let rest = key.strip_prefix("runs/")?;
            let (run_id, file) = rest.split_once('/')?;
            (file == JOURNAL || file.starts_with(&journal_segments)).then(|| run_id.to_string())
        })
        .collect();
    Ok(ids.into_iter().collect())
}

/// Every run's summary from its `meta.json`, newest first: one listing, then the small reads 16 at a time.
pub async fn list_meta(store: &Store) -> Result<Vec<RunSummary>, StoreError> {
    use futures::{StreamExt, TryStreamExt};
    let keys = store.list("runs/").await?;
    let suffix = format!("/{META}");
    let found: Vec<Option<(RunSummary, _)>> = futures::stream::iter(keys.iter().filter(|key| key.ends_with(&suffix)))
        .map(|key| store.get_json::<RunSummary>(key))
        .buffered(16)
        .try_collect()
        .await?;
    let mut runs: Vec<RunSummary> = found.into_iter().flatten().map(|(summary, _)| summary).collect();
    runs.sort_by(|a, b| b.run_id.cmp(&a.run_id));
    Ok(runs)
}

pub async fn write_meta(store: &Store, summary: &RunSummary) -> Result<(), StoreError> {
    store.put_json(&meta_key(&summary.run_id), summary, PutMode::Overwrite).await.map(drop)
}

/// A run's summary from its journal's first and last complete lines. A journal that cannot be read is
/// summarized as unreadable, not skipped.
pub async fn read_summary(store: &Store, run_id: &str) -> Result<RunSummary, StoreError> {
    let bytes = read_log(store, &journal_key(run_id)).await?;
    Ok(summarize(run_id, &bytes))
}

pub fn summarize(run_id: &str, bytes: &[u8]) -> RunSummary {
    let mut summary = RunSummary {
        run_id: run_id.to_string(),
        playbook: String::new(),
        plan_hash: String::new(),
        started_at: String::new(),
        status: RunProgress::InProgressOrCrashed,
        dry_run: false,
    };
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1);
    let mut lines = bytes[..end].split(|&b| b == b'\n').filter(|line| !line.is_empty());
    let first = lines.next();
    let last = lines.next_back();
    match first.map(serde_json::from_slice::<JournalRecord>) {
        None => {}
        Some(Ok(JournalRecord::RunStarted { plan, dry_run, at, .. })) => {
            summary.playbook = plan.playbook;
            summary.plan_hash = plan.hash;
            summary.started_at = at;
            summary.dry_run = dry_run;
        }
        Some(_) => {
            summary.status = RunProgress::Unreadable { reason: "line 1 is not run_started".to_string() };
            return summary;
        }
    }
    if let Some(Ok(JournalRecord::RunFinished { status, .. })) = last.map(serde_json::from_slice::<JournalRecord>) {
        summary.status = RunProgress::Finished { status };
    }
    summary
}
