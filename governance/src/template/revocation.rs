//! A template withdrawn for good: a revocation signed by someone the policy lets publish templates, naming one
//! revision and the signature it carries. It lives apart from the template (`<approvals dir>/revocations/`), so
//! putting the template's file back, or a copy of it, does not make it run again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::signed::SignedTemplate;
use crate::approvals::{ApprovalsDir, read_all};
use crate::canonical::{REVOCATION_DOMAIN, signing_bytes};
use crate::files::{content_tag, safe, write_new};
use crate::identity::{Identity, Principal};
use crate::policy::Policy;

/// What the signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationPayload {
    pub version: u32,
    pub name: String,
    pub revision: u32,
    /// The revoked template's own signature: the revocation applies to that publication and no other.
    pub template_signature: String,
    pub reason: String,
    pub revoked_by: Principal,
    pub revoked_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRevocation {
    pub revocation: RevocationPayload,
    pub signature: String,
}

impl SignedRevocation {
    /// Revokes `template` as `revoker`, at `now`, for `reason`.
    pub fn sign(
        revoker: &Identity,
        template: &SignedTemplate,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<SignedRevocation, serde_json::Error> {
        let revocation = RevocationPayload {
            version: 1,
            name: template.template.name.clone(),
            revision: template.template.revision,
            template_signature: template.signature.clone(),
            reason: reason.to_string(),
            revoked_by: revoker.principal(),
            revoked_at: crate::clock::stamp(now),
        };
        let signature = revoker.sign(&signing_bytes(REVOCATION_DOMAIN, &revocation)?);
        Ok(SignedRevocation { revocation, signature })
    }

    /// Whether this revocation withdraws `template` under `policy`: it names that publication, its signature is
    /// its signer's, and the signer may publish templates. Anyone can write a file; only these count.
    pub fn withdraws(&self, template: &SignedTemplate, policy: &Policy) -> bool {
        let revocation = &self.revocation;
        let names_it = revocation.name == template.template.name
            && revocation.revision == template.template.revision
            && revocation.template_signature == template.signature;
        let signed = signing_bytes(REVOCATION_DOMAIN, revocation)
            .is_ok_and(|bytes| crate::identity::verify(&revocation.revoked_by.key, &bytes, &self.signature).is_ok());
        names_it && signed && policy.may_publish(&revocation.revoked_by.key)
    }
}

/// Files a revocation, named by the revision and its own content, so no file planted in advance can take its
/// place. Whether the revision is already revoked is [`revocation_of`]'s to say.
pub fn revoke(dir: &ApprovalsDir, revocation: &SignedRevocation) -> std::io::Result<std::path::PathBuf> {
    let payload = &revocation.revocation;
    let mut bytes = serde_json::to_vec_pretty(revocation).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    let name = format!("{}@{}-{}.json", safe(&payload.name), payload.revision, content_tag(&bytes));
    let path = dir.revocations_dir().join(name);
    write_new(&path, &bytes)?;
    Ok(path)
}

/// The revocation that withdraws `template` under `policy`, if one is filed. Every file is looked at, not only
/// the one named after the template: a valid revocation counts wherever it lies.
pub fn revocation_of(dir: &ApprovalsDir, template: &SignedTemplate, policy: &Policy) -> Option<SignedRevocation> {
    read_all::<SignedRevocation>(&dir.revocations_dir())
        .into_iter()
        .filter_map(|(_, read)| read.ok())
        .find(|revocation| revocation.withdraws(template, policy))
}
