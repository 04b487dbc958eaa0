//! The runtime's [`Approver`] for signed approvals: it files a request signed by the runner, carrying the
//! playbook, in the shared approvals directory, then reads the decisions filed there, verifies them under the policy and answers. With nothing decided yet
//! it polls until its wait is over, then answers "pending", which suspends the run.

use std::sync::Arc;
use std::time::Duration;

use escher_runtime::approval::{Answer, ApprovalRequest, Approver, Decision};

use super::decision::SignedDecision;
use super::recorded::{check_signed_proof, signed_proof};
use super::request::{PlaybookText, RequestFile, SignedRequest, params_hash};
use super::store::ApprovalsDir;
use super::verify::{Check, Expected, Outcome, Valid, tally};
use crate::clock::Clock;
use crate::identity::{Identity, Principal};
use crate::policy::{ApprovalRule, Policy};

/// Where a waiting approver's one line goes.
pub type Notice = Arc<dyn Fn(&str) + Send + Sync>;

/// Brings the approvals directory up to date from wherever it travels (a bucket the state lives in) before a
/// waiting approver looks again: decisions filed from other machines reach the run while it waits.
#[async_trait::async_trait]
pub trait Refresh: Send + Sync {
    async fn refresh(&self);
}

/// The runner as its requests name and sign them, and the playbook its run compiled, which every request carries.
pub struct Requester {
    /// Named as the policy lists their key. Self-approval is checked against them.
    pub runner: Principal,
    identity: Arc<Identity>,
    pub playbook: PlaybookText,
}

impl Requester {
    /// `identity`, named `name` in requests, asking about runs of `playbook`.
    pub fn new(identity: Arc<Identity>, name: &str, playbook: PlaybookText) -> Requester {
        let runner = Principal { name: name.to_string(), key: identity.public_key() };
        Requester { runner, identity, playbook }
    }

    /// The key pair that signs for the runner: its requests, and its audit heads.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }
}

pub struct FilesApprover {
    pub dir: ApprovalsDir,
    pub policy: Arc<Policy>,
    /// Who runs the playbook, and what.
    pub requester: Arc<Requester>,
    /// Whether a root pinned in the runner's state vouches for the policy: if not, approvers are named without
    /// the roles it gives them (`alice (ungoverned)`), which the runner could have written himself.
    pub roles_vouched: bool,
    pub clock: Arc<dyn Clock>,
    /// How long to wait for decisions before suspending (zero: suspend at once, `--detach`).
    pub wait: Duration,
    /// How often to look for new decisions while waiting.
    pub poll: Duration,
    /// Told once per step when the run starts waiting, with a line saying where the request is and how to
    /// approve it (the command line prints it).
    pub notice: Option<Notice>,
    /// What brings the directory up to date before each look, for state in a bucket.
    pub refresh: Option<Arc<dyn Refresh>>,
}

impl FilesApprover {
    /// The request for this step, filed if there is none or the last one expired. A request that cannot be
    /// filed is an error: no approver could ever see it.
    fn file_request(&self, request: &ApprovalRequest) -> Result<(), String> {
        let now = self.clock.now();
        let requester = &self.requester;
        let file = RequestFile::new(request, &requester.playbook, requester.runner.clone(), now, &self.policy);
        if let Some(filed) = self.dir.latest_request(&request.run_id, &request.node)
            && !filed.request.is_expired(now)
            && filed.request.requested_by.key == requester.runner.key
            && filed.request.plan_hash == request.plan_hash
            && filed.request.targets == file.targets
            && filed.verify_signature().is_ok()
        {
            return Ok(());
        }
        let signed = SignedRequest::sign(&requester.identity, file)
            .map_err(|error| format!("cannot sign the approval request: {error}"))?;
        match self.dir.write_request(&signed) {
            Ok(_) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(error) => Err(format!("cannot file the approval request in {}: {error}", self.dir.root.display())),
        }
    }

    /// Where the step stands by the decisions filed for it, and, when approved, the signed decisions that
    /// approve it (the proof journaled with the approval). Everything they are checked against comes from the
    /// run and the policy in force, never from the request file.
    fn outcome(&self, request: &ApprovalRequest, rule: &ApprovalRule) -> (Outcome, Option<serde_json::Value>) {
        let (params_hash, targets) = (params_hash(&request.params), target_ids(request));
        let expected = self.expected(request, rule, (&params_hash, &targets));
        let decisions: Vec<_> =
            self.dir.decisions_for(&request.run_id, &request.node).into_iter().map(|(_, decision)| decision).collect();
        let now = self.clock.now();
        if let Some(detail) = broken_chain(&self.dir, &decisions) {
            return (Outcome::Refused { check: Check::Removed, detail }, None);
        }
        let outcome = tally(&decisions, &expected, &self.policy, now);
        // An approved tally verified every decision filed and found no rejection: together they are the proof.
        let proof = matches!(outcome, Outcome::Approved { .. }).then(|| {
            let approving: Vec<SignedDecision> = decisions.into_iter().flatten().collect();
            signed_proof(&approving)
        });
        (outcome, proof)
    }

