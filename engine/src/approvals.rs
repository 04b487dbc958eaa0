//! The approver's and the publisher's side of governance, as a host offers it (`escher approvals`, `approve`,
//! `reject`, `template publish`, `template list`; a desktop app's approval screen): the requests filed by runs
//! with where each stands, decisions signed with the local identity, templates signed and published. The run
//! that asked verifies every decision again when it goes on.

use std::path::{Path, PathBuf};

use escher_compiler::plan::{Plan, Value};
use escher_governance::approvals::{
    ApprovalsDir, CheckedRequest, Expected, Outcome, SignedDecision, SignedRequest, TargetSummary, check_request,
    tally, verify_one,
};
use escher_governance::identity::{Identity, IdentityError};
use escher_governance::policy::{LoadError, Policy};
use escher_governance::scope::RoleScopes;
use escher_governance::template::{
    Bounds, SignedRevocation, SignedTemplate, TemplateImport, TemplatePayload, revocation_of,
};
use escher_runtime::audit::AuditEntry;

use crate::error::append_audit;
use crate::governed::{GovernanceSettings, user_name};

/// Why a decision or a template could not be signed and filed. Nothing was filed unless it says so.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error(transparent)]
    Policy(#[from] LoadError),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("no approval request for step `{step}` of run {run_id} in {}", .dir.display())]
    NoRequest { run_id: String, step: String, dir: PathBuf },
    #[error("the request for step `{step}` of run {run_id} expired at {at}; `escher resume {run_id}` asks again")]
    Expired { run_id: String, step: String, at: String },
    #[error("{who} already decided on step `{step}` of run {run_id}; a decision is never replaced")]
    AlreadyDecided { who: String, run_id: String, step: String },
    /// The decision would not count: the run would refuse it (and with it the step), so it is not filed.
    #[error("not filed: {detail} ({check})")]
    NotAllowed { check: &'static str, detail: String },
    #[error("step `{step}` of run {run_id} is already {standing}; nothing was filed")]
    Settled { run_id: String, step: String, standing: String },
    #[error("run {run_id} has ended ({status}); nothing was filed")]
    RunEnded { run_id: String, status: String },
    #[error(
        "template `{name}` is already published (revision {revision}); publish it again with --new-version to \
         make revision {next}, or under a new name"
    )]
    TemplateExists { name: String, revision: u32, next: u32 },
    #[error("template `{name}` revision {revision} is already revoked")]
    AlreadyRevoked { name: String, revision: u32 },
    #[error("`{name}` cannot name a template: use letters, digits, `-`, `_` and `.` (`@` marks a revision)")]
    TemplateName { name: String },
    #[error("the bounds cover step `{step}`, which {file} does not have (its steps: {steps})")]
    UnknownCoveredStep { step: String, file: String, steps: String },
    #[error("cannot sign: {0}")]
    Sign(String),
    #[error("cannot file in {}: {source}", .dir.display())]
    File { dir: PathBuf, source: std::io::Error },
    #[error("signed and filed in {}, but the audit log cannot be written: {reason}", .path.display())]
    Audit { path: PathBuf, reason: String },
}

impl ApprovalError {
    /// Whether the request was understood and cannot be met as it stands (rather than something failing).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            ApprovalError::Policy(LoadError::Invalid { .. } | LoadError::Unsigned(_) | LoadError::NoPolicy { .. })
                | ApprovalError::Expired { .. }
                | ApprovalError::AlreadyDecided { .. }
                | ApprovalError::NotAllowed { .. }
                | ApprovalError::Settled { .. }
                | ApprovalError::RunEnded { .. }
                | ApprovalError::TemplateExists { .. }
                | ApprovalError::TemplateName { .. }
                | ApprovalError::AlreadyRevoked { .. }
                | ApprovalError::UnknownCoveredStep { .. }
        )
    }
}

/// One file of a listing: what it holds, or the file and why it cannot be read.
pub type Listed<T> = Result<T, (PathBuf, String)>;

