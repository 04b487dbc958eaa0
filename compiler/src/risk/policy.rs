//! Who may run what: the roles, the highest risk that runs without approval, and who approves above it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plan::RiskLevel;

/// A risk policy. Plain data, so that policies can later be loaded from files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Every role the policy knows; `approve = ROLE` must name one of them.
    pub roles: Vec<String>,
    /// The highest risk level a step may have and still run without anyone's approval.
    pub run_without_approval: RiskLevel,
    /// The role that approves steps of each level above `run_without_approval`.
    pub approver_for: BTreeMap<RiskLevel, String>,
    /// Whether critical steps must carry `irreversible = true`, the author's acknowledgement.
    pub critical_needs_acknowledgement: bool,
}

impl Default for Policy {
    /// The built-in policy: an executor runs up to medium risk alone; a manager approves high and critical
    /// steps, and critical steps must be acknowledged as irreversible.
    fn default() -> Self {
        Policy {
            roles: vec!["manager".to_string(), "executor".to_string()],
            run_without_approval: RiskLevel::Medium,
            approver_for: BTreeMap::from([
                (RiskLevel::High, "manager".to_string()),
                (RiskLevel::Critical, "manager".to_string()),
            ]),
            critical_needs_acknowledgement: true,
        }
    }
}

impl Policy {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// The role that approves a step of `level`. A level the map does not name falls to the approver of the
    /// nearest level above it (the stricter one), then below it, then to the policy's first role. A policy with
    /// neither approvers nor roles yields an empty role, which no one holds, so such steps never run.
    pub fn approver(&self, level: RiskLevel) -> &str {
        self.approver_for
            .range(level..)
            .next()
            .or_else(|| self.approver_for.range(..level).next_back())
            .map(|(_, role)| role.as_str())
            .or_else(|| self.roles.first().map(String::as_str))
            .unwrap_or("")
    }
}
