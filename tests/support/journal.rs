//! A run's journal (`runs/<run_id>/journal.jsonl`) as JSON records in the order they were written, to check
//! the order in which steps acted.

use std::path::Path;

use serde_json::Value;

pub struct Journal {
    pub records: Vec<Value>,
}

impl Journal {
    pub fn read(state: &Path, run_id: &str) -> Journal {
        let path = state.join("runs").join(run_id).join("journal.jsonl");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let records = text
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("a journal line is not JSON ({e}): {line}"))
            })
            .collect();
        Journal { records }
    }

    fn position(&self, keep: impl Fn(&Value) -> bool) -> Option<usize> {
        self.records.iter().position(keep)
    }

    /// Where the batch of `node` that reported `target` as changed was recorded as finished.
    pub fn changed_at(&self, node: &str, target: &str) -> Option<usize> {
        self.position(|record| {
            record["record"] == "batch_finished"
                && record["node"] == node
                && record["results"]
                    .as_array()
                    .is_some_and(|results| results.iter().any(|r| r["id"] == target && r["status"] == "changed"))
        })
    }

    /// Where a batch of `node` that includes `target` was recorded as started.
    pub fn started_at(&self, node: &str, target: &str) -> Option<usize> {
        self.position(|record| {
            record["record"] == "step_started"
                && record["node"] == node
                && record["targets"].as_array().is_some_and(|targets| targets.iter().any(|t| t == target))
        })
    }

    /// Where `node` was first recorded as started, with any targets.
    pub fn first_start(&self, node: &str) -> Option<usize> {
        self.position(|record| record["record"] == "step_started" && record["node"] == node)
    }

    /// Where `node` was recorded as finished.
    pub fn finish(&self, node: &str) -> Option<usize> {
        self.position(|record| record["record"] == "step_finished" && record["node"] == node)
    }

    /// Where an approval of `node` was recorded.
    pub fn approved_at(&self, node: &str) -> Option<usize> {
        self.position(|record| {
            record["record"] == "approval_decided" && record["node"] == node && record["decision"]["approved"] == true
        })
    }
}