/// An approval request and where it stands: `pending (0 of 1)`, `approved`, `rejected by maria`, `expired ...`,
/// `not yours to decide: ...`, `cannot be checked: ...`.
#[derive(Debug, Clone)]
pub struct RequestStatus {
    /// The request as filed: the runner's word, for naming it (run, step, requester) and nothing else.
    pub filed: SignedRequest,
    /// What the request commits to, compiled again under the policy in force; or why it cannot be decided on
    /// (no policy in force, another policy, a signature or plan hash that does not hold).
    pub checked: Result<CheckedRequest, String>,
    pub status: String,
    /// Whether it waits for decisions an approver here could give: not expired, not settled, checked.
    pub open: bool,
}

/// Where an approver's state keeps, for each approvals store and each signing key, the tag of that key's last
/// decision there, which its next one follows. (Keyed by signer as well: approvers who share a state, as a team
/// on one bucket does, each have their own chain.)
const DECISION_CHAINS: &str = "decision-chains";

/// A decision signed and filed.
#[derive(Debug, Clone)]
pub struct Decided {
    pub who: String,
    pub plan_hash: String,
    pub valid_until: String,
    pub path: PathBuf,
}

/// What a publisher asks to publish as a template.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The template's name (`NAME`; runs ask for `NAME` or `NAME@REVISION`).
    pub name: String,
    /// The playbook's file name, for readers, and its text.
    pub file: String,
    pub source: String,
    /// Every file the playbook imports, as compiling it loaded them
    /// ([`RecordingLoader`](escher_governance::template::RecordingLoader)): they are signed with it.
    pub imports: Vec<TemplateImport>,
    pub bounds: Bounds,
    /// How long the template may run for; none: until it is revoked.
    pub expires_in: Option<std::time::Duration>,
    /// Whether a name already published gets a new revision (rather than being refused).
    pub new_version: bool,
}

/// A published template and whether it verifies under the policy in force.
#[derive(Debug, Clone)]
pub struct TemplateStatus {
    pub template: SignedTemplate,
    pub status: String,
}

impl GovernanceSettings {
    /// Every approval request in the approvals directory with where it stands; one that cannot be read is
    /// given with its file and why.
    pub fn approval_requests(&self, state_dir: &Path) -> Result<Vec<Listed<RequestStatus>>, ApprovalError> {
        let policy = self.policy(state_dir)?;
        let dir = ApprovalsDir::new(self.approvals_dir(state_dir));
        let now = escher_state::chrono::Utc::now();
        let listed = dir.requests().into_iter().map(|(path, filed)| {
            let filed = filed.map_err(|error| (path, error.to_string()))?;
            let (checked, status, open) = match policy.as_ref() {
                None => (Err(NO_POLICY.to_string()), NO_POLICY.to_string(), false),
                Some(policy) => match checked(&filed, policy) {
                    Ok(request) => {
                        let (status, open) = status(&request, &dir, policy, now);
                        (Ok(request), status, open)
                    }
                    Err(why) => (Err(why.clone()), why, false),
                },
            };
            Ok(RequestStatus { filed, checked, status, open })
        });
        Ok(listed.collect())
    }

    /// Signs an approval (`reason` `None`) or a rejection of a run's step with the local identity, files it
    /// and audits it.
    pub fn decide(
        &self,
        state_dir: &Path,
        run_id: &str,
        step: &str,
        approved: bool,
        reason: Option<String>,
    ) -> Result<Decided, ApprovalError> {
        let decided = self.sign_and_file(state_dir, run_id, step, approved, reason);
        // A decision not filed because a check refused it is audited where it was refused: an edited request, or a
        // decision the run would refuse, is something the approver's own log should tell.
        if let Err(ApprovalError::NotAllowed { check, detail }) = &decided {
            let policy = self.policy(state_dir).ok().flatten();
            let identity = self.identity(state_dir)?;
            let (who, role) = (person(policy.as_ref(), &identity), roles_of(state_dir, policy.as_ref(), &identity));
            let result = format!("not signed: {detail} ({check})");
            let mut entry = escher_governance::run::audit_entry(&who, &role, "approval.refused", run_id, "", result);
            entry.step = Some(step.to_string());
            entry.policy = policy.map(|policy| policy.sha256);
            append_audit(state_dir, entry).map_err(|error| ApprovalError::File {
                dir: state_dir.to_path_buf(),
                source: std::io::Error::other(error.to_string()),
            })?;
        }
        decided
    }

