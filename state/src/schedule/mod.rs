//! Schedules kept in the store: `schedules/<name>/schedule.json` (the cron, zone, parameters, missed-run policy
//! and a copy of the playbook), and `schedules/<name>/occurrences/<UTC instant>.json`, one per occurrence that
//! was run, missed or skipped. An occurrence object is created with a create-only write, so of any number of
//! daemons on the same state exactly one claims it.

mod cron;
mod occurrence;
pub mod wake;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use cron::CronSpec;
pub use occurrence::{Occurrence, OccurrenceStatus, claim, finish, list_occurrences, occurrence_key, record};
pub use wake::{MissedPolicy, Wake, wake};

use crate::backend::PutMode;
use crate::error::StoreError;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub name: String,
    /// The playbook file as given to `schedule add`.
    pub playbook_file: String,
    /// The playbook's text when it was added: the state holds what runs.
    pub playbook: String,
    pub cron: String,
    pub tz: String,
    pub params: BTreeMap<String, String>,
    /// The providers its runs use, by name (`sim`, `aws`); a schedule added before they were recorded runs on
    /// `sim`, as it did then.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clouds: Vec<String>,
    pub missed: MissedPolicy,
    pub created_at: DateTime<Utc>,
}

impl Schedule {
    pub fn spec(&self) -> Result<CronSpec, String> {
        CronSpec::parse(&self.cron, &self.tz)
    }
}

pub fn schedule_key(name: &str) -> String {
    format!("schedules/{name}/schedule.json")
}

/// A schedule name is a plain file name: it becomes a folder in the store.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Adds a schedule; a schedule of the same name is an error (remove it first).
pub async fn add(store: &Store, schedule: &Schedule) -> Result<(), StoreError> {
    store.put_json(&schedule_key(&schedule.name), schedule, PutMode::Create).await.map(drop)
}

pub async fn get(store: &Store, name: &str) -> Result<Option<Schedule>, StoreError> {
    Ok(store.get_json(&schedule_key(name)).await?.map(|(schedule, _)| schedule))
}

/// Every schedule, by name.
pub async fn list(store: &Store) -> Result<Vec<Schedule>, StoreError> {
    let mut out = Vec::new();
    for key in store.list("schedules/").await? {
        if key.ends_with("/schedule.json")
            && let Some((schedule, _)) = store.get_json::<Schedule>(&key).await?
        {
            out.push(schedule);
        }
    }
    Ok(out)
}

/// Removes a schedule and its occurrence records. Returns false if there was none.
pub async fn remove(store: &Store, name: &str) -> Result<bool, StoreError> {
    let keys = store.list(&format!("schedules/{name}/")).await?;
    if !keys.contains(&schedule_key(name)) {
        return Ok(false);
    }
    // The schedule itself goes first, so a daemon never runs a half-removed schedule.
    store.delete(&schedule_key(name)).await?;
    for key in keys {
        store.delete(&key).await?;
    }
    Ok(true)
}
