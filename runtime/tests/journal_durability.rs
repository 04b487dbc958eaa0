//! Appends are on disk when `append` returns; a crash can tear only the last line, and nothing else is guessed.

mod journal_fixtures;

use std::fs::{self, OpenOptions};
use std::io::Write;

use escher_runtime::journal::{Journal, JournalError, JournalRecord, read_records, read_state};
use journal_fixtures::{RUN_ID, at, plan, realistic_run};

fn skipped(node: &str) -> JournalRecord {
    JournalRecord::StepSkipped { node: node.to_string(), reason: "when was false".to_string(), at: at(1) }
}

fn append_raw(path: &std::path::Path, bytes: &[u8]) {
    let mut file = OpenOptions::new().append(true).open(path).expect("the journal opens");
    file.write_all(bytes).expect("written");
}

#[test]
fn a_journal_is_created_under_runs_and_its_id() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    assert_eq!(journal.path(), state.path().join("runs").join(RUN_ID).join("journal.jsonl"));
    assert!(journal.path().is_file());
}

#[test]
fn creating_a_journal_that_exists_is_refused_and_leaves_it_alone() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    journal.append(&skipped("a")).expect("appended");
    let again = Journal::create(state.path(), RUN_ID);
    assert!(matches!(again, Err(JournalError::AlreadyExists { .. })), "{again:?}");
    assert_eq!(read_records(state.path(), RUN_ID).expect("readable"), vec![skipped("a")]);
}

#[test]
fn opening_or_reading_a_run_without_a_journal_says_so() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    assert!(matches!(Journal::open(state.path(), RUN_ID), Err(JournalError::NotFound { .. })));
    assert!(matches!(read_records(state.path(), RUN_ID), Err(JournalError::NotFound { .. })));
}

#[test]
fn a_run_id_that_is_not_a_plain_name_is_refused() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let created = Journal::create(state.path(), "../audit");
    assert!(matches!(created, Err(JournalError::InvalidRunId { .. })), "{created:?}");
    assert!(!state.path().join("audit").exists());
}

#[test]
fn appends_survive_closing_and_reopening_and_continue_in_order() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    {
        let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
        journal.append(&skipped("a")).expect("appended");
        journal.append(&skipped("b")).expect("appended");
    }
    let mut journal = Journal::open(state.path(), RUN_ID).expect("reopened");
    journal.append(&skipped("c")).expect("appended");
    assert_eq!(read_records(state.path(), RUN_ID).expect("readable"), vec![skipped("a"), skipped("b"), skipped("c")]);
}

#[test]
fn a_torn_last_line_is_ignored_by_readers_and_cut_by_open() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = realistic_run(&plan());
    let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    for record in &records[..4] {
        journal.append(record).expect("appended");
    }
    let path = journal.path().to_path_buf();
    drop(journal);
    let whole = serde_json::to_string(&records[4]).expect("encodable");
    append_raw(&path, &whole.as_bytes()[..whole.len() / 2]);

    assert_eq!(read_records(state.path(), RUN_ID).expect("readable"), records[..4]);
    let folded = read_state(state.path(), RUN_ID).expect("foldable");
    assert_eq!(folded.in_doubt, vec![("stop".to_string(), 0, vec!["i-1".to_string(), "i-2".to_string()])]);

    let mut journal = Journal::open(state.path(), RUN_ID).expect("reopened");
    journal.append(&records[4]).expect("appended");
    assert_eq!(read_records(state.path(), RUN_ID).expect("readable"), records[..5]);
    assert!(fs::read_to_string(&path).expect("readable").lines().all(|line| line.starts_with('{')));
}

#[test]
fn a_complete_record_without_its_newline_counts_as_torn() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    journal.append(&skipped("a")).expect("appended");
    let path = journal.path().to_path_buf();
    drop(journal);
    append_raw(&path, serde_json::to_string(&skipped("b")).expect("encodable").as_bytes());
    assert_eq!(read_records(state.path(), RUN_ID).expect("readable"), vec![skipped("a")]);
    Journal::open(state.path(), RUN_ID).expect("reopened");
    assert_eq!(fs::read_to_string(&path).expect("readable").lines().count(), 1);
}

#[test]
fn a_corrupt_line_in_the_middle_is_an_error_naming_it() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    journal.append(&skipped("a")).expect("appended");
    let path = journal.path().to_path_buf();
    append_raw(&path, b"{\"record\":\"step_skipped\",\"node\":\n");
    journal.append(&skipped("c")).expect("appended");
    let error = read_records(state.path(), RUN_ID).expect_err("line 2 is corrupt");
    assert!(matches!(error, JournalError::Corrupt { line: 2, .. }), "{error:?}");
    assert!(error.to_string().contains("journal.jsonl, line 2"), "{error}");
    assert!(matches!(read_state(state.path(), RUN_ID), Err(JournalError::Corrupt { line: 2, .. })));
}

#[test]
fn a_complete_last_line_that_is_not_a_record_is_an_error_too() {
    // Its newline was written, so `append` may have returned and the runtime acted on it: ignoring it could
    // repeat a step.
    let state = tempfile::tempdir().expect("a temporary state directory");
    let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    journal.append(&skipped("a")).expect("appended");
    append_raw(journal.path(), b"{\"record\":\"step_sk\n");
    let error = read_records(state.path(), RUN_ID).expect_err("line 2 is corrupt");
    assert!(matches!(error, JournalError::Corrupt { line: 2, .. }), "{error:?}");
}

#[test]
fn a_journal_of_another_run_is_refused_by_read_state() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let mut records = realistic_run(&plan());
    if let JournalRecord::RunStarted { run_id, .. } = &mut records[0] {
        *run_id = "20250101T000000Z-ffffff".to_string();
    }
    let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    journal.append(&records[0]).expect("appended");
    let error = read_state(state.path(), RUN_ID).expect_err("the journal names another run");
    assert!(matches!(error, JournalError::Corrupt { line: 1, .. }), "{error:?}");
}
