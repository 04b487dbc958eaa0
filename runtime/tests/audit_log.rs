//! Appending to the audit log: a chain that continues across opens, survives crashes mid-append, and refuses
//! to continue from an end that was tampered with.

mod audit_fixtures;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::sync::{Arc, Mutex};

use audit_fixtures::{entry, line_of, log_path, read_lines, tamper, write_log};
use escher_runtime::audit::{
    AuditError, AuditLog, ChainedEntry, GENESIS_HASH, Tampering, VerifyReport, reanchor, record_hash, verify,
};

fn chained_after(previous: &ChainedEntry, n: usize) -> ChainedEntry {
    let seq = previous.seq + 1;
    let hash = record_hash(seq, &previous.hash, &entry(n)).expect("hashable");
    ChainedEntry { seq, prev_hash: previous.hash.clone(), entry: entry(n), hash }
}

#[test]
fn appended_records_are_numbered_linked_and_stored_one_a_line() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = write_log(state.path(), 3);
    assert_eq!(records.iter().map(|record| record.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(records[0].prev_hash, GENESIS_HASH);
    assert_eq!(records[1].prev_hash, records[0].hash);
    assert_eq!(records[2].prev_hash, records[1].hash);
    for record in &records {
        assert_eq!(record.hash, record_hash(record.seq, &record.prev_hash, &record.entry).expect("hashable"));
        assert_eq!(record.hash.len(), 64);
    }
    assert_eq!(read_lines(state.path()), records.iter().map(line_of).collect::<Vec<_>>());
}

#[test]
fn the_anchor_names_the_last_record() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = write_log(state.path(), 2);
    let anchor: serde_json::Value =
        serde_json::from_slice(&fs::read(state.path().join("audit/head.json")).expect("an anchor")).expect("JSON");
    assert_eq!(anchor, serde_json::json!({ "seq": 2, "hash": records[1].hash }));
}

#[test]
fn reopening_continues_the_chain() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let first = write_log(state.path(), 2);
    let mut log = AuditLog::open(state.path()).expect("reopened");
    let third = log.append(entry(3)).expect("appended");
    assert_eq!((third.seq, third.prev_hash.as_str()), (3, first[1].hash.as_str()));
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: 3 });
}

#[test]
fn a_line_torn_by_a_crash_is_cut_and_the_chain_goes_on() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = write_log(state.path(), 2);
    let torn = line_of(&chained_after(&records[1], 3));
    let mut file = OpenOptions::new().append(true).open(log_path(state.path())).expect("opens");
    file.write_all(&torn.as_bytes()[..40]).expect("a torn append");
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: 2 });

    let mut log = AuditLog::open(state.path()).expect("reopened");
    assert_eq!(log.append(entry(3)).expect("appended").seq, 3);
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: 3 });
}

#[test]
fn a_record_whose_anchor_a_crash_kept_from_being_written_is_anchored_on_open() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = write_log(state.path(), 2);
    tamper(state.path(), |lines| lines.push(line_of(&chained_after(&records[1], 3))));
    let report = verify(state.path()).expect("checked");
    assert!(matches!(&report, VerifyReport::Broken(broken) if broken.tampering == Tampering::Inserted), "{report}");

    let mut log = AuditLog::open(state.path()).expect("the interrupted append is anchored");
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: 3 });
    assert_eq!(log.append(entry(4)).expect("appended").seq, 4);
}

#[test]
fn a_log_whose_last_record_was_removed_is_not_continued() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), 3);
    tamper(state.path(), |lines| {
        lines.pop();
    });
    let before = read_lines(state.path());
    let refused = AuditLog::open(state.path());
    assert!(matches!(refused, Err(AuditError::Unanchored { .. })), "{refused:?}");
    assert_eq!(read_lines(state.path()), before);
}

#[test]
fn a_log_with_records_added_past_its_anchor_is_not_continued() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = write_log(state.path(), 2);
    let third = chained_after(&records[1], 3);
    let fourth = chained_after(&third, 4);
    tamper(state.path(), |lines| lines.extend([line_of(&third), line_of(&fourth)]));
    let refused = AuditLog::open(state.path());
    assert!(matches!(refused, Err(AuditError::Unanchored { .. })), "{refused:?}");
}

#[test]
fn a_log_whose_last_record_was_edited_is_not_continued() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), 2);
    tamper(state.path(), |lines| lines[1] = lines[1].replace("succeeded", "failed"));
    let refused = AuditLog::open(state.path());
    assert!(matches!(refused, Err(AuditError::Unanchored { .. })), "{refused:?}");
}

#[test]
fn reanchoring_accepts_an_intact_chain_as_it_ends_now() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), 3);
    tamper(state.path(), |lines| {
        lines.pop();
    });
    assert_eq!(reanchor(state.path()).expect("reanchored"), VerifyReport::Intact { records: 2 });
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: 2 });
    assert_eq!(AuditLog::open(state.path()).expect("continued").append(entry(3)).expect("appended").seq, 3);
}

#[test]
fn reanchoring_a_chain_broken_inside_changes_nothing() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), 3);
    let anchor = fs::read(state.path().join("audit/head.json")).expect("an anchor");
    tamper(state.path(), |lines| {
        lines.remove(1);
    });
    let report = reanchor(state.path()).expect("checked");
    assert!(matches!(&report, VerifyReport::Broken(broken) if broken.tampering == Tampering::Removed), "{report}");
    assert_eq!(fs::read(state.path().join("audit/head.json")).expect("an anchor"), anchor);
}

#[test]
fn runs_of_one_process_can_share_the_log_behind_a_mutex() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let log = Arc::new(Mutex::new(AuditLog::open(state.path()).expect("opens")));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for n in 0..25 {
                    log.lock().expect("not poisoned").append(entry(writer * 25 + n)).expect("appended");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("the writer finished");
    }
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: 100 });
}

#[test]
fn a_lost_anchor_is_reported_and_a_refused_open_leaves_no_anchor_behind() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), 2);
    let anchor = state.path().join("audit/head.json");
    fs::remove_file(&anchor).expect("removed");
    assert!(matches!(AuditLog::open(state.path()), Err(AuditError::Unanchored { .. })));
    assert!(!anchor.exists());
    let report = verify(state.path()).expect("checked");
    assert!(
        matches!(&report, VerifyReport::Broken(broken) if broken.tampering == Tampering::Removed
            && broken.detail.contains("the anchor file") && broken.detail.contains("head.json")),
        "{report}"
    );
}

#[test]
fn an_anchor_created_but_never_written_counts_as_none() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    drop(AuditLog::open(state.path()).expect("opens"));
    assert_eq!(fs::read(state.path().join("audit/head.json")).expect("created").len(), 0);
    assert_eq!(verify(state.path()).expect("checked"), VerifyReport::Intact { records: 0 });
    assert_eq!(AuditLog::open(state.path()).expect("reopens").append(entry(1)).expect("appended").seq, 1);
}
