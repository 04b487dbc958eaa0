//! The governance of one run, as every host must apply it when a policy is in force: a runner in no role is
//! refused; a template is loaded and verified; the plan's constant scope is checked against the runner's roles
//! (any of them) and a template's bounds before anything runs; the runtime gets the guard on live targets; and
//! whatever approver the host has, every approval is proven by signatures under the policy
//! ([`GovernedApprover`]). Refusals are values carrying the audit record's kind: the host writes them.
//!
//! ```
//! use std::sync::Arc;
//!
//! use escher_governance::approvals::ApprovalsDir;
//! use escher_governance::identity::Identity;
//! use escher_governance::run::{Refusal, RunGovernance};
//!
//! let (manager, stranger) = (Identity::from_secret("maria", [7; 32]), Identity::from_secret("sam", [9; 32]));
//! let policy = format!(
//!     "[roles.manager]\nrun_without_approval = \"high\"\nmembers = [{{ name = \"maria\", key = \"{}\" }}]\n",
//!     manager.public_key()
//! );
//! let policy = Arc::new(escher_governance::policy::check(&policy).expect("a valid policy"));
//! let approvals = ApprovalsDir::new(std::env::temp_dir().join("escher-doc-approvals"));
//! let governance = RunGovernance::new(policy.clone(), manager.principal(), approvals.clone(), None);
//! let mut governance = governance.expect("maria is a manager");
//! // Until whoever loaded the policy says a pinned root vouches for it, the run's records name no role.
//! assert_eq!(governance.who(), ("maria".to_string(), "ungoverned".to_string()));
//! governance.vouched = true;
//! assert_eq!(governance.who(), ("maria".to_string(), "manager".to_string()));
//! let refused = RunGovernance::new(policy, stranger.principal(), approvals, None).err().expect("sam has no role");
//! assert!(matches!(refused, Refusal::NoRole { .. }) && refused.audit_kind() == "policy.refused");
//! ```

mod approver;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use escher_compiler::plan::Plan;
use escher_runtime::approval::Approver;
use escher_runtime::audit::AuditEntry;
use escher_runtime::guard::Guard;

pub use approver::GovernedApprover;

use crate::approvals::{ApprovalsDir, PlaybookText, Requester};
use crate::guard::PolicyGuard;
use crate::identity::{Identity, Principal};
use crate::policy::Policy;
use crate::scope::RoleScopes;
use crate::template::{SignedTemplate, TemplateImport, revocation_of};

/// Why a governed run may not start. Nothing has run; the host audits it under [`Refusal::audit_kind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "{name} (key {key}) is not a member of any role in the policy; a manager adds the key that `escher identity` prints"
    )]
    NoRole { name: String, key: String },
    /// The template could not be read, or does not verify under the policy (signature, publisher's role).
    #[error("{0}")]
    Template(String),
    #[error("step `{node}`: the policy does not let {roles} touch it: {reason}")]
    OutOfScope { node: String, roles: String, reason: String },
    /// The plan or its parameters leave the template's bounds.
    #[error("template `{name}`: {reason}")]
    OutOfBounds { name: String, reason: String },
}

impl Refusal {
    /// The audit log's kind for this refusal.
    pub fn audit_kind(&self) -> &'static str {
        match self {
            Refusal::NoRole { .. } | Refusal::OutOfScope { .. } => "policy.refused",
            Refusal::Template(_) | Refusal::OutOfBounds { .. } => "template.refused",
        }
    }
}

/// A template that verified: what it is, and its publisher's role.
#[derive(Debug, Clone)]
pub struct VerifiedTemplate {
    pub signed: SignedTemplate,
    pub publisher_role: String,
}

/// Whether a verified template may still run: not past its expiry, and not withdrawn by a revocation.
fn usable(template: &SignedTemplate, policy: &Policy, approvals: &ApprovalsDir) -> Result<(), String> {
    let payload = &template.template;
    let (name, revision) = (&payload.name, payload.revision);
    if let Some(expired_at) = payload.expired(chrono::Utc::now()) {
        return Err(format!(
            "template `{name}` revision {revision} expired at {expired_at}; a publisher may publish a new version"
        ));
    }
    if let Some(revoked) = revocation_of(approvals, template, policy) {
        let revocation = revoked.revocation;
        return Err(format!(
            "template `{name}` revision {revision} was revoked by {} at {}: {}",
            revocation.revoked_by.name, revocation.revoked_at, revocation.reason
        ));
    }
    Ok(())
}

