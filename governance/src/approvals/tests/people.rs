//! One person, one vote, scripted as the attacker would: alice signs with a second key to approve her own run,
//! or to meet a two-manager rule alone. Approvals count people, and self-approval is any of the runner's keys.

use std::sync::Arc;

use escher_runtime::approval::{Answer, Approver};

use super::*;
use crate::clock::FixedClock;
use crate::policy::{Member, PolicyError};

/// Alice's second key, on her laptop; its key file calls itself something else, which changes nothing.
fn alice_laptop() -> Identity {
    Identity::from_secret("alice-laptop", [5; 32])
}

/// Managers: alice, listed once with both her keys, and bob. Carol executes. `count` managers approve high risk.
fn two_keys_policy(count: u64, self_approval: bool) -> Policy {
    let (alice, bob, carol, _) = people();
    let text = format!(
        r#"
        self_approval = {self_approval}
        approval_validity = "1h"
        [roles.manager]
        run_without_approval = "high"
        members = [{{ name = "alice", keys = ["{}", "{}"] }}, {{ name = "bob", key = "{}" }}]
        [roles.executor]
        members = [{{ name = "carol", key = "{}" }}]
        [approvals.high]
        count = {count}
        from = ["manager"]
        "#,
        alice.public_key(),
        alice_laptop().public_key(),
        bob.public_key(),
        carol.public_key()
    );
    crate::policy::check(&text).expect("a person with two keys is a valid policy")
}

/// The same people with alice as two entries, one key each, as a policy the check was not asked about.
fn two_entries(mut policy: Policy) -> Policy {
    let manager = policy.roles.get_mut("manager").expect("managers");
    let alice = manager.members.remove(0);
    let split = alice.keys.iter().map(|key| Member { name: alice.name.clone(), keys: vec![key.clone()] });
    manager.members.splice(0..0, split);
    policy
}

/// Where a high-risk step run by `runner` stands with these decisions.
fn standing(decisions: &[SignedDecision], policy: &Policy, runner: &Identity) -> Outcome {
    let rule = policy.rule_for(escher_compiler::plan::RiskLevel::High, "manager");
    let (plan_hash, params, runner_key) = ("a".repeat(64), params_hash(&BTreeMap::new()), runner.public_key());
    let expected = Expected {
        run_id: "run-1",
        step: "stop",
        plan_hash: &plan_hash,
        params_hash: &params,
        rule: &rule,
        runner_key: &runner_key,
        targets: &[],
    };
    let decisions: Vec<_> = decisions.iter().cloned().map(Ok).collect();
    tally(&decisions, &expected, policy, t0())
}

fn approvers(outcome: &Outcome) -> Vec<&str> {
    match outcome {
        Outcome::Approved { by } => by.iter().map(|valid| valid.name.as_str()).collect(),
        other => panic!("not approved: {other:?}"),
    }
}

#[test]
fn alice_approving_her_own_run_with_her_second_key_is_self_approval() {
    let (alice, ..) = people();
    let laptop = alice_laptop();
    let policy = two_keys_policy(1, false);
    let from_desk = request(&alice);
    let from_laptop = request(&laptop);
    let approve = |signer: &Identity, asked: &CheckedRequest, runner: &Identity, policy: &Policy| {
        check(&sign(signer, asked, true), asked, policy, runner, t0())
    };
    assert_eq!(approve(&laptop, &from_desk, &alice, &policy), Err(Check::SelfApproval));
    assert_eq!(approve(&alice, &from_laptop, &laptop, &policy), Err(Check::SelfApproval));
    let split = two_entries(policy);
    assert_eq!(approve(&laptop, &from_desk, &alice, &split), Err(Check::SelfApproval), "two entries, one person");

    let allowed = two_keys_policy(1, true);
    let valid = approve(&laptop, &from_desk, &alice, &allowed).expect("self-approval is allowed");
    assert_eq!(valid.name, "alice", "the decision names the person, not the key file");
}

