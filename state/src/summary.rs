//! What a store holds, for `escher state show`.

use serde::Serialize;

use crate::layout::layout_version;
use crate::log::parse_segment_key;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateSummary {
    pub location: String,
    /// `None` for an empty store.
    pub layout_version: Option<u32>,
    pub runs: usize,
    pub audit_records: usize,
    pub schedules: usize,
    pub occurrences: usize,
    pub approvals: usize,
    pub inventory: usize,
    pub locks: usize,
}

pub async fn summarize(store: &Store) -> Result<StateSummary, StoreError> {
    let layout_version = layout_version(store).await?;
    let runs = crate::runs::journal_run_ids(store).await?.len();
    let audit = crate::log::read_log(store, "audit/audit.jsonl").await?;
    let audit_records = audit.iter().filter(|&&b| b == b'\n').count();
    let schedules_keys = store.list("schedules/").await?;
    let schedules = schedules_keys.iter().filter(|k| k.ends_with("/schedule.json")).count();
    let occurrences = schedules_keys.iter().filter(|k| k.contains("/occurrences/")).count();
    let count = |keys: Vec<String>| keys.iter().filter(|k| parse_segment_key(k).is_none()).count();
    Ok(StateSummary {
        location: store.url().to_string(),
        layout_version,
        runs,
        audit_records,
        schedules,
        occurrences,
        approvals: count(store.list("approvals/").await?),
        inventory: count(store.list("inventory/").await?),
        locks: store.list("locks/").await?.len(),
    })
}
