use std::collections::BTreeMap;

use crate::plan::{PlanNode, PlanSources, RiskLevel};
use crate::stdlib::Effect;

use super::super::fixtures::{catalog, ids, node, reference, step_on};
use super::super::{Policy, assess};
use super::assessed;

fn stop(count: usize) -> PlanNode {
    step_on("stop", "aws.ec2.stop", Effect::Disrupt, ids(count))
}

#[test]
fn the_default_policy_has_a_manager_and_an_executor() {
    let policy = Policy::default();
    assert_eq!(policy.roles, ["manager", "executor"]);
    assert_eq!(policy.run_without_approval, RiskLevel::Medium);
    assert_eq!(policy.approver(RiskLevel::High), "manager");
    assert_eq!(policy.approver(RiskLevel::Critical), "manager");
    assert!(policy.critical_needs_acknowledgement);
}

#[test]
fn a_medium_step_runs_without_approval() {
    let step = &assessed(vec![stop(2)], &[])[0];
    assert_eq!(step.risk.level, RiskLevel::Medium);
    assert_eq!(step.approval, None);
}

#[test]
fn a_high_step_needs_a_manager() {
    let step = &assessed(vec![stop(20)], &[])[0];
    let approval = step.approval.as_ref().expect("a high step needs approval");
    assert_eq!(approval.role, "manager");
    assert!(!approval.irreversible);
    assert_eq!(approval.reason, "risk is high, above medium, the most the policy runs without approval");
}

#[test]
fn a_destroy_needs_an_approval_that_acknowledges_it_is_irreversible() {
    let kill = step_on("kill", "aws.ec2.terminate", Effect::Destroy, ids(1));
    let approval = assessed(vec![kill], &[])[0].approval.clone().expect("a destroy is high");
    assert_eq!(approval.role, "manager");
    assert!(approval.irreversible);
}

#[test]
fn a_critical_step_is_irreversible_even_when_it_only_disrupts() {
    let mut stop = step_on("stop", "compute.stop", Effect::Disrupt, reference("vms"));
    stop.args.insert("tags".to_string(), super::super::fixtures::tags(&[("env", "prod")]));
    let nodes = assessed(vec![node("vms", "compute.instances", Effect::Read), stop], &[]);
    assert_eq!(nodes[1].risk.level, RiskLevel::Critical);
    assert!(nodes[1].approval.as_ref().is_some_and(|a| a.irreversible && a.role == "manager"));
}

#[test]
fn approve_asks_for_a_role_even_below_the_threshold() {
    let mut step = stop(1);
    step.options.approve = Some("executor".to_string());
    let approval = assessed(vec![step], &[])[0].approval.clone().expect("asked for");
    assert_eq!(approval.role, "executor");
    assert_eq!(approval.reason, "the playbook asks for approval by executor");
}

#[test]
fn a_playbook_cannot_lower_who_approves_a_high_step() {
    let mut step = stop(20);
    step.options.approve = Some("executor".to_string());
    let approval = assessed(vec![step], &[])[0].approval.clone().expect("a high step needs approval");
    assert_eq!(approval.role, "manager");
}

#[test]
fn an_unknown_approve_role_does_not_become_an_approval() {
    let mut step = stop(1);
    step.options.approve = Some("nobody".to_string());
    assert_eq!(assessed(vec![step], &[])[0].approval, None);
}

#[test]
fn a_stricter_policy_applies_its_own_threshold_and_approvers() {
    let policy = Policy {
        roles: vec!["lead".to_string(), "operator".to_string()],
        run_without_approval: RiskLevel::Low,
        approver_for: BTreeMap::from([(RiskLevel::Medium, "lead".to_string())]),
        critical_needs_acknowledgement: false,
    };
    let mut nodes = vec![stop(1), step_on("kill", "aws.ec2.terminate", Effect::Destroy, ids(1))];
    assess(&mut nodes, &[], &policy, &catalog(), &PlanSources::default());
    assert_eq!(nodes[0].approval.as_ref().map(|a| a.role.as_str()), Some("lead"));
    // No approver is named for high, so the nearest named level below decides.
    assert_eq!(nodes[1].approval.as_ref().map(|a| a.role.as_str()), Some("lead"));
}

#[test]
fn risk_placed_on_a_node_beforehand_is_recomputed() {
    let mut claimed = stop(50);
    claimed.risk.level = RiskLevel::Low;
    claimed.risk.reasons = vec!["the model says it is safe".to_string()];
    let step = &assessed(vec![claimed], &[])[0];
    assert_eq!(step.risk.level, RiskLevel::High);
    assert!(!step.risk.reasons.iter().any(|r| r.contains("model")));
}
