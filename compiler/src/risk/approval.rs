//! The approval a step needs under the policy.

use crate::plan::{Approval, PlanNode, RiskLevel};
use crate::stdlib::Effect;

use super::policy::Policy;

/// Above the policy's threshold the policy's approver decides, whatever the playbook asks: a playbook cannot
/// lower who approves it. At or below the threshold, `approve = ROLE` asks for that role's approval anyway.
pub(super) fn approval_for(node: &PlanNode, policy: &Policy) -> Option<Approval> {
    let level = node.risk.level;
    let irreversible = level == RiskLevel::Critical || node.effect == Effect::Destroy;
    if level > policy.run_without_approval {
        return Some(Approval {
            role: policy.approver(level).to_string(),
            irreversible,
            reason: format!(
                "risk is {}, above {}, the most the policy runs without approval",
                level.as_str(),
                policy.run_without_approval.as_str()
            ),
        });
    }
    // An unknown role is reported as E0404; it must not become an approval nobody can give.
    let role = node.options.approve.as_ref().filter(|role| policy.has_role(role))?;
    Some(Approval { role: role.clone(), irreversible, reason: format!("the playbook asks for approval by {role}") })
}
