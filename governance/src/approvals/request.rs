//! An approval request: what a step that needs approval asks for, written to the shared approvals directory for
//! approvers to find. It binds the run, plan hash, parameters and step, and expires.

use std::collections::BTreeMap;

use escher_compiler::plan::{RiskLevel, Value};
use escher_runtime::approval::ApprovalRequest;
use escher_runtime::provider::{resource_field, resource_id};
use serde::{Deserialize, Serialize};

use crate::identity::Principal;
use crate::policy::{ApprovalRule, Policy};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestFile {
    pub version: u32,
    pub run_id: String,
    pub playbook: String,
    pub plan_hash: String,
    pub params: BTreeMap<String, Value>,
    /// SHA-256 of the parameters' canonical JSON: what a decision binds.
    pub params_hash: String,
    pub step: String,
    /// The step's `///` doc comment, shown to the approver.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
    pub action: String,
    pub effect: String,
    pub risk: RiskLevel,
    pub reasons: Vec<String>,
    pub required_role: String,
    pub irreversible: bool,
    /// How many distinct approvals, from which roles.
    pub rule: ApprovalRule,
    pub targets: Vec<TargetSummary>,
    pub requested_by: Principal,
    pub requested_at: String,
    pub expires_at: String,
    /// SHA-256 of the policy the run is governed by: an approver whose policy is another does not decide.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub policy_sha256: String,
}

/// A live target as an approver sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSummary {
    pub id: String,
    pub name: String,
    pub cloud: String,
    pub account: String,
    pub region: String,
}

impl TargetSummary {
    pub fn of(target: &Value) -> TargetSummary {
        let field = |name| resource_field(target, name).unwrap_or("-").to_string();
        TargetSummary {
            id: resource_id(target).unwrap_or("?").to_string(),
            name: field("name"),
            cloud: field("cloud"),
            account: field("account"),
            region: field("region"),
        }
    }
}

impl RequestFile {
    pub fn new(
        request: &ApprovalRequest,
        rule: ApprovalRule,
        requested_by: Principal,
        requested_at: chrono::DateTime<chrono::Utc>,
        policy: &Policy,
    ) -> RequestFile {
        let validity = chrono::Duration::from_std(policy.approval_validity).unwrap_or(chrono::Duration::MAX);
        let expires = requested_at + validity;
        RequestFile {
            version: 1,
            run_id: request.run_id.clone(),
            playbook: request.playbook.clone(),
            plan_hash: request.plan_hash.clone(),
            params: request.params.clone(),
            params_hash: params_hash(&request.params),
            step: request.node.clone(),
            docs: request.docs.clone(),
            action: request.action.clone(),
            effect: request.effect.as_str().to_string(),
            risk: request.risk.level,
            reasons: request.risk.reasons.clone(),
            required_role: request.required.role.clone(),
            irreversible: request.required.irreversible,
            rule,
            targets: request.targets.iter().map(TargetSummary::of).collect(),
            requested_by,
            requested_at: crate::clock::stamp(requested_at),
            expires_at: crate::clock::stamp(expires),
            policy_sha256: policy.sha256.clone(),
        }
    }

    pub fn is_expired(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        crate::clock::parse_stamp(&self.expires_at).is_none_or(|expires| now > expires)
    }
}

/// The digest of a run's parameters that requests and decisions carry.
pub fn params_hash(params: &BTreeMap<String, Value>) -> String {
    crate::canonical::digest(params).unwrap_or_default()
}
