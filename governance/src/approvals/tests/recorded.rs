//! The proof journaled with an approval, checked again on resume as an attacker who can write the journal would
//! meet it: missing, short of the rule's M of N, for another step, edited after signing, or genuine but expired
//! since (which still counts: it was valid when the step was approved).

use super::*;

/// What the run expects of the decisions for step `stop` of `run-1`, run by `runner`, under a rule of `count`.
fn holds(proof: Option<&serde_json::Value>, count: u64, runner: &Identity) -> Result<(), String> {
    let policy = policy(count);
    let rule = policy.rule_for(escher_compiler::plan::RiskLevel::High, "manager");
    let (plan_hash, params_hash) = ("a".repeat(64), params_hash(&BTreeMap::new()));
    let expected = Expected {
        run_id: "run-1",
        step: "stop",
        plan_hash: &plan_hash,
        params_hash: &params_hash,
        rule: &rule,
        runner_key: &runner.public_key(),
        targets: &[],
    };
    check_signed_proof(proof, &expected, &policy)
}

#[test]
fn the_signed_decisions_that_approved_a_step_prove_it_again_and_nothing_else_does() {
    let (alice, bob, carol, mallory) = people();
    let request = request(&bob);
    let (by_alice, by_carol) = (sign(&alice, &request, true), sign(&carol, &request, true));

    assert_eq!(holds(Some(&signed_proof(std::slice::from_ref(&by_alice))), 1, &bob), Ok(()));
    assert_eq!(holds(Some(&signed_proof(&[by_alice.clone(), by_carol])), 2, &bob), Ok(()));
    // Signed an hour and more ago, so expired by now: it was valid when the step was approved.
    assert!(by_alice.decision.expires_at.as_str() < crate::clock::stamp(chrono::Utc::now()).as_str());

    let refused =
        |proof: Option<serde_json::Value>, count: u64| holds(proof.as_ref(), count, &bob).expect_err("refused");
    assert!(refused(None, 1).contains("no signed approval"));
    assert!(refused(Some(serde_json::json!({ "by": "alice (manager)" })), 1).contains("no signed approval"));
    assert!(refused(Some(signed_proof(std::slice::from_ref(&by_alice))), 2).contains("1 of the 2"));
    let mut edited = by_alice.clone();
    edited.decision.plan_hash = "b".repeat(64);
    assert!(refused(Some(signed_proof(&[edited])), 1).contains("signature"));
    let mut other_step = request.clone();
    other_step.step = "terminate".into();
    assert!(!refused(Some(signed_proof(&[sign(&alice, &other_step, true)])), 1).is_empty());
    assert!(!refused(Some(signed_proof(&[sign(&mallory, &request, true)])), 1).is_empty());
    assert!(refused(Some(signed_proof(&[sign(&alice, &request, false)])), 1).contains("rejection"));
}