    fn sign_and_file(
        &self,
        state_dir: &Path,
        run_id: &str,
        step: &str,
        approved: bool,
        reason: Option<String>,
    ) -> Result<Decided, ApprovalError> {
        let policy = self.policy(state_dir)?;
        let identity = self.identity(state_dir)?;
        let dir = ApprovalsDir::new(self.approvals_dir(state_dir));
        let (run, at) = (run_id.to_string(), step.to_string());
        let Some(filed) = dir.latest_request(run_id, step) else {
            return Err(ApprovalError::NoRequest { run_id: run, step: at, dir: dir.root.clone() });
        };
        let now = escher_state::chrono::Utc::now();
        if filed.request.is_expired(now) {
            return Err(ApprovalError::Expired { run_id: run, step: at, at: filed.request.expires_at.clone() });
        }
        refuse_if_ended(state_dir, run_id)?;
        // Nothing is signed that was not checked: the request's hashes against its playbook, compiled again.
        let Some(policy) = policy else {
            return Err(ApprovalError::NotAllowed { check: "policy", detail: NO_POLICY.to_string() });
        };
        let request =
            checked(&filed, &policy).map_err(|detail| ApprovalError::NotAllowed { check: "request", detail })?;
        let validity = policy.approval_validity;
        // Each approver's decisions in a store form a chain, kept in their own state (one per store, named by the
        // store itself so every machine of theirs follows the same chain): one removed from the store shows in the
        // next.
        let store = dir.store_id().map_err(|source| ApprovalError::File { dir: dir.root.clone(), source })?;
        let signer: String = identity.public_key().chars().take(16).collect();
        let chain = state_dir.join(DECISION_CHAINS).join(format!("{store}-{signer}"));
        let follows = std::fs::read_to_string(&chain).map(|tag| tag.trim().to_string()).unwrap_or_default();
        let decision =
            SignedDecision::sign_following(&identity, &request, (approved, reason.clone()), now, validity, follows)
                .map_err(|error| ApprovalError::Sign(error.to_string()))?;
        at_the_door(&policy, &dir, &request, &decision, &identity, now)?;
        let path = match dir.write_decision(&decision) {
            Ok(path) => path,
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(ApprovalError::AlreadyDecided { who: identity.name.clone(), run_id: run, step: at });
            }
            Err(source) => return Err(ApprovalError::File { dir: dir.root.clone(), source }),
        };
        let written = chain
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&chain, decision.tag()));
        if let Err(source) = written {
            return Err(ApprovalError::File { dir: state_dir.to_path_buf(), source });
        }
        let role = roles_of(state_dir, Some(&policy), &identity);
        let who = person(Some(&policy), &identity);
        let verb = if approved { "approved" } else { "rejected" };
        let entry = AuditEntry {
            at: escher_runtime::audit::stamp(now),
            who: who.clone(),
            role: role.clone(),
            run_id: run_id.to_string(),
            plan_hash: request.plan_hash.clone(),
            kind: "approval.signed".into(),
            step: Some(step.to_string()),
            action: Some(request.action.clone()),
            targets: request.targets.iter().map(|t| t.id.clone()).collect(),
            approval: Some(format!("{who} ({role})")),
            journal: None,
            result: match &reason {
                Some(reason) => format!("{verb}: {reason}"),
                None => verb.to_string(),
            },
            policy: Some(policy.sha256.clone()),
        };
        append_audit(state_dir, entry)
            .map_err(|error| ApprovalError::Audit { path: path.clone(), reason: error.to_string() })?;
        Ok(Decided { who, plan_hash: request.plan_hash, valid_until: decision.decision.expires_at, path })
    }

    /// Signs a playbook (already compiled to `plan` without errors), the files it imports and its bounds with
    /// the local identity and publishes it as a template, audited. Steps the bounds cover must be steps of the
    /// playbook: a misspelt name would silently cover nothing. A name already published gets a new revision only
    /// when `new_version` says so; earlier revisions stay (`NAME@1` still names the first).
    pub fn publish_template(
        &self,
        state_dir: &Path,
        publication: Publication,
        plan: &Plan,
    ) -> Result<PathBuf, ApprovalError> {
        let Publication { name, file, source, imports, bounds, expires_in, new_version } = publication;
        let (name, file) = (name.as_str(), file.as_str());
        let well_formed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if name.is_empty() || !name.chars().all(well_formed) {
            return Err(ApprovalError::TemplateName { name: name.to_string() });
        }
        for step in bounds.covers.iter().flatten() {
            if !plan.nodes.iter().any(|node| &node.id == step || node.id.starts_with(&format!("{step}."))) {
                let steps = plan.nodes.iter().map(|node| node.id.as_str()).collect::<Vec<_>>().join(", ");
                return Err(ApprovalError::UnknownCoveredStep { step: step.clone(), file: file.to_string(), steps });
            }
        }
        if let Err(out) = bounds.check_params(&plan.params) {
            let detail = format!("{file} breaks its own bounds with the parameter values it was compiled with: {out}");
            return Err(ApprovalError::NotAllowed { check: "bounds", detail });
        }
        let identity = self.identity(state_dir)?;
        let policy = self.policy(state_dir)?;
        if let Some(policy) = &policy
            && !policy.may_publish(&identity.public_key())
        {
            let publishers = policy.template_publishers.join(" or ");
            let detail = format!("{} may not publish templates; the policy lets {publishers} publish", identity.name);
            return Err(ApprovalError::NotAllowed { check: "template publisher", detail });
        }
        let dir = ApprovalsDir::new(self.approvals_dir(state_dir));
        let revision = match escher_governance::template::latest_revision(&dir, name) {
            None => 1,
            Some(latest) if new_version => latest + 1,
            Some(latest) => {
                return Err(ApprovalError::TemplateExists { name: name.into(), revision: latest, next: latest + 1 });
            }
        };
        let now = escher_state::chrono::Utc::now();
        let expires_at = expires_in.map(|validity| {
            escher_governance::clock::stamp(now + chrono::Duration::from_std(validity).unwrap_or(chrono::Duration::MAX))
        });
        let payload = TemplatePayload {
            version: 1,
            name: name.to_string(),
            revision,
            file: file.to_string(),
            source,
            imports,
            bounds,
            publisher: identity.principal(),
            published_at: escher_governance::clock::stamp(now),
            expires_at,
        };
        let signed =
            SignedTemplate::sign(&identity, payload).map_err(|error| ApprovalError::Sign(error.to_string()))?;
        let path = match escher_governance::template::publish(&dir, &signed) {
            Ok(path) => path,
            // Another publisher took this revision first.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(ApprovalError::TemplateExists { name: name.into(), revision, next: revision + 1 });
            }
            Err(source) => return Err(ApprovalError::File { dir: dir.root.clone(), source }),
        };
        // The role is the publisher's under the policy in force here; a run verifies it again under its own.
        let role = roles_of(state_dir, policy.as_ref(), &identity);
        let entry = AuditEntry {
            at: escher_runtime::audit::stamp(now),
            who: identity.name.clone(),
            role,
            run_id: String::new(),
            plan_hash: String::new(),
            kind: "template.published".into(),
            step: None,
            action: None,
            targets: Vec::new(),
            approval: None,
            journal: None,
            result: format!("template `{name}` revision {revision} published to {}", path.display()),
            policy: policy.as_ref().map(|policy| policy.sha256.clone()),
        };
        append_audit(state_dir, entry)
            .map_err(|error| ApprovalError::Audit { path: path.clone(), reason: error.to_string() })?;
        Ok(path)
    }

    /// The published templates, each verified under the policy in force; one that cannot be read is given with
    /// its file and why.
    pub fn templates(&self, state_dir: &Path) -> Result<Vec<Listed<TemplateStatus>>, ApprovalError> {
        let policy = self.policy(state_dir)?;
        let dir = ApprovalsDir::new(self.approvals_dir(state_dir));
        let listed = escher_governance::template::list(&dir).into_iter().map(|(path, template)| {
            let template = template.map_err(|error| (path, error))?;
            let publisher = &template.template.publisher.name;
            let now = escher_state::chrono::Utc::now();
            let revoked = policy.as_ref().and_then(|policy| revocation_of(&dir, &template, policy));
            let status = match (&policy, revoked, template.template.expired(now)) {
                (_, Some(revoked), _) => {
                    let revocation = revoked.revocation;
                    format!(
                        "REVOKED by {} at {}: {}",
                        revocation.revoked_by.name, revocation.revoked_at, revocation.reason
                    )
                }
                (_, None, Some(at)) => format!("EXPIRED at {at}"),
                (Some(policy), None, None) => match template.verify(policy) {
                    Ok(role) => format!("signed by {publisher} ({role})"),
                    Err(why) => format!("NOT VALID: {why}"),
                },
                (None, None, None) => format!("signed by {publisher} (no policy to verify against)"),
            };
            Ok(TemplateStatus { template, status })
        });
        Ok(listed.collect())
    }

    /// Withdraws template `asked` (`NAME`, its latest revision, or `NAME@N`) for good with a revocation signed by
    /// the local identity, audited. Only someone the policy lets publish templates may; the template's file may
    /// then be removed, and a copy of it put back does not run.
    pub fn revoke_template(&self, state_dir: &Path, asked: &str, reason: &str) -> Result<PathBuf, ApprovalError> {
        let dir = ApprovalsDir::new(self.approvals_dir(state_dir));
        let template = escher_governance::template::load(&dir, asked)
            .map_err(|detail| ApprovalError::NotAllowed { check: "template", detail })?;
        let identity = self.identity(state_dir)?;
        let Some(policy) = self.policy(state_dir)? else {
            let detail = "a revocation is verified against the policy, and none is in force".to_string();
            return Err(ApprovalError::NotAllowed { check: "policy", detail });
        };
        if !policy.may_publish(&identity.public_key()) {
            let publishers = policy.template_publishers.join(" or ");
            let detail = format!("{} may not revoke templates; the policy lets {publishers} do it", identity.name);
            return Err(ApprovalError::NotAllowed { check: "template publisher", detail });
        }
        let (name, revision) = (&template.template.name, template.template.revision);
        if revocation_of(&dir, &template, &policy).is_some() {
            return Err(ApprovalError::AlreadyRevoked { name: name.clone(), revision });
        }
        let now = escher_state::chrono::Utc::now();
        let revocation = SignedRevocation::sign(&identity, &template, reason, now)
            .map_err(|error| ApprovalError::Sign(error.to_string()))?;
        let path = escher_governance::template::revoke(&dir, &revocation)
            .map_err(|source| ApprovalError::File { dir: dir.root.clone(), source })?;
        let entry = AuditEntry {
            at: escher_runtime::audit::stamp(now),
            who: identity.name.clone(),
            role: roles_of(state_dir, Some(&policy), &identity),
            run_id: String::new(),
            plan_hash: String::new(),
            kind: "template.revoked".into(),
            step: None,
            action: None,
            targets: Vec::new(),
            approval: None,
            journal: None,
            result: format!("template `{name}` revision {revision} revoked: {reason}"),
            policy: Some(policy.sha256.clone()),
        };
        append_audit(state_dir, entry)
            .map_err(|error| ApprovalError::Audit { path: path.clone(), reason: error.to_string() })?;
        Ok(path)
    }

    /// The policy in force, checked; `None` without a policy file. With a policy root pinned in the state, only a
    /// file signed by its managers, and never `None`.
    pub fn policy(&self, state_dir: &Path) -> Result<Option<Policy>, LoadError> {
        escher_governance::policy::load_in(state_dir, self.policy_path(state_dir).as_deref())
    }

    /// The compiler's risk policy for the local user, for checking and planning outside a run (`check`, `plan`,
    /// a template's publication): the policy in force, for the user's identity if one exists (none is made
    /// here); the built-in policy when no policy file is in force.
    pub fn risk_policy(&self, state_dir: &Path) -> Result<escher_compiler::risk::Policy, LoadError> {
        let Some(policy) = self.policy(state_dir)? else { return Ok(escher_compiler::risk::Policy::default()) };
        let path = Identity::path(state_dir);
        let runner = path.exists().then(|| Identity::load(&path).ok()).flatten().map(|identity| identity.public_key());
        Ok(policy.risk_policy(runner.as_deref()))
    }

    /// The local identity, created under `runner_name` (else `$USER`) on first use.
    pub fn identity(&self, state_dir: &Path) -> Result<Identity, IdentityError> {
        Identity::load_or_create(state_dir, &self.runner_name.clone().unwrap_or_else(user_name))
    }
}

