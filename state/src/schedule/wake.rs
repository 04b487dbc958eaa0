//! What a daemon waking at `now` does for one schedule: a pure function of the schedule, the last occurrence it
//! knows of, and the clock, so it is tested without a store or a daemon.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::cron::CronSpec;

/// What to do with occurrences that passed while no daemon was running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissedPolicy {
    /// Run the latest missed occurrence on wake-up (the others are recorded as missed).
    RunLatest,
    /// Run none of them; record them as missed.
    Skip,
}

impl MissedPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MissedPolicy::RunLatest => "run-latest",
            MissedPolicy::Skip => "skip",
        }
    }
}

/// How late an occurrence may start and still count as on time.
pub const GRACE: Duration = Duration::minutes(5);
/// Missed occurrences recorded one by one at most; older ones are counted, not listed.
pub const MISSED_LIMIT: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wake {
    /// The occurrence to run now, if any.
    pub run: Option<DateTime<Utc>>,
    /// Whether `run` is a missed occurrence run late (policy run-latest).
    pub late: bool,
    /// Occurrences that passed and will not run (oldest first).
    pub missed: Vec<DateTime<Utc>>,
    /// When this schedule fires next after `now`.
    pub next: Option<DateTime<Utc>>,
}

/// Decides what to do at `now` for a schedule whose occurrences up to `since` are already dealt with.
pub fn wake(spec: &CronSpec, policy: MissedPolicy, since: DateTime<Utc>, now: DateTime<Utc>) -> Wake {
    // The most recent occurrences are what matter; a daemon off for a year records the last MISSED_LIMIT.
    let mut passed = spec.between(since.max(now - Duration::days(400)), now, usize::MAX >> 1);
    if passed.len() > MISSED_LIMIT + 1 {
        passed.drain(..passed.len() - MISSED_LIMIT - 1);
    }
    let next = spec.next_after(now);
    let Some(&latest) = passed.last() else { return Wake { run: None, late: false, missed: Vec::new(), next } };
    if now - latest <= GRACE {
        passed.pop();
        return Wake { run: Some(latest), late: false, missed: passed, next };
    }
    match policy {
        MissedPolicy::RunLatest => {
            passed.pop();
            Wake { run: Some(latest), late: true, missed: passed, next }
        }
        MissedPolicy::Skip => Wake { run: None, late: false, missed: passed, next },
    }
}
