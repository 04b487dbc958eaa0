//! The bytes that get signed: a domain-separation prefix naming what is signed and its version, a newline, and
//! the payload's JSON with keys sorted and no whitespace. A signature over one kind of document can never be
//! taken for a signature over another, and the same payload gives the same bytes on every machine.

use serde::Serialize;

/// What a signature covers: approval decisions.
pub const DECISION_DOMAIN: &str = "escher/approval-decision/v1";
/// What a signature covers: a runner's approval request, with the playbook it asks about.
pub const REQUEST_DOMAIN: &str = "escher/approval-request/v1";
/// What a signature covers: published templates.
pub const TEMPLATE_DOMAIN: &str = "escher/template/v1";
/// What a signature covers: the withdrawal of a published template.
pub const REVOCATION_DOMAIN: &str = "escher/template-revocation/v1";
/// What a signature covers: a manager's endorsement of a policy file, under a pinned root.
pub const POLICY_DOMAIN: &str = "escher/policy/v1";
/// What a signature covers: a managers' endorsement of a new policy root replacing the pinned one.
pub const ROOT_DOMAIN: &str = "escher/policy-root/v1";
/// What a signature covers: the head of a runner's audit log, anchored outside it.
pub const AUDIT_HEAD_DOMAIN: &str = "escher/audit-head/v1";

/// `domain` + `\n` + the canonical JSON of `payload`.
pub fn signing_bytes(domain: &str, payload: &impl Serialize) -> Result<Vec<u8>, serde_json::Error> {
    // serde_json's Value keeps object keys in a BTreeMap (no `preserve_order`), so printing it sorts them.
    let value = serde_json::to_value(payload)?;
    let mut bytes = format!("{domain}\n").into_bytes();
    bytes.extend(serde_json::to_vec(&value)?);
    Ok(bytes)
}

/// SHA-256 of the canonical JSON of `value`, lowercase hex: how parameters are bound into a decision.
pub fn digest(value: &impl Serialize) -> Result<String, serde_json::Error> {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(&serde_json::to_value(value)?)?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_and_the_domain_comes_first() {
        #[derive(Serialize)]
        struct Payload {
            zeta: u32,
            alpha: &'static str,
        }
        let bytes = signing_bytes(DECISION_DOMAIN, &Payload { zeta: 1, alpha: "a" }).expect("serializes");
        assert_eq!(String::from_utf8_lossy(&bytes), "escher/approval-decision/v1\n{\"alpha\":\"a\",\"zeta\":1}");
    }

    #[test]
    fn the_same_payload_under_another_domain_gives_other_bytes() {
        let a = signing_bytes(DECISION_DOMAIN, &1).expect("serializes");
        let b = signing_bytes(TEMPLATE_DOMAIN, &1).expect("serializes");
        assert_ne!(a, b);
    }
}
