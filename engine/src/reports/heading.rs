//! What a run's page says of the run besides its reports.

use escher_runtime::journal::JournalRecord;
use escher_runtime::report::RunReport;

/// The run a page of reports comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunHeading {
    pub run_id: String,
    pub playbook: String,
    /// When the session that made the reports began (RFC 3339): the run's start, or its last resumption.
    pub started_at: String,
    pub dry_run: bool,
}

impl RunHeading {
    /// From the report of the run as it ends.
    pub fn of(report: &RunReport) -> RunHeading {
        RunHeading {
            run_id: report.run_id.clone(),
            playbook: report.playbook.clone(),
            started_at: report.started_at.clone(),
            dry_run: report.dry_run,
        }
    }

    /// From the run's journal, as [`RunHeading::of`] had it at the run's end; `None` for a journal that does not
    /// begin with the run's start.
    pub fn from_journal(records: &[JournalRecord]) -> Option<RunHeading> {
        let Some(JournalRecord::RunStarted { run_id, plan, dry_run, at }) = records.first() else { return None };
        let resumed_at = records.iter().rev().find_map(|record| match record {
            JournalRecord::RunResumed { at } => Some(at),
            _ => None,
        });
        Some(RunHeading {
            run_id: run_id.clone(),
            playbook: plan.playbook.clone(),
            started_at: resumed_at.unwrap_or(at).clone(),
            dry_run: *dry_run,
        })
    }

    /// The start for a reader: `2026-05-01 08:00:03 UTC`; as recorded when it is not RFC 3339.
    pub fn started(&self) -> String {
        chrono::DateTime::parse_from_rfc3339(&self.started_at).map_or_else(
            |_| self.started_at.clone(),
            |at| at.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        )
    }
}
