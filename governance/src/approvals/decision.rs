//! A signed decision on one request: approve or reject, by whom, bound to the run, plan hash, parameters, step
//! and targets, valid until it expires.

use serde::{Deserialize, Serialize};

use super::checked::CheckedRequest;
use crate::canonical::{DECISION_DOMAIN, signing_bytes};
use crate::identity::{Identity, Principal};

/// What the signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionPayload {
    pub version: u32,
    pub run_id: String,
    pub step: String,
    pub plan_hash: String,
    pub params_hash: String,
    pub approved: bool,
    pub reason: Option<String>,
    pub signer: Principal,
    pub signed_at: String,
    pub expires_at: String,
    /// The policy the request says the run is governed by, which the approver decided under (the approver's own
    /// policy must be the same to decide at all). Left out of the signed form when empty, as before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub policy_sha256: String,
    /// The tag ([`SignedDecision::tag`]) of the decision its signer made before this one, on any run: each
    /// approver's decisions form a chain, so one removed from a shared directory shows in the next.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub follows: String,
    /// The ids of the targets the request listed: the step runs on none but these.
    pub targets: Vec<String>,
}

/// A decision file: the payload and the signer's signature of its canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedDecision {
    pub decision: DecisionPayload,
    pub signature: String,
}

impl SignedDecision {
    /// Signs a decision on the checked `request` as `signer`, valid for `validity` from `now`.
    pub fn sign(
        signer: &Identity,
        request: &CheckedRequest,
        approved: bool,
        reason: Option<String>,
        now: chrono::DateTime<chrono::Utc>,
        validity: std::time::Duration,
    ) -> Result<SignedDecision, serde_json::Error> {
        SignedDecision::sign_following(signer, request, (approved, reason), now, validity, String::new())
    }

    /// [`SignedDecision::sign`], as the decision after the one tagged `follows` in its signer's chain.
    pub fn sign_following(
        signer: &Identity,
        request: &CheckedRequest,
        (approved, reason): (bool, Option<String>),
        now: chrono::DateTime<chrono::Utc>,
        validity: std::time::Duration,
        follows: String,
    ) -> Result<SignedDecision, serde_json::Error> {
        let expires = now + chrono::Duration::from_std(validity).unwrap_or(chrono::Duration::MAX);
        let decision = DecisionPayload {
            version: 1,
            run_id: request.run_id.clone(),
            step: request.step.clone(),
            plan_hash: request.plan_hash.clone(),
            params_hash: request.params_hash.clone(),
            approved,
            reason,
            signer: signer.principal(),
            signed_at: crate::clock::stamp(now),
            expires_at: crate::clock::stamp(expires),
            policy_sha256: request.policy_sha256.clone(),
            follows,
            targets: request.target_ids(),
        };
        let signature = signer.sign(&signing_bytes(DECISION_DOMAIN, &decision)?);
        Ok(SignedDecision { decision, signature })
    }

    /// The decision as its file holds it (pretty JSON and a newline).
    pub fn to_file_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// What names this decision in its file's name and in the next decision of its signer's chain.
    pub fn tag(&self) -> String {
        crate::files::content_tag(&self.to_file_bytes())
    }

    /// Whether the signature is the named signer's over this payload.
    pub fn verify_signature(&self) -> Result<(), String> {
        let bytes = signing_bytes(DECISION_DOMAIN, &self.decision).map_err(|error| error.to_string())?;
        crate::identity::verify(&self.decision.signer.key, &bytes, &self.signature)
    }
}