/// The checks the run makes of a decision, made before it is filed, and where the step stands: a decision that
/// would not count is never filed, so it cannot refuse the step for everyone else.
fn at_the_door(
    policy: &Policy,
    dir: &ApprovalsDir,
    request: &CheckedRequest,
    decision: &SignedDecision,
    identity: &Identity,
    now: escher_state::chrono::DateTime<escher_state::chrono::Utc>,
) -> Result<(), ApprovalError> {
    let targets = request.target_ids();
    let expected = expected(request, &targets);
    verify_one(decision, &expected, policy, now)
        .map_err(|(check, detail)| ApprovalError::NotAllowed { check: check.as_str(), detail })?;
    let scopes = RoleScopes::of(policy.roles_of(&identity.public_key()).iter().map(|role| &role.scope));
    for target in &request.targets {
        if let Err(objection) = scopes.check_target(&target_record(target)) {
            let why = objection.map_or_else(|| "no role of the policy".to_string(), |out| out.to_string());
            let detail = format!("{} may not decide on {}: {why}", identity.name, target.id);
            return Err(ApprovalError::NotAllowed { check: "scope", detail });
        }
    }
    let filed: Vec<_> = dir.decisions_for(&request.run_id, &request.step).into_iter().map(|(_, d)| d).collect();
    let standing = match tally(&filed, &expected, policy, now) {
        // One person decides once, whichever of their keys signs: a second key is not a second vote.
        Outcome::Pending { .. } if decided_before(policy, &filed, request, &identity.public_key()) => {
            let (run_id, step) = (request.run_id.clone(), request.step.clone());
            return Err(ApprovalError::AlreadyDecided { who: person(Some(policy), identity), run_id, step });
        }
        Outcome::Pending { .. } => return Ok(()),
        Outcome::Approved { by } => {
            format!("approved by {}", by.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", "))
        }
        Outcome::Rejected { by } => format!("rejected by {}", by.name),
        Outcome::Refused { check, detail } => format!("refused ({}: {detail})", check.as_str()),
    };
    Err(ApprovalError::Settled { run_id: request.run_id.clone(), step: request.step.clone(), standing })
}

