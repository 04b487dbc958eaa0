//! The checked policy: what the compiler, the approver and the guard read.

use std::collections::BTreeMap;
use std::time::Duration;

use escher_compiler::plan::RiskLevel;
use serde::{Deserialize, Serialize};

use crate::scope::Scope;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub roles: BTreeMap<String, Role>,
    /// Who approves steps of each risk level (levels with no entry take the nearest stricter one).
    pub approvals: BTreeMap<RiskLevel, ApprovalRule>,
    /// Whether the person who runs a playbook may approve its steps. Default: no.
    pub self_approval: bool,
    /// How long an approval stays valid after it is signed.
    pub approval_validity: Duration,
    /// The roles whose members may publish templates.
    pub template_publishers: Vec<String>,
    /// The retries every query gets on throttling, 5xx and timeouts, and every call on throttling, whatever its
    /// step's `retry` (the runtime's `Limits::safe_retries`). `None`: the runtime's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_retries: Option<u32>,
    /// SHA-256 of the text the policy was checked from, lowercase hex: requests and decisions carry it, so an
    /// approver decides under the policy the run is governed by, or not at all.
    #[serde(default)]
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    /// The highest risk a member may run without anyone's approval.
    pub run_without_approval: RiskLevel,
    pub members: Vec<Member>,
    /// The clouds, accounts, subscriptions, projects and regions its members may touch.
    pub scope: Scope,
}

/// A person, as a role lists them: their name and every key they sign with. The name is the person: the policy
/// check lets a name have only one set of keys, wherever it is listed, and a key only one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub keys: Vec<String>,
}

impl Member {
    /// Whether `key` is one of this person's.
    pub fn holds(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }
}

/// `count` approvals by distinct people, each a member of one of the roles `from` (M of N).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRule {
    pub count: u64,
    pub from: Vec<String>,
}

/// The default validity of an approval: one day.
pub const DEFAULT_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// The most `safe_retries` a policy may set.
pub const MAX_SAFE_RETRIES: u32 = 20;

impl Policy {
    /// The roles `key` is a member of, in name order: those of the person who holds it.
    pub fn roles_of(&self, key: &str) -> Vec<&Role> {
        self.roles.values().filter(|role| role.members.iter().any(|member| member.holds(key))).collect()
    }

    /// The person who holds `key`: the name the policy lists it under, if it does.
    pub fn member_name(&self, key: &str) -> Option<&str> {
        self.roles.values().flat_map(|role| &role.members).find(|member| member.holds(key)).map(|m| m.name.as_str())
    }

    /// Whether keys `a` and `b` are one person's: the same key, or two keys listed under one name. What approvals
    /// count and what self-approval means: people, not keys.
    pub fn same_person(&self, a: &str, b: &str) -> bool {
        a == b || self.member_name(a).is_some_and(|name| self.member_name(b) == Some(name))
    }

    /// The rule for a step of `level` that the compiler gave to `required_role`: the level's rule (or the nearest
    /// stricter level's, then the nearest laxer), when it names that role; otherwise one approval by the role
    /// (a step whose playbook asks `approve = ROLE` below the threshold).
    pub fn rule_for(&self, level: RiskLevel, required_role: &str) -> ApprovalRule {
        let rule = self.approvals.range(level..).next().or_else(|| self.approvals.range(..level).next_back());
        match rule {
            Some((_, rule)) if rule.from.iter().any(|role| role == required_role) => rule.clone(),
            _ => ApprovalRule { count: 1, from: vec![required_role.to_string()] },
        }
    }

    /// Whether `key` may publish templates.
    pub fn may_publish(&self, key: &str) -> bool {
        self.roles_of(key).iter().any(|role| self.template_publishers.contains(&role.name))
    }

    /// The compiler's risk policy for a playbook run by `runner`: its threshold is the highest of the runner's
    /// roles (none: low, so anything above low needs approval); each level's approver is the first role of
    /// that level's rule.
    pub fn risk_policy(&self, runner: Option<&str>) -> escher_compiler::risk::Policy {
        let threshold = runner
            .map(|key| self.roles_of(key).iter().map(|role| role.run_without_approval).max())
            .unwrap_or_else(|| self.roles.values().map(|role| role.run_without_approval).min())
            .unwrap_or(RiskLevel::Low);
        let approver_for =
            self.approvals.iter().filter_map(|(level, rule)| Some((*level, rule.from.first()?.clone()))).collect();
        escher_compiler::risk::Policy {
            roles: self.roles.keys().cloned().collect(),
            run_without_approval: threshold,
            approver_for,
            critical_needs_acknowledgement: true,
        }
    }
}
