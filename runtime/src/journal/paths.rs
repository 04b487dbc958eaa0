//! Where a run's journal lives: `runs/<run_id>/journal.jsonl` under the state directory.

use std::path::{Path, PathBuf};

use super::error::JournalError;

pub(crate) const RUNS_DIR: &str = "runs";
pub(crate) const JOURNAL_FILE: &str = "journal.jsonl";

/// `runs/<run_id>` under the state directory, once the id is known to be a plain file name (an id like
/// `../audit` must not reach outside `runs/`).
pub(crate) fn run_dir(state_dir: &Path, run_id: &str) -> Result<PathBuf, JournalError> {
    if !is_valid_run_id(run_id) {
        return Err(JournalError::InvalidRunId { run_id: run_id.to_string() });
    }
    Ok(state_dir.join(RUNS_DIR).join(run_id))
}

pub(crate) fn journal_path(state_dir: &Path, run_id: &str) -> Result<PathBuf, JournalError> {
    Ok(run_dir(state_dir, run_id)?.join(JOURNAL_FILE))
}

pub(crate) fn is_valid_run_id(run_id: &str) -> bool {
    !run_id.is_empty()
        && run_id.len() <= 128
        && !run_id.starts_with('.')
        && run_id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_and_plain_ids_are_accepted() {
        assert!(is_valid_run_id("20250101T200000Z-a1b2c3"));
        assert!(is_valid_run_id("nightly_test.1"));
    }

    #[test]
    fn ids_that_could_leave_the_runs_folder_are_refused() {
        for id in ["", "..", "../audit", "a/b", "a\\b", ".hidden", "run id"] {
            assert!(!is_valid_run_id(id), "{id:?} should be refused");
        }
        assert!(matches!(run_dir(Path::new("/state"), "../x"), Err(JournalError::InvalidRunId { .. })));
    }
}
