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