/// A run whose journal is here and that ended for good takes no more decisions. (An approver on another machine
/// has no journal here; the run checks again when it goes on.)
fn refuse_if_ended(state_dir: &Path, run_id: &str) -> Result<(), ApprovalError> {
    let Ok(journal) = escher_runtime::journal::read_state(state_dir, run_id) else { return Ok(()) };
    match journal.finished_with {
        Some(status) if !status.is_resumable() => {
            Err(ApprovalError::RunEnded { run_id: run_id.to_string(), status: format!("{status:?}") })
        }
        _ => Ok(()),
    }
}

/// What a decision on `request` must match, for the targets `targets`.
fn expected<'a>(request: &'a CheckedRequest, targets: &'a [String]) -> Expected<'a> {
    Expected {
        run_id: &request.run_id,
        step: &request.step,
        plan_hash: &request.plan_hash,
        params_hash: &request.params_hash,
        rule: &request.rule,
        runner_key: &request.requested_by.key,
        targets,
    }
}

/// A request's target as the scope checks read a resource.
fn target_record(target: &TargetSummary) -> Value {
    let fields =
        [("id", &target.id), ("cloud", &target.cloud), ("account", &target.account), ("region", &target.region)];
    Value::Record(
        fields
            .into_iter()
            .filter(|(_, value)| value.as_str() != "-" && !value.is_empty())
            .map(|(name, value)| (name.to_string(), Value::String(value.clone())))
            .collect(),
    )
}

