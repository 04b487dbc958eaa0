//! Listing runs: newest first, each with its playbook, plan hash, start and how it stands.

mod journal_fixtures;

use std::fs::{self, OpenOptions};
use std::io::Write;

use escher_runtime::events::RunStatus;
use escher_runtime::journal::{Journal, JournalRecord, RunProgress, list_runs, new_run_id};
use journal_fixtures::{at, plan, realistic_run};

fn write_run(state: &std::path::Path, run_id: &str, records: &[JournalRecord]) {
    let mut journal = Journal::create(state, run_id).expect("a new journal");
    for record in records {
        journal.append(record).expect("appended");
    }
}

#[test]
fn a_state_directory_without_runs_lists_none() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    assert_eq!(list_runs(state.path()).expect("listed"), vec![]);
}

#[test]
fn runs_are_listed_newest_first_with_how_each_stands() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let plan = plan();
    let records = realistic_run(&plan);
    write_run(state.path(), "20250106T200000Z-000001", &records);
    write_run(state.path(), "20250107T200000Z-000002", &records[..5]);
    let mut dry = records[..1].to_vec();
    if let JournalRecord::RunStarted { dry_run, .. } = &mut dry[0] {
        *dry_run = true;
    }
    dry.push(JournalRecord::RunFinished { status: RunStatus::Failed, at: at(9) });
    write_run(state.path(), "20250105T200000Z-000003", &dry);

    let runs = list_runs(state.path()).expect("listed");
    let ids: Vec<&str> = runs.iter().map(|run| run.run_id.as_str()).collect();
    assert_eq!(ids, ["20250107T200000Z-000002", "20250106T200000Z-000001", "20250105T200000Z-000003"]);
    assert_eq!(runs[0].status, RunProgress::InProgressOrCrashed);
    assert_eq!(runs[1].status, RunProgress::Finished { status: RunStatus::Succeeded });
    assert_eq!(runs[2].status, RunProgress::Finished { status: RunStatus::Failed });
    assert_eq!((runs[1].dry_run, runs[2].dry_run), (false, true));
    for run in &runs {
        assert_eq!(run.playbook, "nightly");
        assert_eq!(run.plan_hash, plan.hash);
        assert_eq!(run.started_at, at(0));
    }
    assert_eq!(runs[0].status.to_string(), "in progress/crashed");
    assert_eq!(runs[1].status.to_string(), "succeeded");
}

#[test]
fn a_run_that_crashed_before_its_first_record_is_listed_in_progress() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let run_id = new_run_id();
    let journal = Journal::create(state.path(), &run_id).expect("a new journal");
    let mut file = OpenOptions::new().append(true).open(journal.path()).expect("opens");
    file.write_all(b"{\"record\":\"run_sta").expect("a torn first record");
    let runs = list_runs(state.path()).expect("listed");
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].run_id.as_str(), &runs[0].status), (run_id.as_str(), &RunProgress::InProgressOrCrashed));
    assert_eq!(runs[0].playbook, "");
}

#[test]
fn a_torn_last_line_does_not_hide_that_the_run_was_in_progress() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = realistic_run(&plan());
    write_run(state.path(), "20250106T200000Z-000001", &records[..10]);
    let path = state.path().join("runs/20250106T200000Z-000001/journal.jsonl");
    let mut file = OpenOptions::new().append(true).open(&path).expect("opens");
    file.write_all(b"{\"record\":\"run_finished\",\"status\":\"succ").expect("a torn last record");
    let runs = list_runs(state.path()).expect("listed");
    assert_eq!(runs[0].status, RunProgress::InProgressOrCrashed);
}

#[test]
fn an_unreadable_journal_is_listed_as_such_and_other_folders_are_ignored() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = realistic_run(&plan());
    write_run(state.path(), "20250106T200000Z-000001", &records);
    let damaged = state.path().join("runs/20250107T200000Z-000002");
    fs::create_dir_all(&damaged).expect("a run folder");
    fs::write(damaged.join("journal.jsonl"), "not json\n").expect("written");
    fs::create_dir_all(state.path().join("runs/no-journal-here")).expect("a stray folder");
    fs::write(state.path().join("runs/notes.txt"), "stray file").expect("a stray file");

    let runs = list_runs(state.path()).expect("listed");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].run_id, "20250107T200000Z-000002");
    assert!(
        matches!(&runs[0].status, RunProgress::Unreadable { reason } if reason.contains("line 1")),
        "{:?}",
        runs[0].status
    );
    assert_eq!(runs[1].status, RunProgress::Finished { status: RunStatus::Succeeded });
}
