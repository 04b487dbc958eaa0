//! Checking decisions against what a run asks: each decision on its own (signature, signer's role, parameters,
//! plan hash, step, run, targets, expiry, self-approval), then together (M of N distinct people, any rejection). A
//! person is who the policy lists a key under: two keys of one person are one approver.
//! Pure: the time comes from the caller.

use chrono::{DateTime, Utc};

use super::decision::SignedDecision;
use crate::policy::{ApprovalRule, Policy};

/// What a decision must match.
pub struct Expected<'a> {
    pub run_id: &'a str,
    pub step: &'a str,
    pub plan_hash: &'a str,
    pub params_hash: &'a str,
    pub rule: &'a ApprovalRule,
    /// Who runs the playbook: they may not approve it, with any of their keys, unless the policy allows
    /// self-approval.
    pub runner_key: &'a str,
    /// The ids of the live targets the step would touch: each must be one the decision approved.
    pub targets: &'a [String],
}

/// The check a decision failed, named as refusals name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Signature,
    Role,
    Parameters,
    PlanHash,
    Step,
    Run,
    Targets,
    Expiry,
    SelfApproval,
    Policy,
    Removed,
    Unreadable,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Signature => "signature",
            Check::Role => "signer's role",
            Check::Parameters => "parameters",
            Check::PlanHash => "plan hash",
            Check::Step => "step",
            Check::Run => "run",
            Check::Targets => "targets",
            Check::Expiry => "expiry",
            Check::SelfApproval => "self-approval",
            Check::Policy => "policy",
            Check::Removed => "removed decision",
            Check::Unreadable => "unreadable decision",
        }
    }
}

/// A decision that passed every check: who gave it, in which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub name: String,
    pub key: String,
    pub role: String,
    pub approved: bool,
    pub reason: Option<String>,
}

/// Where the decisions on one step stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Approved {
        by: Vec<Valid>,
    },
    Rejected {
        by: Valid,
    },
    /// A decision failed a check: the step does not run.
    Refused {
        check: Check,
        detail: String,
    },
    Pending {
        have: usize,
        need: u64,
    },
}

/// Checks one decision; the first failed check is the answer.
pub fn verify_one(
    decision: &SignedDecision,
    expected: &Expected<'_>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Valid, (Check, String)> {
    let payload = &decision.decision;
    let signer = &payload.signer;
    decision
        .verify_signature()
        .map_err(|why| (Check::Signature, format!("the decision signed as {}: {why}", signer.name)))?;
    let name = policy.member_name(&signer.key).unwrap_or(&signer.name).to_string();
    let roles = policy.roles_of(&signer.key);
    let role = roles.iter().find(|role| expected.rule.from.contains(&role.name)).ok_or_else(|| {
        let held = if roles.is_empty() {
            "no role in the policy".to_string()
        } else {
            roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
        };
        (Check::Role, format!("{name} holds {held}; this step needs approval from {}", expected.rule.from.join(" or ")))
    })?;
    if payload.params_hash != expected.params_hash {
        return Err((Check::Parameters, format!("{name} approved other parameter values than this run's")));
    }
    if payload.plan_hash != expected.plan_hash {
        return Err((
            Check::PlanHash,
            format!(
                "{name} approved plan {}, this run's plan is {}",
                short(&payload.plan_hash),
                short(expected.plan_hash)
            ),
        ));
    }
    if payload.step != expected.step {
        return Err((Check::Step, format!("{name} decided on step `{}`, not `{}`", payload.step, expected.step)));
    }
    if payload.run_id != expected.run_id {
        return Err((Check::Run, format!("{name} decided for run {}, not {}", payload.run_id, expected.run_id)));
    }
    if let Some(other) = expected.targets.iter().find(|id| !payload.targets.contains(id)) {
        let more = expected.targets.iter().filter(|id| !payload.targets.contains(id)).count() - 1;
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        return Err((
            Check::Targets,
            format!(
                "the step would touch {other}{more}, which {name} did not approve (the decision lists {} target(s))",
                payload.targets.len()
            ),
        ));
    }
    // A decision made before decisions named their policy (empty) is judged by the checks above alone.
    if !payload.policy_sha256.is_empty() && payload.policy_sha256 != policy.sha256 {
        return Err((
            Check::Policy,
            format!(
                "{name} decided under policy {}, and this is policy {}",
                short(&payload.policy_sha256),
                short(&policy.sha256)
            ),
        ));
    }
    let signed = crate::clock::parse_stamp(&payload.signed_at);
    let expires = crate::clock::parse_stamp(&payload.expires_at);
    let validity = chrono::Duration::from_std(policy.approval_validity).unwrap_or(chrono::Duration::MAX);
    match (signed, expires) {
        (Some(signed), Some(expires)) => {
            let limit = expires.min(signed + validity);
            if now > limit {
                let at = crate::clock::stamp(limit);
                return Err((Check::Expiry, format!("the decision by {name} expired at {at}")));
            }
            if signed > now + chrono::Duration::minutes(5) {
                return Err((Check::Expiry, format!("the decision by {name} is dated in the future")));
            }
        }
        _ => return Err((Check::Expiry, format!("the decision by {name} has no valid signing or expiry time"))),
    }
    // Any key of the runner's is the runner: a second key does not make a second person.
    if !policy.self_approval && policy.same_person(&signer.key, expected.runner_key) {
        return Err((Check::SelfApproval, format!("{name} runs this playbook and may not approve it")));
    }
    Ok(Valid {
        name,
        key: signer.key.clone(),
        role: role.name.clone(),
        approved: payload.approved,
        reason: payload.reason.clone(),
    })
}

/// Where a step stands given every decision filed for it. Any decision that fails a check refuses the step; a
/// valid rejection rejects it; enough distinct people approve it; otherwise it waits.
pub fn tally(
    decisions: &[Result<SignedDecision, String>],
    expected: &Expected<'_>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Outcome {
    let mut approvers: Vec<Valid> = Vec::new();
    for decision in decisions {
        let decision = match decision {
            Ok(decision) => decision,
            Err(why) => return Outcome::Refused { check: Check::Unreadable, detail: why.clone() },
        };
        match verify_one(decision, expected, policy, now) {
            Err((check, detail)) => return Outcome::Refused { check, detail },
            Ok(valid) if !valid.approved => return Outcome::Rejected { by: valid },
            Ok(valid) => {
                // One approval per person, whichever of their keys signed.
                if !approvers.iter().any(|a| policy.same_person(&a.key, &valid.key)) {
                    approvers.push(valid);
                }
            }
        }
    }
    if approvers.len() as u64 >= expected.rule.count {
        Outcome::Approved { by: approvers }
    } else {
        Outcome::Pending { have: approvers.len(), need: expected.rule.count }
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
