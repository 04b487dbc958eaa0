//! An approver decides on what a request commits to, scripted as the runner who wants a manager to sign for
//! staging while she is shown dev: the request edited after he signed it, signed again with other parameters or
//! another playbook, signed by someone the policy does not list, or listing fewer targets than the step touches.

use super::asked::{asked, plan, playbook};
use super::*;

/// Bob's request for step `stop` of `STOP_DEV` run with `env`, touching `targets`, as his run files it.
fn filed(env: &str, targets: &[&str]) -> SignedRequest {
    let (_, bob, _, _) = people();
    let policy = policy(1);
    let request =
        RequestFile::new(&asked(&plan(&bob, &policy, env), targets), &playbook(), bob.principal(), t0(), &policy);
    SignedRequest::sign(&bob, request).expect("signs")
}

#[test]
fn a_request_that_checks_is_described_by_its_recompiled_plan() {
    let checked = check_request(&filed("staging", &["i-s1", "i-s2"]), &policy(1)).expect("it checks");
    assert_eq!(checked.params.get("env"), Some(&escher_compiler::plan::Value::String("staging".into())));
    assert_eq!((checked.action.as_str(), checked.required_role.as_str()), ("aws.ec2.stop", "manager"));
    assert_eq!((checked.rule.count, checked.requested_by.name.as_str()), (1, "bob"));
    assert_eq!(checked.target_ids(), ["i-s1", "i-s2"]);
}

#[test]
fn a_request_edited_after_the_runner_signed_it_is_not_decided_on() {
    let mut edited = filed("staging", &["i-s1"]);
    edited.request.params.insert("env".into(), escher_compiler::plan::Value::String("dev".into()));
    edited.request.params_hash = params_hash(&edited.request.params);
    let why = check_request(&edited, &policy(1)).expect_err("edited");
    assert!(why.contains("signature does not verify"), "{why}");
}

#[test]
fn a_request_signed_again_with_parameters_its_plan_was_not_compiled_with_is_not_decided_on() {
    let (_, bob, _, _) = people();
    let staging = filed("staging", &["i-s1"]);
    let mut shown_dev = staging.request.clone();
    shown_dev.params.insert("env".into(), escher_compiler::plan::Value::String("dev".into()));
    shown_dev.params_hash = params_hash(&shown_dev.params);
    let why = check_request(&SignedRequest::sign(&bob, shown_dev).expect("signs"), &policy(1)).expect_err("refused");
    assert!(why.contains("compiles with its parameters to plan"), "{why}");

    let mut other_text = staging.request.clone();
    other_text.playbook.source = other_text.playbook.source.replace("max_targets = 10", "max_targets = 3");
    let why = check_request(&SignedRequest::sign(&bob, other_text).expect("signs"), &policy(1)).expect_err("refused");
    assert!(why.contains("compiles with its parameters to plan"), "{why}");

    let mut no_text = staging.request;
    no_text.playbook.source.clear();
    let why = check_request(&SignedRequest::sign(&bob, no_text).expect("signs"), &policy(1)).expect_err("refused");
    assert!(why.contains("no playbook text"), "{why}");
}

#[test]
fn a_request_signed_by_someone_the_policy_does_not_list_is_not_decided_on() {
    let (_, _, _, mallory) = people();
    let mut request = filed("dev", &[]).request;
    request.requested_by = mallory.principal();
    let why = check_request(&SignedRequest::sign(&mallory, request).expect("signs"), &policy(1)).expect_err("refused");
    assert!(why.contains("does not list"), "{why}");
}

#[test]
fn a_decision_approves_only_the_targets_its_request_listed() {
    let (alice, bob, _, _) = people();
    let policy = policy(1);
    let checked = check_request(&filed("dev", &["i-d1"]), &policy).expect("it checks");
    let decision =
        SignedDecision::sign(&alice, &checked, true, None, t0(), std::time::Duration::from_secs(3600)).expect("signs");
    let runner = bob.public_key();
    let verify = |live: &[String]| {
        let expected = Expected {
            run_id: "run-1",
            step: "stop",
            plan_hash: &checked.plan_hash,
            params_hash: &checked.params_hash,
            rule: &checked.rule,
            runner_key: &runner,
            targets: live,
        };
        verify_one(&decision, &expected, &policy, t0()).map(|_| ())
    };
    assert_eq!(verify(&[]), Ok(()));
    assert_eq!(verify(&["i-d1".to_string()]), Ok(()));
    let (check, detail) = verify(&["i-d1".to_string(), "i-staging".to_string()]).expect_err("refused");
    assert_eq!(check, Check::Targets);
    assert!(detail.contains("i-staging") && detail.contains("alice did not approve"), "{detail}");
}