/// The governance of one run.
pub struct RunGovernance {
    pub policy: Arc<Policy>,
    pub runner: Principal,
    /// The runner's roles, by name: never empty.
    pub roles: Vec<String>,
    pub approvals: ApprovalsDir,
    pub template: Option<VerifiedTemplate>,
    /// Whether a policy root pinned in the runner's state vouches for the policy (set by whoever loaded it;
    /// `false` from [`RunGovernance::new`]). If not, the policy is the runner's own: the run is attributed but
    /// not governed, and its records name no role the policy gives (`ungoverned`), never "as manager".
    pub vouched: bool,
}

impl RunGovernance {
    /// Governance for `runner` under `policy`, running the published template `template` if named.
    pub fn new(
        policy: Arc<Policy>,
        runner: Principal,
        approvals: ApprovalsDir,
        template: Option<&str>,
    ) -> Result<RunGovernance, Refusal> {
        let roles: Vec<String> = policy.roles_of(&runner.key).iter().map(|role| role.name.clone()).collect();
        if roles.is_empty() {
            return Err(Refusal::NoRole { name: runner.name.clone(), key: runner.key.clone() });
        }
        // Requests and audit records name the person as the policy lists them, whatever their key file says.
        let name = policy.member_name(&runner.key).unwrap_or(&runner.name).to_string();
        let runner = Principal { name, ..runner };
        let template = match template {
            Some(name) => {
                let signed = crate::template::load(&approvals, name).map_err(Refusal::Template)?;
                let publisher_role = signed.verify(&policy).map_err(Refusal::Template)?;
                usable(&signed, &policy, &approvals).map_err(Refusal::Template)?;
                Some(VerifiedTemplate { signed, publisher_role })
            }
            None => None,
        };
        Ok(RunGovernance { policy, runner, roles, approvals, template, vouched: false })
    }

    /// The compiler's risk policy for this runner.
    pub fn risk_policy(&self) -> escher_compiler::risk::Policy {
        self.policy.risk_policy(Some(&self.runner.key))
    }

    /// The playbook a template run compiles: its name (`template:NAME`) and text. Its imports are the ones
    /// signed with it ([`RunGovernance::template_imports`]).
    pub fn template_source(&self) -> Option<(String, String)> {
        self.template
            .as_ref()
            .map(|t| (format!("template:{}", t.signed.template.name), t.signed.template.source.clone()))
    }

    /// The files a template run's imports are read from: those signed with the template, none from disk.
    pub fn template_imports(&self) -> Option<&[TemplateImport]> {
        self.template.as_ref().map(|t| t.signed.template.imports.as_slice())
    }

    /// Where the runner may act: any of their roles' scopes.
    pub fn role_scopes(&self) -> RoleScopes {
        RoleScopes::of(self.policy.roles_of(&self.runner.key).iter().map(|role| &role.scope))
    }

    /// The checks before anything runs: the plan's constant scope against the runner's roles, and a
    /// template's bounds against the parameters and the plan. For a template run, the note the audit log
    /// records of it (`template.run`).
    pub fn check_plan(&self, plan: &Plan) -> Result<Option<String>, Refusal> {
        match self.role_scopes().check_plan(plan) {
            Ok(()) => {}
            Err(objection) => {
                let (node, reason) = objection.map_or_else(
                    || (String::new(), "the runner is in no role".to_string()),
                    |(node, out)| (node, out.to_string()),
                );
                return Err(Refusal::OutOfScope { node, roles: self.roles.join(", "), reason });
            }
        }
        let Some(template) = &self.template else { return Ok(None) };
        let name = &template.signed.template.name;
        let bounds = &template.signed.template.bounds;
        let out_of_bounds = |reason: String| Refusal::OutOfBounds { name: name.clone(), reason };
        bounds.check_params(&plan.params).map_err(|out| out_of_bounds(out.to_string()))?;
        bounds.scope().check_plan(plan).map_err(|(node, out)| out_of_bounds(format!("step `{node}`: {out}")))?;
        let revision = template.signed.template.revision;
        let publisher = self.publisher().unwrap_or_default();
        Ok(Some(format!("template `{name}` revision {revision} signed by {publisher}")))
    }

