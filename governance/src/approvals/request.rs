//! An approval request: what a step that needs approval asks for, signed by the runner and filed in the shared
//! approvals store for approvers to find. It carries the playbook's text with every file it imports, the
//! parameters and the targets the runner sees, so an approver compiles it again and decides on what the plan hash
//! and parameter hash commit to ([`super::checked`]), never on a description the file could have been edited to
//! give.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use escher_runtime::approval::ApprovalRequest;
use escher_runtime::provider::{resource_field, resource_id};
use serde::{Deserialize, Serialize};

use crate::canonical::{REQUEST_DOMAIN, signing_bytes};
use crate::identity::{Identity, Principal};
use crate::policy::Policy;
use crate::template::TemplateImport;

/// The playbook a run compiled: its name as compiled, its text, and every file it imported, as loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookText {
    pub file: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<TemplateImport>,
}

/// What the runner signs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestFile {
    pub version: u32,
    pub run_id: String,
    pub step: String,
    pub playbook: PlaybookText,
    pub params: BTreeMap<String, Value>,
    /// SHA-256 of the parameters' canonical JSON: what a decision binds.
    pub params_hash: String,
    pub plan_hash: String,
    /// The live targets of the step as the runner listed them: a decision binds their ids, and the step runs
    /// on no other.
    pub targets: Vec<TargetSummary>,
    pub requested_by: Principal,
    pub requested_at: String,
    pub expires_at: String,
    /// SHA-256 of the policy the run is governed by: an approver whose policy is another does not decide.
    pub policy_sha256: String,
}

/// A request file: the request and the runner's signature of its canonical bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedRequest {
    pub request: RequestFile,
    pub signature: String,
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
    /// The request for `request`'s step of a run of `playbook`, by `requested_by`, valid for the policy's approval
    /// validity.
    pub fn new(
        request: &ApprovalRequest,
        playbook: &PlaybookText,
        requested_by: Principal,
        requested_at: chrono::DateTime<chrono::Utc>,
        policy: &Policy,
    ) -> RequestFile {
        let validity = chrono::Duration::from_std(policy.approval_validity).unwrap_or(chrono::Duration::MAX);
        let expires = requested_at + validity;
        RequestFile {
            version: 2,
            run_id: request.run_id.clone(),
            step: request.node.clone(),
            playbook: playbook.clone(),
            params: request.params.clone(),
            params_hash: params_hash(&request.params),
            plan_hash: request.plan_hash.clone(),
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

    /// The ids of the targets listed.
    pub fn target_ids(&self) -> Vec<String> {
        self.targets.iter().map(|target| target.id.clone()).collect()
    }
}

impl SignedRequest {
    /// Signs `request` as `runner` (whose key must be the one it names as requester).
    pub fn sign(runner: &Identity, request: RequestFile) -> Result<SignedRequest, serde_json::Error> {
        let signature = runner.sign(&signing_bytes(REQUEST_DOMAIN, &request)?);
        Ok(SignedRequest { request, signature })
    }

    /// Whether the signature is the requester's over this request.
    pub fn verify_signature(&self) -> Result<(), String> {
        let bytes = signing_bytes(REQUEST_DOMAIN, &self.request).map_err(|error| error.to_string())?;
        crate::identity::verify(&self.request.requested_by.key, &bytes, &self.signature)
    }
}

/// The digest of a run's parameters that requests and decisions carry.
pub fn params_hash(params: &BTreeMap<String, Value>) -> String {
    crate::canonical::digest(params).unwrap_or_default()
}
