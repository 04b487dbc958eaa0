//! The proof journaled with an approval: the signed decisions that approved the step. A run that resumes shows
//! it to its approver again, which checks it as it checked the decisions when they came, so a journal record
//! added or edited by hand approves nothing.

use serde_json::{Value, json};

use super::decision::SignedDecision;
use super::verify::{Expected, Outcome, tally};
use crate::clock::parse_stamp;
use crate::policy::Policy;

/// The proof of an approval given by `decisions`.
pub fn signed_proof(decisions: &[SignedDecision]) -> Value {
    json!({ "signed": decisions })
}

/// Whether `proof` still proves the step `expected` describes approved under `policy`: every decision in it
/// verifies (signature, signer's role, plan hash, parameters, step, no self-approval where banned) and together
/// they meet the rule's M of N, by people. They are judged as of when the last of them was signed, the moment the
/// step became approved, so a decision that expired since then still counts.
pub fn check_signed_proof(proof: Option<&Value>, expected: &Expected<'_>, policy: &Policy) -> Result<(), String> {
    let signed = proof.and_then(|proof| proof.get("signed")).ok_or("no signed approval was recorded with it")?;
    let decisions: Vec<SignedDecision> = serde_json::from_value(signed.clone())
        .map_err(|error| format!("its signed approvals cannot be read: {error}"))?;
    let approved_at = decisions
        .iter()
        .map(|decision| parse_stamp(&decision.decision.signed_at))
        .collect::<Option<Vec<_>>>()
        .and_then(|times| times.into_iter().max())
        .ok_or("its signed approvals carry no time they were signed")?;
    let decisions: Vec<Result<SignedDecision, String>> = decisions.into_iter().map(Ok).collect();
    match tally(&decisions, expected, policy, approved_at) {
        Outcome::Approved { .. } => Ok(()),
        Outcome::Pending { have, need } => Err(format!("it holds {have} of the {need} signed approval(s) needed")),
        Outcome::Rejected { by } => Err(format!("it holds a rejection by {}", by.name)),
        Outcome::Refused { check, detail } => Err(format!("{}: {detail}", check.as_str())),
    }
}