    /// `alice (manager)`: who signed the template run, if this is one.
    fn publisher(&self) -> Option<String> {
        self.template
            .as_ref()
            .map(|t| format!("{} ({})", t.signed.template.publisher.name, self.role(&t.publisher_role)))
    }

    /// The guard on live targets: the runner's role scopes and the template's bounds.
    pub fn guard(&self) -> Arc<dyn Guard> {
        Arc::new(PolicyGuard {
            role_scopes: self.role_scopes(),
            template: self
                .template
                .as_ref()
                .map(|t| (t.signed.template.name.clone(), t.signed.template.bounds.clone())),
        })
    }

    /// Who files this run's approval requests and signs them: the runner, whose `identity` it must be, asking
    /// about `playbook` (the text the run compiled, with its imports).
    pub fn requester(&self, identity: Arc<Identity>, playbook: PlaybookText) -> Result<Arc<Requester>, String> {
        if identity.public_key() != self.runner.key {
            return Err(format!(
                "the identity {} (key {}) is not the runner {} (key {})",
                identity.name,
                identity.public_key(),
                self.runner.name,
                self.runner.key
            ));
        }
        Ok(Arc::new(Requester::new(identity, &self.runner.name, playbook)))
    }

    /// The approver the runtime gets: the host's, bound to the policy (see [`GovernedApprover`]); its requests
    /// are filed and signed by `requester`.
    pub fn approver(&self, host: Arc<dyn Approver>, requester: Arc<Requester>) -> Arc<dyn Approver> {
        // The publisher by name: the runtime adds the role the approval stands for.
        let template = self.template.as_ref().map(|t| {
            let template = &t.signed.template;
            (template.name.clone(), template.publisher.name.clone(), template.bounds.clone())
        });
        let (policy, approvals) = (self.policy.clone(), self.approvals.clone());
        Arc::new(GovernedApprover::new(policy, requester, self.vouched, approvals, template, host))
    }

    /// `alice` and `executor, auditor`, as the audit log records the runner.
    pub fn who(&self) -> (String, String) {
        (self.runner.name.clone(), self.role(&self.roles.join(", ")))
    }

    /// `role` as this run's records name it: `ungoverned` when no pinned root vouches for the policy.
    pub fn role(&self, role: &str) -> String {
        if self.vouched { role.to_string() } else { escher_runtime::audit::UNGOVERNED.to_string() }
    }

    /// An audit record of this run's governance (a refusal, a template run).
    pub fn audit_entry(&self, kind: &str, run_id: &str, plan_hash: &str, result: String) -> AuditEntry {
        let (who, role) = self.who();
        AuditEntry { policy: Some(self.policy_stamp()), ..audit_entry(&who, &role, kind, run_id, plan_hash, result) }
    }

    /// How this run's audit records name its policy: its SHA-256, and whether a root pinned in the state vouches
    /// for it or the runner chose it alone (then the records attribute, they do not prove).
    pub fn policy_stamp(&self) -> String {
        policy_stamp(&self.policy, self.vouched)
    }
}

/// `<sha256> (pinned root)` or `<sha256> (not pinned: the runner's own)`: a policy as audit records name it.
pub fn policy_stamp(policy: &Policy, vouched: bool) -> String {
    let vouched = if vouched { "pinned root" } else { "not pinned: the runner's own" };
    format!("{} ({vouched})", policy.sha256)
}

/// An audit record of a run's governance by `who` in `role` (empty for a runner in no role).
pub fn audit_entry(who: &str, role: &str, kind: &str, run_id: &str, plan_hash: &str, result: String) -> AuditEntry {
    AuditEntry {
        at: escher_runtime::audit::stamp(chrono::Utc::now()),
        who: who.to_string(),
        role: role.to_string(),
        run_id: run_id.to_string(),
        plan_hash: plan_hash.to_string(),
        kind: kind.to_string(),
        step: None,
        action: None,
        targets: Vec::new(),
        approval: None,
        journal: None,
        result,
        policy: None,
    }
}
