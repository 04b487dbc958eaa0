//! A host's last word before a mutating step acts: called with the step and its live targets, after
//! `max_targets` and before any approval or provider call. Governance uses it to keep each role inside the
//! clouds, accounts and regions its policy allows, and template runs inside their bounds.

use escher_compiler::plan::{PlanNode, Value};

pub trait Guard: Send + Sync {
    /// `Err(reason)` refuses the step; nothing of it is called.
    fn check(&self, node: &PlanNode, targets: &[Value]) -> Result<(), String>;
}
