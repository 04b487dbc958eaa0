//! A host's last word before a mutating step acts: called with the step and its live targets, after
//! `max_targets` and before any approval or provider call. Governance uses it to keep each role inside the
//! clouds, accounts and regions its policy allows, and template runs inside their bounds.

use escher_compiler::plan::{PlanNode, Value};

pub trait Guard: Send + Sync {
    /// A refusal stops the step; nothing of it is called.
    fn check(&self, node: &PlanNode, targets: &[Value]) -> Result<(), GuardRefusal>;
}

/// Why a guard refuses a step, as the audit log and the step's error say it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct GuardRefusal {
    pub reason: String,
}

impl GuardRefusal {
    pub fn new(reason: impl Into<String>) -> Self {
        GuardRefusal { reason: reason.into() }
    }
}
