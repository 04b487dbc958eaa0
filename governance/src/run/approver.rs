//! The approver a governed run gets, whatever approver its host plugs in (a terminal, the approvals directory,
//! a desktop app's dialog, its own): the host's answer is a claim, and only signatures prove it. A step is
//! approved when the signed decisions filed for it verify under the policy (who may approve that risk, no
//! self-approval where banned, M of N distinct approvers, not expired, bound to the plan hash, parameters and
//! step), or when a verified template covers it. A host that approves without them gets a refusal, which the
//! runtime audits with the reason. A rejection needs no proof: refusing is always safe.

use std::sync::Arc;
use std::time::Duration;

use escher_runtime::approval::{Answer, ApprovalRequest, Approver, Decision};

use crate::approvals::{ApprovalsDir, FilesApprover, Requester};
use crate::clock::SystemClock;
use crate::policy::Policy;
use crate::template::Bounds;

/// See the module's documentation.
pub struct GovernedApprover {
    /// Files each step's request and reads what the signed decisions prove, without waiting.
    proof: FilesApprover,
    /// A template run: its name, publisher and bounds.
    template: Option<(String, String, Bounds)>,
    host: Arc<dyn Approver>,
}

impl GovernedApprover {
    /// For `requester`'s run under `policy`, with its signed decisions in `approvals`; `template` is a verified
    /// template run's name, publisher and bounds.
    pub fn new(
        policy: Arc<Policy>,
        requester: Arc<Requester>,
        roles_vouched: bool,
        approvals: ApprovalsDir,
        template: Option<(String, String, Bounds)>,
        host: Arc<dyn Approver>,
    ) -> GovernedApprover {
        let proof = FilesApprover {
            dir: approvals,
            policy,
            requester,
            roles_vouched,
            clock: Arc::new(SystemClock),
            wait: Duration::ZERO,
            poll: Duration::from_millis(250),
            notice: None,
            refresh: None,
        };
        GovernedApprover { proof, template, host }
    }

    /// The decision of a template that covers the step: approved in advance by the manager who signed it (its
    /// bounds are checked before the run and on live targets).
    fn covered(&self, request: &ApprovalRequest) -> Option<Decision> {
        let (name, publisher, bounds) = self.template.as_ref()?;
        bounds.covers(&request.node).then(|| Decision {
            approved: true,
            by: format!("template {name} signed by {publisher}"),
            role: request.required.role.clone(),
            reason: Some(format!("covered by template `{name}`, within its bounds")),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: Some(serde_json::json!({ "template": name })),
        })
    }
}

#[async_trait::async_trait]
impl Approver for GovernedApprover {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        match self.answer(request).await {
            Answer::Decided(decision) => decision,
            Answer::Pending { reason } => Decision {
                approved: false,
                by: "nobody".into(),
                role: request.required.role.clone(),
                reason: Some(reason),
                plan_hash: request.plan_hash.clone(),
                node: request.node.clone(),
                proof: None,
            },
        }
    }

    fn files_request(&self, request: &ApprovalRequest) -> bool {
        self.covered(request).is_none()
    }

    /// A journaled approval holds when the template this run verified (again, on resume) covers the step, or
    /// when its signed decisions verify under the policy; what a host approver claimed never does.
    fn recorded_holds(&self, request: &ApprovalRequest, decision: &Decision) -> Result<(), String> {
        let by_template =
            decision.proof.as_ref().and_then(|proof| proof.get("template")).and_then(|name| name.as_str());
        match (by_template, self.covered(request)) {
            (Some(name), Some(_)) if self.template.as_ref().is_some_and(|(run_template, ..)| run_template == name) => {
                Ok(())
            }
            (Some(name), _) => Err(format!("it rests on template `{name}`, which does not cover this run's step")),
            (None, _) => self.proof.check_recorded(request, decision),
        }
    }

    async fn answer(&self, request: &ApprovalRequest) -> Answer {
        if let Some(decision) = self.covered(request) {
            return Answer::Decided(decision);
        }
        // What the signatures already prove: approved, rejected, or a decision that does not verify.
        if let decided @ Answer::Decided(_) = self.proof.answer(request).await {
            return decided;
        }
        match self.host.answer(request).await {
            Answer::Decided(claimed) if claimed.approved => match self.proof.answer(request).await {
                decided @ Answer::Decided(_) => decided,
                Answer::Pending { reason } => Answer::Decided(Decision {
                    approved: false,
                    reason: Some(format!(
                        "{} approved step `{}`, but no signed approval verifies under the policy: {reason}",
                        claimed.by, request.node
                    )),
                    plan_hash: request.plan_hash.clone(),
                    node: request.node.clone(),
                    ..claimed
                }),
            },
            refused_or_pending => refused_or_pending,
        }
    }
}