#[test]
fn two_keys_of_one_person_are_one_approval_until_bob_approves_too() {
    let (alice, bob, carol, _) = people();
    let policy = two_keys_policy(2, false);
    let request = request(&carol);
    let alone = [sign(&alice, &request, true), sign(&alice_laptop(), &request, true)];
    assert_eq!(standing(&alone, &policy, &carol), Outcome::Pending { have: 1, need: 2 });
    assert_eq!(standing(&alone, &two_entries(policy.clone()), &carol), Outcome::Pending { have: 1, need: 2 });

    let with_bob = [alone[0].clone(), alone[1].clone(), sign(&bob, &request, true)];
    assert_eq!(approvers(&standing(&with_bob, &policy, &carol)), ["alice", "bob"]);
    assert_eq!(approvers(&standing(&with_bob, &two_entries(policy), &carol)), ["alice", "bob"]);
}

#[test]
fn the_policy_check_refuses_one_person_under_two_names_or_two_key_sets() {
    let (alice, bob, ..) = people();
    let (first, second, other) = (alice.public_key(), alice_laptop().public_key(), bob.public_key());
    let codes = |text: String| -> Vec<&'static str> {
        crate::policy::check(&text).expect_err(&text).iter().map(PolicyError::code).collect()
    };
    let twice_in_a_role = format!(
        r#"[roles.manager]
        members = [{{ name = "alice", key = "{first}" }}, {{ name = "alice", key = "{second}" }}, {{ name = "bob", key = "{other}" }}]"#
    );
    assert_eq!(codes(twice_in_a_role), ["P0111"]);
    let other_keys_in_another_role = format!(
        r#"[roles.executor]
        members = [{{ name = "alice", key = "{first}" }}]
        [roles.manager]
        members = [{{ name = "alice", key = "{second}" }}]"#
    );
    assert_eq!(codes(other_keys_in_another_role), ["P0111"]);
    let a_key_under_two_names = format!(
        r#"[roles.executor]
        members = [{{ name = "alice", key = "{first}" }}]
        [roles.manager]
        members = [{{ name = "alice-laptop", key = "{first}" }}]"#
    );
    assert_eq!(codes(a_key_under_two_names), ["P0112"]);
    let same_keys_in_two_roles = format!(
        r#"[roles.executor]
        members = [{{ name = "alice", keys = ["{second}", "{first}"] }}]
        [roles.manager]
        members = [{{ name = "alice", keys = ["{first}", "{second}"] }}]"#
    );
    assert!(crate::policy::check(&same_keys_in_two_roles).is_ok(), "one person in two roles, keys in any order");
}

#[tokio::test]
async fn the_run_records_each_approving_person_once_by_their_policy_name() {
    let (alice, bob, carol, _) = people();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ApprovalsDir::new(dir.path());
    let policy = two_keys_policy(2, false);
    let asked = super::asked::asked(&super::asked::plan(&carol, &policy, "dev"), &[]);
    let approver = FilesApprover {
        dir: store.clone(),
        policy: Arc::new(policy.clone()),
        requester: super::asked::requester(carol),
        roles_vouched: true,
        clock: Arc::new(FixedClock(t0())),
        wait: std::time::Duration::ZERO,
        poll: std::time::Duration::from_millis(10),
        notice: None,
        refresh: None,
    };
    approver.answer(&asked).await;
    let filed = store.latest_request("run-1", "stop").expect("a request is filed");
    let filed = check_request(&filed, &policy).expect("the request checks");
    for signer in [alice, alice_laptop()] {
        store.write_decision(&sign(&signer, &filed, true)).expect("each key files its own decision");
    }
    let answer = approver.answer(&asked).await;
    assert!(matches!(&answer, Answer::Pending { reason } if reason.contains("1 of 2")), "{answer:?}");

    store.write_decision(&sign(&bob, &filed, true)).expect("filed");
    let answer = approver.answer(&asked).await;
    assert!(matches!(&answer, Answer::Decided(d) if d.approved && d.by == "alice, bob"), "{answer:?}");
}