    fn expected<'a>(
        &'a self,
        request: &'a ApprovalRequest,
        rule: &'a ApprovalRule,
        (params_hash, targets): (&'a str, &'a [String]),
    ) -> Expected<'a> {
        Expected {
            run_id: &request.run_id,
            step: &request.node,
            plan_hash: &request.plan_hash,
            params_hash,
            rule,
            runner_key: &self.requester.runner.key,
            targets,
        }
    }

    /// Whether a journaled approval's proof still proves the step approved under the policy, for the targets
    /// the request lists.
    pub fn check_recorded(&self, request: &ApprovalRequest, decision: &Decision) -> Result<(), String> {
        let rule = self.policy.rule_for(request.risk.level, &request.required.role);
        let (params_hash, targets) = (params_hash(&request.params), target_ids(request));
        let expected = self.expected(request, &rule, (&params_hash, &targets));
        check_signed_proof(decision.proof.as_ref(), &expected, &self.policy)
    }

    /// `alice (manager)`, or `alice (ungoverned)` when no pinned root vouches for the policy that makes her one.
    fn named(&self, valid: &Valid) -> String {
        let role = if self.roles_vouched { valid.role.as_str() } else { escher_runtime::audit::UNGOVERNED };
        format!("{} ({role})", valid.name)
    }

    fn decision(request: &ApprovalRequest, approved: bool, by: String, reason: String) -> Decision {
        Decision {
            approved,
            by,
            role: request.required.role.clone(),
            reason: Some(reason),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        }
    }
}

#[async_trait::async_trait]
impl Approver for FilesApprover {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        match self.answer(request).await {
            Answer::Decided(decision) => decision,
            Answer::Pending { reason } => Self::decision(request, false, "nobody".into(), reason),
        }
    }

    fn files_request(&self, _request: &ApprovalRequest) -> bool {
        true
    }

    fn recorded_holds(&self, request: &ApprovalRequest, decision: &Decision) -> Result<(), String> {
        self.check_recorded(request, decision)
    }

    async fn answer(&self, request: &ApprovalRequest) -> Answer {
        if let Err(error) = self.file_request(request) {
            return Answer::Decided(Self::decision(request, false, "nobody".into(), error));
        }
        let rule = self.policy.rule_for(request.risk.level, &request.required.role);
        let deadline = tokio::time::Instant::now() + self.wait;
        let mut told = false;
        loop {
            if let Some(refresh) = &self.refresh {
                refresh.refresh().await;
            }
            let (outcome, proof) = self.outcome(request, &rule);
            match outcome {
                Outcome::Approved { by } => {
                    // Names only: the runtime adds the role the approval stands for, as the policy allows it.
                    let names = by.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", ");
                    let reason = format!("{} signed approval(s) verified", by.len());
                    return Answer::Decided(Decision { proof, ..Self::decision(request, true, names, reason) });
                }
                Outcome::Rejected { by } => {
                    let reason = format!(
                        "rejected by {}: {}",
                        self.named(&by),
                        by.reason.clone().unwrap_or_else(|| "no reason given".into())
                    );
                    return Answer::Decided(Self::decision(request, false, by.name.clone(), reason));
                }
                Outcome::Refused { check, detail } => {
                    let reason = format!("approval check failed: {}: {detail}", check.as_str());
                    return Answer::Decided(Self::decision(request, false, "verification".into(), reason));
                }
                Outcome::Pending { have, need } => {
                    if tokio::time::Instant::now() >= deadline {
                        let reason = format!(
                            "{have} of {need} required approval(s) from {} for step `{}`; approve with `escher approve {} {}`",
                            rule.from.join(" or "),
                            request.node,
                            request.run_id,
                            request.node
                        );
                        return Answer::Pending { reason };
                    }
                    if let Some(notice) = self.notice.as_ref().filter(|_| !told) {
                        told = true;
                        notice(&format!(
                            "waiting up to {}s for {need} signed approval(s) from {} of step `{}` (request in {}): \
                             escher approve {} {}",
                            self.wait.as_secs(),
                            rule.from.join(" or "),
                            request.node,
                            self.dir.requests_dir().display(),
                            request.run_id,
                            request.node
                        ));
                    }
                    tokio::time::sleep(self.poll).await;
                }
            }
        }
    }
}

/// The ids of the live targets a request lists.
fn target_ids(request: &ApprovalRequest) -> Vec<String> {
    request.targets.iter().filter_map(escher_runtime::provider::resource_id).map(str::to_string).collect()
}

/// A decision whose signer's previous decision is no longer in the store: someone removed that one (a
/// rejection, say) from the shared directory, and the chain shows it.
fn broken_chain(dir: &ApprovalsDir, decisions: &[Result<SignedDecision, String>]) -> Option<String> {
    decisions.iter().flatten().find_map(|decision| {
        let payload = &decision.decision;
        let gone = !payload.follows.is_empty() && !dir.holds_decision(&payload.follows, &payload.signer.key);
        gone.then(|| {
            format!(
                "{}'s decision on step `{}` follows one of theirs ({}) that is no longer in {}: a decision was removed",
                payload.signer.name,
                payload.step,
                payload.follows,
                dir.root.display()
            )
        })
    })
}
