//! `verify` names the first record where the chain breaks, and whether it was edited, removed, inserted or
//! reordered: at the first record, in the middle and at the last.

mod audit_fixtures;

use audit_fixtures::{entry, line_of, tamper, write_log};
use escher_runtime::audit::{ChainedEntry, Tampering, VerifyReport, record_hash, verify};

const RECORDS: usize = 5;
/// Indices of the first, a middle and the last record.
const FIRST: usize = 0;
const MIDDLE: usize = 2;
const LAST: usize = RECORDS - 1;

fn broken_at(report: &VerifyReport) -> (usize, u64, Tampering) {
    match report {
        VerifyReport::Broken(broken) => {
            assert!(!broken.detail.is_empty());
            (broken.line, broken.seq, broken.tampering)
        }
        VerifyReport::Intact { .. } => panic!("expected a broken chain, got {report}"),
    }
}

/// Verifies a fresh log of five records after `change`.
fn verify_after(change: impl FnOnce(&mut Vec<String>, &[ChainedEntry])) -> (usize, u64, Tampering) {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = write_log(state.path(), RECORDS);
    tamper(state.path(), |lines| change(lines, &records));
    broken_at(&verify(state.path()).expect("the log can be checked"))
}

/// A record an attacker made to fit after `previous`: its seq follows and its hash is right.
fn forged_after(previous: Option<&ChainedEntry>) -> ChainedEntry {
    let seq = previous.map_or(1, |record| record.seq + 1);
    let prev_hash = previous.map_or(escher_runtime::audit::GENESIS_HASH.to_string(), |record| record.hash.clone());
    let mut forged = entry(90);
    forged.who = "mallory".to_string();
    let hash = record_hash(seq, &prev_hash, &forged).expect("hashable");
    ChainedEntry { seq, prev_hash, entry: forged, hash }
}

fn edit_result(line: &mut String) {
    *line = line.replace("\"result\":\"succeeded\"", "\"result\":\"refused\"");
}

#[test]
fn an_untouched_log_is_intact() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), RECORDS);
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: RECORDS as u64 });
}

#[test]
fn a_state_directory_without_an_audit_log_is_intact_and_empty() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: 0 });
}

#[test]
fn an_edited_record_is_found_by_its_own_hash() {
    for at in [FIRST, MIDDLE, LAST] {
        let found = verify_after(|lines, _| edit_result(&mut lines[at]));
        assert_eq!(found, (at + 1, at as u64 + 1, Tampering::Edited), "edit at {at}");
    }
}

#[test]
fn an_edited_and_rehashed_record_is_found_by_the_link_after_it_or_the_anchor() {
    for at in [FIRST, MIDDLE, LAST] {
        let found = verify_after(|lines, records| {
            let mut edited = records[at].clone();
            edited.entry.result = "refused".to_string();
            edited.hash = record_hash(edited.seq, &edited.prev_hash, &edited.entry).expect("hashable");
            lines[at] = line_of(&edited);
        });
        assert_eq!(found, (at + 1, at as u64 + 1, Tampering::Edited), "rehashed edit at {at}");
    }
}

#[test]
fn a_field_added_to_a_record_counts_as_an_edit() {
    let found = verify_after(|lines, _| lines[MIDDLE] = lines[MIDDLE].replacen('{', "{\"note\":\"hidden\",", 1));
    assert_eq!(found, (MIDDLE + 1, MIDDLE as u64 + 1, Tampering::Edited));
}

#[test]
fn a_removed_record_leaves_a_gap_in_seq_or_falls_short_of_the_anchor() {
    for at in [FIRST, MIDDLE, LAST] {
        let found = verify_after(|lines, _| {
            lines.remove(at);
        });
        assert_eq!(found, (at + 1, at as u64 + 1, Tampering::Removed), "removal at {at}");
    }
}

#[test]
fn an_inserted_record_that_fits_the_chain_is_found_by_the_record_it_displaced() {
    for at in [FIRST, MIDDLE, LAST] {
        let found = verify_after(|lines, records| {
            let forged = forged_after(at.checked_sub(1).map(|previous| &records[previous]));
            lines.insert(at, line_of(&forged));
        });
        assert_eq!(found, (at + 1, at as u64 + 1, Tampering::Inserted), "insertion before {at}");
    }
}

#[test]
fn a_record_appended_after_the_anchored_end_is_an_insertion() {
    let found = verify_after(|lines, records| lines.push(line_of(&forged_after(Some(&records[LAST])))));
    assert_eq!(found, (RECORDS + 1, RECORDS as u64 + 1, Tampering::Inserted));
}

#[test]
fn a_copied_record_is_an_insertion_wherever_it_is_put() {
    for at in [FIRST, MIDDLE, RECORDS] {
        let found = verify_after(|lines, _| {
            let copy = lines[1].clone();
            lines.insert(at, copy);
        });
        let line = if at == FIRST { 1 } else { at + 1 };
        assert_eq!(found, (line, 2, Tampering::Inserted), "copy of seq 2 put at {at}");
    }
}

#[test]
fn swapped_records_are_reordered() {
    for at in [FIRST, MIDDLE, LAST - 1] {
        let found = verify_after(|lines, _| lines.swap(at, at + 1));
        assert_eq!(found, (at + 1, at as u64 + 2, Tampering::Reordered), "swap of {at} and {}", at + 1);
    }
}

#[test]
fn a_record_moved_to_the_end_is_reordered_where_it_was_missed() {
    let found = verify_after(|lines, _| {
        let moved = lines.remove(MIDDLE);
        lines.push(moved);
    });
    assert_eq!(found, (MIDDLE + 1, MIDDLE as u64 + 2, Tampering::Reordered));
}

#[test]
fn only_the_first_of_several_breaks_is_reported() {
    let found = verify_after(|lines, _| {
        edit_result(&mut lines[3]);
        lines.remove(1);
    });
    assert_eq!(found, (2, 2, Tampering::Removed));
}

#[test]
fn a_line_that_is_not_a_record_is_an_edit() {
    let found = verify_after(|lines, _| lines[MIDDLE] = "{\"seq\": 3".to_string());
    assert_eq!(found, (MIDDLE + 1, MIDDLE as u64 + 1, Tampering::Edited));
}

#[test]
fn the_report_reads_as_a_sentence_and_serializes_with_its_verdict() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), RECORDS);
    tamper(state.path(), |lines| {
        lines.remove(MIDDLE);
    });
    let report = verify(state.path()).expect("checked");
    assert!(report.to_string().starts_with("broken at line 3 (seq 3): removed; record seq 3 is missing"), "{report}");
    let json = serde_json::to_value(&report).expect("serializable");
    assert_eq!(
        (json["verdict"].as_str(), json["tampering"].as_str(), json["line"].as_u64()),
        (Some("broken"), Some("removed"), Some(3))
    );
}