/// The person `identity` is: the name the policy in force lists their key under, else the identity's own.
/// Whether the person holding `key` has a decision filed on the request's step, under any of their keys.
fn decided_before(
    policy: &Policy,
    filed: &[Result<SignedDecision, String>],
    request: &CheckedRequest,
    key: &str,
) -> bool {
    filed.iter().flatten().any(|filed| {
        let on_this_step = filed.decision.run_id == request.run_id && filed.decision.step == request.step;
        on_this_step && filed.verify_signature().is_ok() && policy.same_person(&filed.decision.signer.key, key)
    })
}

fn person(policy: Option<&Policy>, identity: &Identity) -> String {
    policy.and_then(|p| p.member_name(&identity.public_key())).unwrap_or(&identity.name).to_string()
}

/// The roles `identity` holds as this state's records name them: none (`ungoverned`) when no root pinned here
/// vouches for the policy that gives them.
fn roles_of(state_dir: &Path, policy: Option<&Policy>, identity: &Identity) -> String {
    if policy.is_some() && !escher_governance::policy::pinned::is_pinned(state_dir) {
        return escher_runtime::audit::UNGOVERNED.to_string();
    }
    policy
        .map(|p| p.roles_of(&identity.public_key()).iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

/// Why nothing can be decided here without a policy.
const NO_POLICY: &str = "cannot be checked: no policy is in force here to check it under";

/// `filed` checked under `policy` (which must be the policy its run is governed by), or why it cannot be.
fn checked(filed: &SignedRequest, policy: &Policy) -> Result<CheckedRequest, String> {
    let request = &filed.request;
    let short = |hash: &str| hash.chars().take(12).collect::<String>();
    if request.policy_sha256 != policy.sha256 {
        return Err(format!(
            "not yours to decide: run {} is governed by policy {}, and the policy in force here is {}",
            request.run_id,
            short(&request.policy_sha256),
            short(&policy.sha256)
        ));
    }
    check_request(filed, policy).map_err(|why| format!("cannot be checked: {why}"))
}

/// Where a checked request stands by the decisions filed for it, and whether it is still open.
fn status(
    request: &CheckedRequest,
    dir: &ApprovalsDir,
    policy: &Policy,
    now: escher_state::chrono::DateTime<escher_state::chrono::Utc>,
) -> (String, bool) {
    let decisions: Vec<_> = dir.decisions_for(&request.run_id, &request.step).into_iter().map(|(_, d)| d).collect();
    let targets = request.target_ids();
    let expired = escher_governance::clock::parse_stamp(&request.expires_at).is_none_or(|expires| now > expires);
    match tally(&decisions, &expected(request, &targets), policy, now) {
        Outcome::Approved { .. } => ("approved".into(), false),
        Outcome::Rejected { by } => (format!("rejected by {}", by.name), false),
        Outcome::Refused { check, .. } => (format!("refused ({})", check.as_str()), false),
        Outcome::Pending { have, need } if expired => (format!("expired ({have} of {need})"), false),
        Outcome::Pending { have, need } => (format!("pending ({have} of {need})"), true),
    }
}
