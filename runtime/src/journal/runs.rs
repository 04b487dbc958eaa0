//! The list of runs in a state directory, newest first, for `escher runs`.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{JournalError, io_at};
use super::record::JournalRecord;
use super::{lines, paths};
use crate::events::RunStatus;

/// One run, as its journal's first and last records describe it. Fields a journal does not (yet) hold are
/// empty: a run that crashed before its first record, or one whose journal cannot be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: String,
    pub playbook: String,
    pub plan_hash: String,
    pub started_at: String,
    pub status: RunProgress,
    pub dry_run: bool,
}

/// Where a run stands. A journal cannot tell a run still going from one whose process died.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RunProgress {
    Finished {
        status: RunStatus,
    },
    InProgressOrCrashed,
    /// Listed rather than hidden, so a damaged journal is noticed.
    Unreadable {
        reason: String,
    },
}

impl fmt::Display for RunProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunProgress::Finished { status } => f.write_str(match status {
                RunStatus::Succeeded => "succeeded",
                RunStatus::Failed => "failed",
                RunStatus::Cancelled => "cancelled",
                RunStatus::RolledBack => "rolled back",
                RunStatus::WaitingForApproval => "waiting for approval",
            }),
            RunProgress::InProgressOrCrashed => f.write_str("in progress/crashed"),
            RunProgress::Unreadable { reason } => write!(f, "unreadable: {reason}"),
        }
    }
}

/// Every run with a journal under `runs/`, newest first. Reads only each journal's first and last lines, so
/// listing stays fast however long the runs were.
pub fn list_runs(state_dir: &Path) -> Result<Vec<RunSummary>, JournalError> {
    let runs_dir = state_dir.join(paths::RUNS_DIR);
    let entries = match fs::read_dir(&runs_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io_at(&runs_dir)(error)),
    };
    let mut runs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_at(&runs_dir))?;
        let Some(run_id) = entry.file_name().to_str().map(str::to_string) else { continue };
        let journal = entry.path().join(paths::JOURNAL_FILE);
        if !paths::is_valid_run_id(&run_id) || !journal.is_file() {
            continue;
        }
        runs.push(summarize(run_id, &journal));
    }
    runs.sort_by(|a, b| b.run_id.cmp(&a.run_id));
    Ok(runs)
}

fn summarize(run_id: String, journal: &Path) -> RunSummary {
    let mut summary = RunSummary {
        run_id,
        playbook: String::new(),
        plan_hash: String::new(),
        started_at: String::new(),
        status: RunProgress::InProgressOrCrashed,
        dry_run: false,
    };
    if let Err(reason) = read_ends(journal, &mut summary) {
        summary.status = RunProgress::Unreadable { reason };
    }
    summary
}

fn read_ends(journal: &Path, summary: &mut RunSummary) -> Result<(), String> {
    let file = File::open(journal).map_err(|error| error.to_string())?;
    let mut first = Vec::new();
    BufReader::new(&file).read_until(b'\n', &mut first).map_err(|error| error.to_string())?;
    if first.pop() != Some(b'\n') {
        // No complete record yet: created, and crashed or still writing its first record.
        return Ok(());
    }
    match parse(&first, "line 1")? {
        JournalRecord::RunStarted { plan, dry_run, at, .. } => {
            summary.playbook = plan.playbook;
            summary.plan_hash = plan.hash;
            summary.started_at = at;
            summary.dry_run = dry_run;
        }
        _ => return Err("line 1 is not run_started".to_string()),
    }
    let last = lines::last_complete_line(&file).map_err(|error| error.to_string())?;
    if let Some(JournalRecord::RunFinished { status, .. }) =
        last.map(|line| parse(&line, "the last line")).transpose()?
    {
        summary.status = RunProgress::Finished { status };
    }
    Ok(())
}

fn parse(line: &[u8], which: &str) -> Result<JournalRecord, String> {
    serde_json::from_slice(line).map_err(|error| format!("{which} is not a journal record: {error}"))
}
