//! The runtime's [`Approver`] for signed approvals: it files a request in the shared approvals directory,
//! then reads the decisions filed there, verifies them under the policy and answers. With nothing decided yet
//! it polls until its wait is over, then answers "pending", which suspends the run.

use std::sync::Arc;
use std::time::Duration;

use escher_runtime::approval::{Answer, ApprovalRequest, Approver, Decision};

use super::decision::SignedDecision;
use super::recorded::{check_signed_proof, signed_proof};
use super::request::{RequestFile, params_hash};
use super::store::ApprovalsDir;
use super::verify::{Check, Expected, Outcome, tally};
use crate::clock::Clock;
use crate::identity::Principal;
use crate::policy::{ApprovalRule, Policy};

/// Where a waiting approver's one line goes.
pub type Notice = Arc<dyn Fn(&str) + Send + Sync>;

pub struct FilesApprover {
    pub dir: ApprovalsDir,
    pub policy: Arc<Policy>,
    /// Who runs the playbook (self-approval is checked against them).
    pub runner: Principal,
    pub clock: Arc<dyn Clock>,
    /// How long to wait for decisions before suspending (zero: suspend at once, `--detach`).
    pub wait: Duration,
    /// How often to look for new decisions while waiting.
    pub poll: Duration,
    /// Told once per step when the run starts waiting, with a line saying where the request is and how to
    /// approve it (the command line prints it).
    pub notice: Option<Notice>,
}

impl FilesApprover {
    /// The request for this step, filed if there is none or the last one expired. A request that cannot be
    /// filed is an error: no approver could ever see it.
    fn file_request(&self, request: &ApprovalRequest) -> Result<RequestFile, String> {
        let now = self.clock.now();
        if let Some(filed) = self.dir.latest_request(&request.run_id, &request.node)
            && !filed.is_expired(now)
            && filed.plan_hash == request.plan_hash
        {
            return Ok(filed);
        }
        let rule = self.policy.rule_for(request.risk.level, &request.required.role);
        let file = RequestFile::new(request, rule, self.runner.clone(), now, &self.policy);
        match self.dir.write_request(&file) {
            Ok(_) => Ok(file),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(file),
            Err(error) => Err(format!("cannot file the approval request in {}: {error}", self.dir.root.display())),
        }
    }

    /// Where the step stands. Everything it is checked against comes from the run and the policy in force,
    /// never from the request file, which anyone with access to the directory could edit.
    /// Where the step stands by the decisions filed for it, and, when approved, the signed decisions that
    /// approve it (the proof journaled with the approval).
    fn outcome(&self, request: &ApprovalRequest, rule: &ApprovalRule) -> (Outcome, Option<serde_json::Value>) {
        let params_hash = params_hash(&request.params);
        let expected = self.expected(request, rule, &params_hash);
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
        params_hash: &'a str,
    ) -> Expected<'a> {
        Expected {
            run_id: &request.run_id,
            step: &request.node,
            plan_hash: &request.plan_hash,
            params_hash,
            rule,
            runner_key: &self.runner.key,
        }
    }

    /// Whether a journaled approval's proof still proves the step approved under the policy.
    pub fn check_recorded(&self, request: &ApprovalRequest, decision: &Decision) -> Result<(), String> {
        let rule = self.policy.rule_for(request.risk.level, &request.required.role);
        let params_hash = params_hash(&request.params);
        check_signed_proof(decision.proof.as_ref(), &self.expected(request, &rule, &params_hash), &self.policy)
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
            let (outcome, proof) = self.outcome(request, &rule);
            match outcome {
                Outcome::Approved { by } => {
                    let names = by.iter().map(|v| format!("{} ({})", v.name, v.role)).collect::<Vec<_>>().join(", ");
                    let reason = format!("{} signed approval(s) verified", by.len());
                    return Answer::Decided(Decision { proof, ..Self::decision(request, true, names, reason) });
                }
                Outcome::Rejected { by } => {
                    let reason = format!(
                        "rejected by {} ({}): {}",
                        by.name,
                        by.role,
                        by.reason.clone().unwrap_or_else(|| "no reason given".into())
                    );
                    return Answer::Decided(Self::decision(
                        request,
                        false,
                        format!("{} ({})", by.name, by.role),
                        reason,
                    ));
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
