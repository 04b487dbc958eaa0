//! Approvals: the runtime asks an [`Approver`] before any step whose risk the policy does not let the runner run
//! alone. Decisions are recorded (journal and audit) with who made them.
//!
//! Signed, asynchronous approvals by a manager come with governance; the trait is shaped for them: a decision
//! names its author and role, and is bound to the plan hash and step it was given for.

use escher_compiler::plan::{Approval, Plan, PlanNode, Risk, RiskLevel, Value};
use escher_compiler::stdlib::Effect;
use serde::{Deserialize, Serialize};

/// What an approver is asked to decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    pub run_id: String,
    pub playbook: String,
    pub plan_hash: String,
    pub params: std::collections::BTreeMap<String, Value>,
    pub node: String,
    /// The step's `///` doc comment: what its author says it is for.
    pub docs: String,
    pub action: String,
    pub effect: Effect,
    pub risk: Risk,
    pub required: Approval,
    /// The resources the step will touch, read from the live listing (its blast radius).
    pub targets: Vec<Value>,
}

impl ApprovalRequest {
    /// The request for `node` of `plan` in run `run_id`, which needs `required`, touching `targets`.
    pub fn for_step(run_id: &str, plan: &Plan, node: &PlanNode, required: &Approval, targets: Vec<Value>) -> Self {
        ApprovalRequest {
            run_id: run_id.to_string(),
            playbook: plan.playbook.clone(),
            plan_hash: plan.hash.clone(),
            params: plan.params.clone(),
            ..ApprovalRequest::for_node(node, required, targets)
        }
    }

    /// What a request says of `node`, which needs `required`, touching `targets`; the run's and plan's fields
    /// are left empty for the caller.
    pub fn for_node(node: &PlanNode, required: &Approval, targets: Vec<Value>) -> Self {
        ApprovalRequest {
            run_id: String::new(),
            playbook: String::new(),
            plan_hash: String::new(),
            params: Default::default(),
            node: node.id.clone(),
            docs: node.docs.clone(),
            action: node.action.clone(),
            effect: node.effect,
            risk: node.risk.clone(),
            required: required.clone(),
            targets,
        }
    }

    /// The request as a person reads it before deciding: the step, its effect and risk with the reasons, its
    /// docs, who must approve, and the resources it will touch (the first 20), each with the change it gets:
    /// `~ i-0abc (web-1, us-east-1, env=dev) running → stopped`.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        const LISTED: usize = 20;
        let (effect, level) = (self.effect.as_str(), self.risk.level.as_str());
        let mut text =
            format!("\nApproval needed: step `{}` runs {} ({effect}), risk {level}.\n", self.node, self.action);
        for line in self.docs.lines().filter(|line| !line.trim().is_empty()) {
            let _ = writeln!(text, "  | {}", line.trim());
        }
        for reason in &self.risk.reasons {
            let _ = writeln!(text, "  - {reason}");
        }
        let _ = write!(text, "It needs approval by: {}", self.required.role);
        if self.required.irreversible {
            text.push_str(" (irreversible: it cannot be undone)");
        }
        let _ = writeln!(text, "\nIt will touch {} resource(s):", self.targets.len());
        // Each target as the run's summary will show it, with the change the action makes to it.
        for target in self.targets.iter().take(LISTED) {
            let change = crate::report::change::ResourceChange::between(&self.action, Some(target), target);
            let _ = writeln!(text, "  {}", crate::report::text::line(&self.action, &change));
        }
        if self.targets.len() > LISTED {
            let _ = writeln!(text, "  ... and {} more", self.targets.len() - LISTED);
        }
        text
    }
}

/// An approver's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub approved: bool,
    /// Who decided (a user name, or `auto` for `--approve-up-to`).
    pub by: String,
    /// The role they decided in.
    pub role: String,
    pub reason: Option<String>,
    /// The plan hash and step the decision was given for; the runtime refuses a decision for anything else.
    pub plan_hash: String,
    pub node: String,
    /// What proves the decision, in the approver's own terms (a governed run's: the signed decisions that
    /// approved the step). The runtime journals it with the decision and never reads it; on resume the approver
    /// checks it again ([`Approver::recorded_holds`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<serde_json::Value>,
}

/// An approver's answer when it may also say "not yet": signed approvals given asynchronously arrive after the
/// run asked, so the run waits for them or suspends until `resume`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Decided(Decision),
    /// No decision yet; the run suspends as waiting for approval. The reason says what is missing.
    Pending {
        reason: String,
    },
}

