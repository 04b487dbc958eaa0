//! Group commits: several records written with one sync read back whole, in order, and chain like single ones.

mod audit_fixtures;

use escher_runtime::audit::{AuditLog, VerifyReport, verify};
use escher_runtime::journal::{Journal, JournalRecord, read_records};

fn skipped(node: &str) -> JournalRecord {
    JournalRecord::StepSkipped { node: node.into(), reason: "test".into(), at: "2026-11-24T10:00:00Z".into() }
}

#[test]
fn a_group_of_journal_records_reads_back_in_order_after_single_ones() {
    let state = tempfile::tempdir().expect("temp dir");
    let mut journal = Journal::create(state.path(), "20261124T100000Z-abcdef").expect("journal");
    journal.append(&skipped("first")).expect("single append");
    journal.append_all(&[skipped("a"), skipped("b"), skipped("c")]).expect("group append");
    journal.append_all(&[]).expect("an empty group writes nothing");
    let records = read_records(state.path(), "20261124T100000Z-abcdef").expect("readable");
    let nodes: Vec<&str> = records
        .iter()
        .map(|r| match r {
            JournalRecord::StepSkipped { node, .. } => node.as_str(),
            _ => "?",
        })
        .collect();
    assert_eq!(nodes, ["first", "a", "b", "c"]);
}

#[test]
fn audit_entries_appended_as_a_group_chain_and_verify_like_single_ones() {
    let state = tempfile::tempdir().expect("temp dir");
    let mut log = AuditLog::open(state.path()).expect("audit log");
    log.append(audit_fixtures::entry(0)).expect("single append");
    let group = log.append_all((1..4).map(audit_fixtures::entry).collect()).expect("group append");
    assert_eq!(group.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 3, 4]);
    assert_eq!(group[1].prev_hash, group[0].hash);
    let after = log.append(audit_fixtures::entry(4)).expect("append after a group");
    assert_eq!(after.prev_hash, group[2].hash);
    drop(log);
    assert_eq!(verify(state.path()).expect("verifies"), VerifyReport::Intact { records: 5 });
    AuditLog::open(state.path()).expect("the anchor matches the end after a group");
}

/// The anchor as a group append leaves it when a crash stops it after the records are synced.
fn crash_before_the_anchor_moved(state: &std::path::Path, committed: (u64, &str), pending: (u64, &str)) {
    let anchor = serde_json::json!({
        "seq": committed.0,
        "hash": committed.1,
        "pending": { "seq": pending.0, "hash": pending.1 },
    });
    std::fs::write(state.join("audit/head.json"), anchor.to_string()).expect("anchor written");
}

#[test]
fn a_crash_between_a_group_and_its_anchor_leaves_a_log_that_opens_and_verifies() {
    let state = tempfile::tempdir().expect("temp dir");
    let mut log = AuditLog::open(state.path()).expect("audit log");
    let first = log.append(audit_fixtures::entry(0)).expect("append");
    let group = log.append_all((1..4).map(audit_fixtures::entry).collect()).expect("group append");
    drop(log);
    let last = group.last().expect("three records");
    crash_before_the_anchor_moved(state.path(), (first.seq, &first.hash), (last.seq, &last.hash));
    assert_eq!(verify(state.path()).expect("verifies"), VerifyReport::Intact { records: 4 });
    let mut log = AuditLog::open(state.path()).expect("opens, settling the anchor");
    assert_eq!(log.append(audit_fixtures::entry(4)).expect("appends").seq, 5);
}

#[test]
fn records_past_the_anchor_that_no_pending_end_names_are_still_an_insertion() {
    let state = tempfile::tempdir().expect("temp dir");
    let mut log = AuditLog::open(state.path()).expect("audit log");
    let first = log.append(audit_fixtures::entry(0)).expect("append");
    let group = log.append_all((1..4).map(audit_fixtures::entry).collect()).expect("group append");
    drop(log);
    // The pending end names the group's first record, but the log goes on past it.
    crash_before_the_anchor_moved(state.path(), (first.seq, &first.hash), (group[0].seq, &group[0].hash));
    assert!(matches!(verify(state.path()).expect("reads"), VerifyReport::Broken(_)));
    assert!(AuditLog::open(state.path()).is_err());
}
