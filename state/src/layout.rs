//! The state layout and its versions. `layout.json` says which version a store holds; Escher migrates older
//! layouts forward and refuses newer ones without writing anything.
//!
//! - Version 1 (Escher before the state store): no `layout.json`; `runs/<id>/journal.jsonl`, `runs/<id>/cli.json`,
//!   `audit/audit.jsonl`, `audit/head.json`, `secrets.json`.
//! - Version 2: `layout.json`; everything in version 1; `runs/<id>/meta.json` (a run's summary, so listing runs in
//!   a bucket reads one small object per run instead of its journal); `schedules/<name>/...`; `locks/<name>.json`;
//!   logs on stores without append as segments (see [`crate::log`]).

use serde::{Deserialize, Serialize};

use crate::backend::PutMode;
use crate::runs::{read_summary, write_meta};
use crate::{Store, StoreError};

pub const LAYOUT_KEY: &str = "layout.json";
pub const CURRENT_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutMarker {
    pub version: u32,
    /// The Escher that wrote the marker, for the message an older one prints.
    pub written_by: String,
}

/// What [`ensure_layout`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutOutcome {
    Current,
    Created,
    Migrated { from: u32, runs: usize },
}

pub fn escher_version() -> String {
    format!("escher {}", env!("CARGO_PKG_VERSION"))
}

/// The layout version a store holds: its marker's, 1 for unmarked state, `None` for an empty store.
pub async fn layout_version(store: &Store) -> Result<Option<u32>, StoreError> {
    if let Some((marker, _)) = store.get_json::<LayoutMarker>(LAYOUT_KEY).await? {
        return Ok(Some(marker.version));
    }
    for folder in ["runs/", "audit/"] {
        if !store.list(folder).await?.is_empty() {
            return Ok(Some(1));
        }
    }
    Ok(None)
}

/// Makes the store's layout the current one: marks an empty store, migrates an older layout, and refuses a
/// newer one (changing nothing). Migration is idempotent and writes the marker last, so a crash part-way leaves
/// an unmarked store that the next run migrates again.
pub async fn ensure_layout(store: &Store) -> Result<LayoutOutcome, StoreError> {
    match check_readable(store).await? {
        Some(CURRENT_VERSION) => Ok(LayoutOutcome::Current),
        None => {
            write_marker(store).await?;
            Ok(LayoutOutcome::Created)
        }
        Some(from) => {
            let runs = migrate_v1(store).await?;
            write_marker(store).await?;
            Ok(LayoutOutcome::Migrated { from, runs })
        }
    }
}

/// Refuses a newer layout without migrating anything: for commands that only read.
pub async fn check_readable(store: &Store) -> Result<Option<u32>, StoreError> {
    let version = layout_version(store).await?;
    match version {
        Some(found) if found > CURRENT_VERSION => Err(StoreError::NewerLayout {
            url: store.url().to_string(),
            found,
            supported: CURRENT_VERSION,
            escher: escher_version(),
        }),
        other => Ok(other),
    }
}

async fn write_marker(store: &Store) -> Result<(), StoreError> {
    let marker = LayoutMarker { version: CURRENT_VERSION, written_by: escher_version() };
    store.put_json(LAYOUT_KEY, &marker, PutMode::Overwrite).await.map(drop)
}

/// Version 1 to 2: a `meta.json` for every run, from its journal.
async fn migrate_v1(store: &Store) -> Result<usize, StoreError> {
    let mut count = 0;
    for run_id in crate::runs::journal_run_ids(store).await? {
        let summary = read_summary(store, &run_id).await?;
        write_meta(store, &summary).await?;
        count += 1;
    }
    Ok(count)
}
