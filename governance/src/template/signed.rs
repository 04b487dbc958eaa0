//! A published template: the playbook's text and its bounds, signed by the manager who published it, with its
//! revision. Files live in `<approvals dir>/templates/` (`NAME.json` for the first revision, `NAME@N.json` for
//! the later ones), shared with executors, and are never overwritten: a new version is a new file.

use serde::{Deserialize, Serialize};

use super::bounds::Bounds;
use super::imports::TemplateImport;
use crate::canonical::{TEMPLATE_DOMAIN, signing_bytes};
use crate::identity::{Identity, Principal};
use crate::policy::Policy;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplatePayload {
    pub version: u32,
    pub name: String,
    /// 1 for the first publication of the name, then one more for each new version. Left out of the signed
    /// form when 1, so templates signed before revisions existed verify as they were signed.
    #[serde(default = "first_revision", skip_serializing_if = "is_first_revision")]
    pub revision: u32,
    /// The playbook file the template was published from (for the reader; the text below is what runs).
    pub file: String,
    pub source: String,
    /// Every file the playbook imports, signed with it: a run compiles these, never the runner's files. Left
    /// out of the signed form when empty, as before imports were carried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<TemplateImport>,
    pub bounds: Bounds,
    pub publisher: Principal,
    pub published_at: String,
    /// After this time the template does not run (RFC 3339); none: it runs until revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

impl TemplatePayload {
    /// When the template stopped running, if it has: an expiry that cannot be read counts as passed.
    pub fn expired(&self, now: chrono::DateTime<chrono::Utc>) -> Option<&str> {
        let expires_at = self.expires_at.as_deref()?;
        crate::clock::parse_stamp(expires_at).is_none_or(|at| at <= now).then_some(expires_at)
    }
}

fn first_revision() -> u32 {
    1
}

fn is_first_revision(revision: &u32) -> bool {
    *revision == 1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedTemplate {
    pub template: TemplatePayload,
    pub signature: String,
}

impl SignedTemplate {
    pub fn sign(publisher: &Identity, template: TemplatePayload) -> Result<SignedTemplate, serde_json::Error> {
        let signature = publisher.sign(&signing_bytes(TEMPLATE_DOMAIN, &template)?);
        Ok(SignedTemplate { template, signature })
    }

    /// Checks the signature, then that the publisher holds a role the policy lets publish templates. Returns
    /// the publisher's role.
    pub fn verify(&self, policy: &Policy) -> Result<String, String> {
        let bytes = signing_bytes(TEMPLATE_DOMAIN, &self.template).map_err(|error| error.to_string())?;
        let publisher = &self.template.publisher;
        crate::identity::verify(&publisher.key, &bytes, &self.signature)
            .map_err(|why| format!("template `{}`: signature: {why}", self.template.name))?;
        let role = policy
            .roles_of(&publisher.key)
            .into_iter()
            .find(|role| policy.template_publishers.contains(&role.name))
            .ok_or_else(|| {
                format!(
                    "template `{}`: signer's role: {} is not a member of {}, who may publish templates",
                    self.template.name,
                    publisher.name,
                    policy.template_publishers.join(" or ")
                )
            })?;
        Ok(role.name.clone())
    }
}