#[async_trait::async_trait]
pub trait Approver: Send + Sync {
    async fn decide(&self, request: &ApprovalRequest) -> Decision;

    /// What the runtime asks. By default every answer is a decision; approvers that can wait for one
    /// (governance's signed approvals) answer [`Answer::Pending`] when it has not come.
    async fn answer(&self, request: &ApprovalRequest) -> Answer {
        Answer::Decided(self.decide(request).await)
    }

    /// Whether asking files a request others act on (signed approvals): the runtime then audits the request
    /// itself as `approval.requested`, before the answer.
    fn files_request(&self, _request: &ApprovalRequest) -> bool {
        false
    }

    /// Whether an approval the journal recorded for `request`'s step still proves it, checked before a run
    /// resumes (with no targets) and again when the step comes, with its live targets: the journal is a file its
    /// runner can write, so an approver whose decisions carry proof (signed approvals) checks that proof again,
    /// and an approval without one does not count. By default a recorded
    /// approval holds: an ungoverned run's approvals are its runner's own word.
    fn recorded_holds(&self, _request: &ApprovalRequest, _decision: &Decision) -> Result<(), String> {
        Ok(())
    }
}

/// The role of a decision the runner gives their own step where no policy defines roles (at the terminal, with
/// `--approve-up-to`): it stands for whatever role the step needs, and the audit log says it was the runner's
/// own. Under a policy it never counts: only signatures do, and the governed approver makes those decisions.
pub const SELF_APPROVAL: &str = "self";

/// Approves automatically up to a risk level (`--approve-up-to`), refuses above it, as the runner's own
/// approval ([`SELF_APPROVAL`]). Irreversible steps are approved only when the level explicitly reaches
/// `critical`.
pub struct ApproveUpTo {
    pub level: RiskLevel,
    pub who: String,
}

#[async_trait::async_trait]
impl Approver for ApproveUpTo {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        let approved = request.risk.level <= self.level;
        let reason = if approved {
            format!("risk {} is within --approve-up-to {}", request.risk.level.as_str(), self.level.as_str())
        } else {
            format!(
                "risk {} is above --approve-up-to {}; approve it interactively or raise the level",
                request.risk.level.as_str(),
                self.level.as_str()
            )
        };
        Decision {
            approved,
            by: self.who.clone(),
            role: SELF_APPROVAL.to_string(),
            reason: Some(reason),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        }
    }
}

/// Refuses everything, saying how to approve: the approver when there is no terminal to ask.
pub struct RefuseWithoutTerminal;

#[async_trait::async_trait]
impl Approver for RefuseWithoutTerminal {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        Decision {
            approved: false,
            by: "nobody".into(),
            role: request.required.role.clone(),
            reason: Some(format!(
                "step `{}` needs approval by {} and there is no terminal to ask; run in a terminal, or pass \
                 --approve-up-to {} if you may approve it",
                request.node,
                request.required.role,
                request.risk.level.as_str()
            )),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use escher_compiler::plan::{BlastRadius, Value};

    use super::*;

    fn text(value: &str) -> Value {
        Value::String(value.into())
    }

    #[test]
    fn a_request_shows_each_target_with_the_change_it_gets() {
        let tags = Value::Record(BTreeMap::from([("env".to_string(), text("dev"))]));
        let target = Value::Record(BTreeMap::from([
            ("id".to_string(), text("i-1")),
            ("name".to_string(), text("web-1")),
            ("region".to_string(), text("us-east-1")),
            ("state".to_string(), text("running")),
            ("tags".to_string(), tags),
        ]));
        let request = ApprovalRequest {
            run_id: "r1".into(),
            playbook: "nightly".into(),
            plan_hash: "h".into(),
            params: BTreeMap::new(),
            node: "stop".into(),
            docs: "Stops the dev machines.".into(),
            action: "aws.ec2.stop".into(),
            effect: Effect::Disrupt,
            risk: Risk {
                level: RiskLevel::High,
                blast_radius: BlastRadius::AtMost(10),
                production: false,
                clouds: Vec::new(),
                regions: Vec::new(),
                reasons: vec!["up to 10 machines".into()],
            },
            required: Approval { role: "manager".into(), irreversible: false, reason: String::new() },
            targets: vec![target],
        };
        let shown = request.to_text();
        assert!(shown.contains("  | Stops the dev machines.\n"), "{shown}");
        assert!(shown.contains("  ~ i-1 (web-1, us-east-1, env=dev) running → stopped\n"), "{shown}");
    }
}
