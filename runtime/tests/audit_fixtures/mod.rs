//! Audit entries and a way to edit the stored log by hand, shared by the audit tests.

// Each test file uses only some of these.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use escher_runtime::audit::{AuditEntry, AuditLog, ChainedEntry};

pub fn entry(n: usize) -> AuditEntry {
    AuditEntry {
        at: format!("2025-01-06T20:00:{n:02}Z"),
        who: "ana".to_string(),
        role: "executor".to_string(),
        run_id: "20250106T200000Z-0a1b2c".to_string(),
        plan_hash: "5f2c".repeat(16),
        kind: "step.finished".to_string(),
        step: Some(format!("step_{n}")),
        action: Some("aws.ec2.stop".to_string()),
        targets: vec![format!("i-{n}a"), format!("i-{n}b")],
        approval: None,
        journal: None,
        result: "succeeded".to_string(),
        policy: None,
    }
}

/// A log of `count` records, appended through [`AuditLog`].
pub fn write_log(state: &Path, count: usize) -> Vec<ChainedEntry> {
    let mut log = AuditLog::open(state).expect("the audit log opens");
    (1..=count).map(|n| log.append(entry(n)).expect("appended")).collect()
}

pub fn log_path(state: &Path) -> PathBuf {
    state.join("audit").join("audit.jsonl")
}

pub fn read_lines(state: &Path) -> Vec<String> {
    fs::read_to_string(log_path(state)).expect("the log is readable").lines().map(str::to_string).collect()
}

pub fn write_lines(state: &Path, lines: &[String]) {
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    fs::write(log_path(state), text).expect("the log is writable");
}

/// Rewrites the stored log through `change`, as someone with access to the state directory could.
pub fn tamper(state: &Path, change: impl FnOnce(&mut Vec<String>)) {
    let mut lines = read_lines(state);
    change(&mut lines);
    write_lines(state, &lines);
}

pub fn line_of(record: &ChainedEntry) -> String {
    serde_json::to_string(record).expect("a record encodes")
}
