//! Every kind of journal record comes back from disk exactly as it was appended.

mod journal_fixtures;

use escher_compiler::plan::Value;
use escher_runtime::events::StepStatus;
use escher_runtime::journal::{Journal, JournalRecord, read_records};
use escher_runtime::provider::TargetStatus;
use journal_fixtures::{RUN_ID, at, outcome, plan, realistic_run, result};

/// The realistic run's records plus the two kinds it lacks, and target results of every status.
fn every_kind() -> Vec<JournalRecord> {
    let mut records = realistic_run(&plan());
    let finished = records.pop().expect("the run ends with run_finished");
    records.push(JournalRecord::RunResumed { at: at(10) });
    records.push(JournalRecord::BatchFinished {
        node: "stop".to_string(),
        batch: 2,
        results: vec![
            result("i-4", TargetStatus::NotSimulated { reason: "no dry run for this API".to_string() }),
            result("i-5", TargetStatus::Changed),
        ],
        at: at(11),
    });
    records.push(JournalRecord::StepFinished {
        node: "stop".to_string(),
        status: StepStatus::Failed,
        output: Value::Null,
        error: Some("2 of 3 targets failed, over max_errors 1".to_string()),
        at: at(12),
    });
    records.push(JournalRecord::RolledBack {
        node: "stop".to_string(),
        undo: "aws.ec2.start".to_string(),
        output: outcome(),
        at: at(13),
    });
    records.push(finished);
    records
}

#[test]
fn every_record_kind_round_trips_through_the_journal_file() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = every_kind();
    let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    for record in &records {
        journal.append(record).expect("appended");
    }
    assert_eq!(read_records(state.path(), RUN_ID).expect("readable"), records);
}

#[test]
fn each_record_is_one_line_tagged_with_its_kind() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = every_kind();
    let mut journal = Journal::create(state.path(), RUN_ID).expect("a new journal");
    for record in &records {
        journal.append(record).expect("appended");
    }
    let text = std::fs::read_to_string(journal.path()).expect("readable");
    let kinds: Vec<String> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
            value["record"].as_str().expect("a record tag").to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "run_started",
            "step_finished",
            "approval_decided",
            "step_started",
            "step_started",
            "batch_finished",
            "step_started",
            "batch_finished",
            "step_finished",
            "step_skipped",
            "run_resumed",
            "batch_finished",
            "step_finished",
            "rolled_back",
            "run_finished",
        ]
    );
    assert!(text.ends_with('\n'));
}
