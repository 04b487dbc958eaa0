//! One occurrence of a schedule: claimed (create-only) before it runs, then finished with its run id and
//! outcome, or recorded as missed or skipped.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::backend::{PutMode, Version};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceStatus {
    /// A daemon claimed it and is running it (or died doing so).
    Running,
    Ran,
    /// It passed while no daemon ran, and was not run.
    Missed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Occurrence {
    pub schedule: String,
    pub at: DateTime<Utc>,
    pub status: OccurrenceStatus,
    /// The daemon that claimed or recorded it.
    pub holder: String,
    pub recorded_at: DateTime<Utc>,
    /// True when it ran after its time (a missed occurrence run on wake-up).
    #[serde(default)]
    pub late: bool,
    pub run_id: Option<String>,
    /// How the run ended, or why it did not run.
    pub outcome: Option<String>,
}

/// One line about it, as the daemon prints it and `schedule list` shows it:
/// `nightly 2026-03-30T18:00:00Z: ran late as run r-1, Succeeded`.
impl std::fmt::Display for Occurrence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = match self.status {
            OccurrenceStatus::Running => "running",
            OccurrenceStatus::Ran if self.late => "ran late",
            OccurrenceStatus::Ran => "ran",
            OccurrenceStatus::Missed => "missed",
        };
        write!(f, "{} {}: {status}", self.schedule, self.at.format("%Y-%m-%dT%H:%M:%SZ"))?;
        if let Some(run_id) = &self.run_id {
            write!(f, " as run {run_id}")?;
        }
        if let Some(outcome) = &self.outcome {
            write!(f, ", {outcome}")?;
        }
        Ok(())
    }
}

pub fn occurrence_key(schedule: &str, at: DateTime<Utc>) -> String {
    format!("schedules/{schedule}/occurrences/{}.json", at.format("%Y%m%dT%H%M%SZ"))
}

/// Claims an occurrence to run it. `None` when another daemon already claimed or recorded it.
pub async fn claim(store: &Store, occurrence: &Occurrence) -> Result<Option<Version>, StoreError> {
    match store.put_json(&occurrence_key(&occurrence.schedule, occurrence.at), occurrence, PutMode::Create).await {
        Ok(version) => Ok(Some(version)),
        Err(error) if error.is_conflict() => Ok(None),
        Err(error) => Err(error),
    }
}

/// Records a missed occurrence; false if it was already recorded (by another daemon).
pub async fn record(store: &Store, occurrence: &Occurrence) -> Result<bool, StoreError> {
    Ok(claim(store, occurrence).await?.is_some())
}

/// Writes a claimed occurrence's end, at the version its claim wrote.
pub async fn finish(store: &Store, occurrence: &Occurrence, claimed: Version) -> Result<(), StoreError> {
    store
        .put_json(&occurrence_key(&occurrence.schedule, occurrence.at), occurrence, PutMode::Update(claimed))
        .await
        .map(drop)
}

/// A schedule's occurrence records, oldest first.
pub async fn list_occurrences(store: &Store, schedule: &str) -> Result<Vec<Occurrence>, StoreError> {
    let mut out = Vec::new();
    for key in store.list(&format!("schedules/{schedule}/occurrences/")).await? {
        if let Some((occurrence, _)) = store.get_json::<Occurrence>(&key).await? {
            out.push(occurrence);
        }
    }
    out.sort_by_key(|occurrence| occurrence.at);
    Ok(out)
}
