//! Exporting the audit log as JSON lines or as CSV.

mod audit_fixtures;

use std::fs;

use audit_fixtures::{entry, log_path, tamper, write_log};
use escher_runtime::audit::{AuditError, AuditLog, ExportFormat, export};

fn exported(state: &std::path::Path, format: ExportFormat) -> String {
    let mut out = Vec::new();
    export(state, format, &mut out).expect("exported");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn json_lines_export_is_the_log_as_stored() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), 3);
    let stored = fs::read_to_string(log_path(state.path())).expect("readable");
    assert_eq!(exported(state.path(), ExportFormat::Jsonl), stored);
}

#[test]
fn csv_export_has_a_header_and_one_row_per_record() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let records = write_log(state.path(), 2);
    let csv = exported(state.path(), ExportFormat::Csv);
    let rows: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(rows[0], "seq,at,who,role,run_id,plan_hash,kind,step,action,targets,approval,result,hash");
    assert_eq!(
        rows[1],
        format!(
            "1,2025-01-06T20:00:01Z,ana,executor,20250106T200000Z-0a1b2c,{},step.finished,step_1,aws.ec2.stop,\
             i-1a i-1b,,succeeded,{}",
            "5f2c".repeat(16),
            records[0].hash
        )
    );
    assert_eq!(rows.len(), 3);
    assert!(csv.ends_with("\r\n"));
}

#[test]
fn csv_fields_with_commas_quotes_or_line_breaks_are_quoted() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    let mut log = AuditLog::open(state.path()).expect("opens");
    let mut awkward = entry(1);
    awkward.result = "failed: \"i-1\" refused,\nretry later".to_string();
    awkward.approval = Some("maria, manager".to_string());
    awkward.step = None;
    let record = log.append(awkward).expect("appended");
    let csv = exported(state.path(), ExportFormat::Csv);
    let row = csv.split_once("\r\n").expect("a header").1;
    assert!(
        row.ends_with(&format!(
            ",step.finished,,aws.ec2.stop,i-1a i-1b,\"maria, manager\",\"failed: \"\"i-1\"\" refused,\nretry later\",{}\r\n",
            record.hash
        )),
        "{row}"
    );
}

#[test]
fn an_empty_log_exports_a_header_only_or_nothing() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    assert_eq!(exported(state.path(), ExportFormat::Jsonl), "");
    assert_eq!(exported(state.path(), ExportFormat::Csv).lines().count(), 1);
}

#[test]
fn a_line_that_is_not_a_record_stops_the_export_and_is_named() {
    let state = tempfile::tempdir().expect("a temporary state directory");
    write_log(state.path(), 3);
    tamper(state.path(), |lines| lines[1] = "garbage".to_string());
    let mut out = Vec::new();
    let error = export(state.path(), ExportFormat::Csv, &mut out).expect_err("line 2 is not a record");
    assert!(matches!(error, AuditError::Corrupt { line: 2, .. }), "{error:?}");
}
