//! Folding a journal: at every point a run could crash, the state says what finished and what is in doubt.

mod journal_fixtures;

use std::collections::BTreeSet;

use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::journal::{Journal, JournalError, JournalRecord, JournalState, fold, read_state};
use journal_fixtures::{RUN_ID, at, decision, outcome, plan, realistic_run, step_started};

type InDoubt = Vec<(String, usize, Vec<String>)>;

/// After this many records: in doubt, finished steps, finished batches of `stop`, finished with.
type Expectation = (usize, InDoubt, &'static [&'static str], &'static [usize], Option<RunStatus>);

fn doubt(entries: &[(&str, usize, &[&str])]) -> InDoubt {
    entries
        .iter()
        .map(|(node, batch, targets)| (node.to_string(), *batch, targets.iter().map(|t| t.to_string()).collect()))
        .collect()
}

fn names<'a>(keys: impl Iterator<Item = &'a String>) -> BTreeSet<&'a str> {
    keys.map(String::as_str).collect()
}

#[test]
fn every_prefix_of_a_realistic_run_folds_to_what_had_happened_by_then() {
    let plan = plan();
    let records = realistic_run(&plan);
    let expected: Vec<Expectation> = vec![
        (0, doubt(&[]), &[], &[], None),
        (1, doubt(&[]), &[], &[], None),
        (2, doubt(&[]), &["vms"], &[], None),
        (3, doubt(&[]), &["vms"], &[], None),
        (4, doubt(&[("stop", 0, &["i-1", "i-2"])]), &["vms"], &[], None),
        (5, doubt(&[("stop", 0, &["i-1", "i-2"]), ("stop", 1, &["i-3"])]), &["vms"], &[], None),
        (6, doubt(&[("stop", 1, &["i-3"])]), &["vms"], &[0], None),
        (7, doubt(&[("stop", 1, &["i-3"])]), &["vms"], &[0], None),
        (8, doubt(&[]), &["vms"], &[0, 1], None),
        (9, doubt(&[]), &["vms", "stop"], &[0, 1], None),
        (10, doubt(&[]), &["vms", "stop"], &[0, 1], None),
        (11, doubt(&[]), &["vms", "stop"], &[0, 1], Some(RunStatus::Succeeded)),
    ];
    assert_eq!(expected.len(), records.len() + 1, "one expectation per prefix");
    for (len, in_doubt, finished, batches, finished_with) in expected {
        let state = fold(&records[..len]).expect("a well-formed prefix folds");
        assert_eq!(state.in_doubt, in_doubt, "in doubt after {len} records");
        assert_eq!(names(state.finished.keys()), finished.iter().copied().collect(), "finished after {len}");
        let stop_batches: Vec<usize> =
            state.batches.keys().filter(|(node, _)| node == "stop").map(|(_, batch)| *batch).collect();
        assert_eq!(stop_batches, batches, "batches after {len}");
        assert_eq!(state.finished_with, finished_with, "finished_with after {len}");
        assert_eq!(state.plan.is_some(), len >= 1, "plan after {len}");
        assert_eq!(state.approvals.contains_key("stop"), len >= 3, "approval after {len}");
        assert_eq!(state.skipped.contains_key("summary"), len >= 10, "skip after {len}");
    }
}

#[test]
fn the_whole_run_folds_to_its_outputs_results_and_decisions() {
    let plan = plan();
    let state = fold(&realistic_run(&plan)).expect("folds");
    assert_eq!(state.run_id, RUN_ID);
    assert_eq!(state.plan.as_ref(), Some(&plan));
    assert!(!state.dry_run);
    assert_eq!(state.finished.get("stop"), Some(&(StepStatus::PartiallySucceeded, outcome())));
    assert_eq!(state.batches[&("stop".to_string(), 0)].len(), 2);
    assert_eq!(state.approvals.get("stop"), Some(&decision(&plan, "stop")));
    assert_eq!(state.skipped.get("summary").map(String::as_str), Some("when was false"));
    assert!(state.rolled_back.is_empty());
}

#[test]
fn a_batch_started_again_on_resume_stays_one_entry_in_doubt_until_it_finishes() {
    let plan = plan();
    let mut records = realistic_run(&plan)[..4].to_vec();
    records.push(JournalRecord::RunResumed { at: at(30) });
    records.push(step_started("stop", 0, 2, &["i-1", "i-2"], 31));
    let state = fold(&records).expect("folds");
    assert_eq!(state.in_doubt, doubt(&[("stop", 0, &["i-1", "i-2"])]));
}

#[test]
fn a_batch_cut_short_by_its_step_finishing_stays_in_doubt() {
    let plan = plan();
    let mut records = realistic_run(&plan)[..4].to_vec();
    records.push(JournalRecord::StepFinished {
        node: "stop".to_string(),
        status: StepStatus::Failed,
        output: outcome(),
        error: Some("timed out after 10m".to_string()),
        at: at(40),
    });
    let state = fold(&records).expect("folds");
    assert_eq!(state.in_doubt, doubt(&[("stop", 0, &["i-1", "i-2"])]));
    assert_eq!(state.finished["stop"].0, StepStatus::Failed);
}

#[test]
fn a_rollback_is_recorded_by_node() {
    let plan = plan();
    let mut records = realistic_run(&plan)[..9].to_vec();
    records.push(JournalRecord::RolledBack {
        node: "stop".to_string(),
        undo: "aws.ec2.start".to_string(),
        output: outcome(),
        at: at(50),
    });
    records.push(JournalRecord::RunFinished { status: RunStatus::RolledBack, at: at(51) });
    let state = fold(&records).expect("folds");
    assert_eq!(state.rolled_back.get("stop"), Some(&outcome()));
    assert_eq!(state.finished_with, Some(RunStatus::RolledBack));
}

#[test]
fn a_journal_must_begin_with_run_started_exactly_once() {
    let plan = plan();
    let records = realistic_run(&plan);
    let error = fold(&records[1..]).expect_err("no run_started");
    assert!(matches!(error, JournalError::Inconsistent { line: 1, .. }), "{error:?}");
    let twice = [records[0].clone(), records[1].clone(), records[0].clone()];
    assert!(matches!(fold(&twice), Err(JournalError::Inconsistent { line: 3, .. })));
}

#[test]
fn nothing_may_follow_run_finished() {
    let plan = plan();
    let mut records = realistic_run(&plan);
    records.push(JournalRecord::RunResumed { at: at(60) });
    let error = fold(&records).expect_err("a record after the end");
    assert!(matches!(error, JournalError::Inconsistent { line: 12, .. }), "{error:?}");
}

#[test]
fn read_state_folds_the_file_and_names_an_empty_journal_by_its_run() {
    let state_dir = tempfile::tempdir().expect("a temporary state directory");
    let plan = plan();
    let mut journal = Journal::create(state_dir.path(), RUN_ID).expect("a new journal");
    let empty = read_state(state_dir.path(), RUN_ID).expect("an empty journal folds");
    assert_eq!(empty, JournalState { run_id: RUN_ID.to_string(), ..JournalState::default() });
    for record in &realistic_run(&plan)[..5] {
        journal.append(record).expect("appended");
    }
    let state = read_state(state_dir.path(), RUN_ID).expect("folds");
    assert_eq!(state, fold(&realistic_run(&plan)[..5]).expect("folds"));
    assert_eq!(state.in_doubt.len(), 2);
}
