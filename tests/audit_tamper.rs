//! Tampering with the audit log of a real run, through the command line: each test edits, removes, inserts or
//! reorders records of `audit/audit.jsonl` in a fresh copy of the run's state directory, and `escher audit
//! verify` must exit non-zero and name the first record that breaks the chain, and how. `escher audit export`
//! of the intact log has one row per record.
//!
//! The run: `tests/fixtures/run/rollback_window.esc` with its last step refused, so the log holds a start,
//! approvals, finished steps, rollbacks and an end (ten records).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use escher_runtime::audit::{ChainedEntry, record_hash};

const DEMO_ESTATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/estate/demo.json");
const PLAYBOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run/rollback_window.esc");

fn escher() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_escher"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    command
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The folder of one real run, made once per test process and only read afterwards. It lives in Cargo's
/// folder for integration tests' files, which outlives the process (a static's `TempDir` would never be removed).
fn original() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit_tamper_run");
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the run's folder");
        let estate = dir.join("estate.json");
        fs::copy(DEMO_ESTATE, &estate).expect("copy the demo estate");
        let output = escher()
            .arg("run")
            .arg(PLAYBOOK)
            .arg("--estate")
            .arg(&estate)
            .args(["--sim-faults", "fail_action=gcp.compute.stop:rejected", "--approve-up-to", "high"])
            .arg("--state")
            .arg(dir.join("state"))
            .output()
            .expect("escher run runs");
        assert_eq!(output.status.code(), Some(1), "the run rolls back: {}", String::from_utf8_lossy(&output.stderr));
        dir
    })
}

fn original_state() -> PathBuf {
    original().join("state")
}

fn log_lines(state: &Path) -> Vec<String> {
    let text = fs::read_to_string(state.join("audit/audit.jsonl")).expect("read the audit log");
    text.lines().map(str::to_string).collect()
}

/// A copy of the run's state directory whose audit log `tamper` rewrote.
fn tampered(tamper: impl FnOnce(&mut Vec<String>)) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("temp dir");
    copy_dir(&original_state(), copy.path());
    let mut lines = log_lines(copy.path());
    assert_eq!(lines.len(), 10, "the run's log holds ten records");
    tamper(&mut lines);
    fs::write(copy.path().join("audit/audit.jsonl"), lines.join("\n") + "\n").expect("write the tampered log");
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a folder");
    for entry in fs::read_dir(from).expect("read a folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

fn verify(state: &Path) -> Output {
    escher().args(["audit", "verify", "--state"]).arg(state).output().expect("escher audit verify runs")
}

/// Asserts that verify fails and names `line` (from 1), `seq` and the kind of tampering as the first break.
fn assert_broken_at(state: &Path, line: usize, seq: u64, tampering: &str) {
    let output = verify(state);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "verify must fail: {report}");
    let expected = format!("broken at line {line} (seq {seq}): {tampering};");
    assert!(report.starts_with(&expected), "expected `{expected}`, got: {report}");
}

#[test]
fn the_log_of_a_real_run_verifies() {
    let output = verify(&original_state());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output).trim(), "intact: 10 records");
}

#[test]
fn an_edited_field_is_named_as_the_edited_record() {
    let copy = tampered(|lines| {
        let edited = lines[2].replace("\"result\":\"succeeded: 7 changed", "\"result\":\"succeeded: 0 changed");
        assert_ne!(edited, lines[2], "line 3 records stop_ec2's result");
        lines[2] = edited;
    });
    assert_broken_at(copy.path(), 3, 3, "edited");
}

#[test]
fn an_edited_record_with_a_recomputed_hash_is_still_named() {
    let copy = tampered(|lines| {
        let mut record: ChainedEntry = serde_json::from_str(&lines[2]).expect("line 3 is a record");
        record.entry.result = "succeeded: 0 changed, 7 unchanged, 0 failed".into();
        record.hash = record_hash(record.seq, &record.prev_hash, &record.entry).expect("hash the record");
        lines[2] = serde_json::to_string(&record).expect("encode the record");
    });
    // Its own hash matches now, but record 4 still points to the hash record 3 had.
    assert_broken_at(copy.path(), 3, 3, "edited");
}

#[test]
fn a_deleted_record_is_named_where_it_was() {
    let copy = tampered(|lines| {
        lines.remove(2);
    });
    assert_broken_at(copy.path(), 3, 3, "removed");
}

#[test]
fn a_deleted_last_record_is_named_by_the_anchor() {
    let copy = tampered(|lines| {
        lines.pop();
    });
    assert_broken_at(copy.path(), 10, 10, "removed");
}

#[test]
fn an_inserted_copy_is_named_where_it_was_inserted() {
    let copy = tampered(|lines| {
        let copy = lines[1].clone();
        lines.insert(4, copy);
    });
    assert_broken_at(copy.path(), 5, 2, "inserted");
}

#[test]
fn a_copy_appended_after_the_anchored_end_is_named() {
    let copy = tampered(|lines| {
        let last = lines[9].clone();
        lines.push(last);
    });
    assert_broken_at(copy.path(), 11, 10, "inserted");
}

#[test]
fn two_swapped_records_are_named_at_the_first_out_of_order() {
    let copy = tampered(|lines| lines.swap(2, 3));
    assert_broken_at(copy.path(), 3, 4, "reordered");
}

#[test]
fn a_chain_rewritten_after_an_edit_is_caught_by_the_anchor() {
    let copy = tampered(|lines| {
        let mut prev_hash = None;
        for line in lines.iter_mut().skip(2) {
            let mut record: ChainedEntry = serde_json::from_str(line).expect("a record");
            if record.seq == 3 {
                record.entry.result = "succeeded: 0 changed, 7 unchanged, 0 failed".into();
            }
            if let Some(prev) = prev_hash.take() {
                record.prev_hash = prev;
            }
            record.hash = record_hash(record.seq, &record.prev_hash, &record.entry).expect("hash the record");
            prev_hash = Some(record.hash.clone());
            *line = serde_json::to_string(&record).expect("encode the record");
        }
    });
    // Every link holds now; only the anchor in audit/head.json still names the old last record.
    assert_broken_at(copy.path(), 10, 10, "edited");
}

#[test]
fn a_jsonl_export_is_the_log_line_for_line() {
    let output = escher()
        .args(["audit", "export", "--format", "jsonl", "--state"])
        .arg(original_state())
        .output()
        .expect("escher audit export runs");
    assert_eq!(output.status.code(), Some(0));
    let exported: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(exported, log_lines(&original_state()));
}

#[test]
fn a_csv_export_has_a_header_and_one_row_per_record_in_seq_order() {
    let output = escher()
        .args(["audit", "export", "--format", "csv", "--state"])
        .arg(original_state())
        .output()
        .expect("escher audit export runs");
    assert_eq!(output.status.code(), Some(0));
    let rows = csv_rows(&stdout(&output));
    assert_eq!(rows.len(), 11, "a header and ten records: {rows:?}");
    assert_eq!(rows[0][0], "seq");
    assert!(rows.iter().all(|row| row.len() == rows[0].len()), "every row has the header's columns");
    let seqs: Vec<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    assert_eq!(seqs, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    let kind = rows[0].iter().position(|column| column == "kind").expect("a kind column");
    assert_eq!(rows[1][kind], "run.started");
    assert_eq!(rows[10][kind], "run.finished");
}

/// Splits CSV text into rows of fields: quoted fields may hold commas, doubled quotes and line breaks.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
