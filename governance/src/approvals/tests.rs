//! Signing and verifying decisions: every check on its own, M of N, expiry on a fixed clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::identity::Identity;
use crate::policy::{ApprovalRule, Policy};

fn people() -> (Identity, Identity, Identity, Identity) {
    (
        Identity::from_secret("alice", [1; 32]),
        Identity::from_secret("bob", [2; 32]),
        Identity::from_secret("carol", [3; 32]),
        Identity::from_secret("mallory", [4; 32]),
    )
}

fn policy(count: u64) -> Policy {
    let (alice, bob, carol, _) = people();
    let text = format!(
        r#"
        approval_validity = "1h"
        [roles.manager]
        run_without_approval = "high"
        members = [{{ name = "alice", key = "{}" }}, {{ name = "carol", key = "{}" }}]
        [roles.executor]
        run_without_approval = "medium"
        members = [{{ name = "bob", key = "{}" }}]
        [approvals.high]
        count = {count}
        from = ["manager"]
        "#,
        alice.public_key(),
        carol.public_key(),
        bob.public_key()
    );
    crate::policy::check(&text).expect("the test policy is valid")
}

fn t0() -> DateTime<Utc> {
    crate::clock::parse_stamp("2026-01-01T10:00:00Z").expect("time")
}

/// What an approver decides on, as checking a request gives it.
fn request(runner: &Identity) -> CheckedRequest {
    CheckedRequest {
        run_id: "run-1".into(),
        step: "stop".into(),
        playbook: "stop_dev".into(),
        file: "stop_dev.esc".into(),
        plan_hash: "a".repeat(64),
        params: BTreeMap::new(),
        params_hash: params_hash(&BTreeMap::new()),
        docs: String::new(),
        action: "aws.ec2.stop".into(),
        effect: "mutate".into(),
        risk: escher_compiler::plan::RiskLevel::High,
        reasons: Vec::new(),
        required_role: "manager".into(),
        irreversible: false,
        rule: ApprovalRule { count: 1, from: vec!["manager".into()] },
        targets: Vec::new(),
        requested_by: runner.principal(),
        requested_at: crate::clock::stamp(t0()),
        expires_at: crate::clock::stamp(t0() + Duration::hours(1)),
        policy_sha256: String::new(),
    }
}

fn sign(who: &Identity, request: &CheckedRequest, approved: bool) -> SignedDecision {
    SignedDecision::sign(who, request, approved, None, t0(), std::time::Duration::from_secs(3600)).expect("signs")
}

fn check(
    decision: &SignedDecision,
    request: &CheckedRequest,
    policy: &Policy,
    runner: &Identity,
    at: DateTime<Utc>,
) -> Result<Valid, Check> {
    let rule = policy.rule_for(request.risk, "manager");
    let expected = Expected {
        run_id: "run-1",
        step: "stop",
        plan_hash: &"a".repeat(64),
        params_hash: &params_hash(&BTreeMap::new()),
        rule: &rule,
        runner_key: &runner.public_key(),
        targets: &[],
    };
    verify_one(decision, &expected, policy, at).map_err(|(check, _)| check)
}

#[test]
fn a_managers_signed_approval_verifies() {
    let (alice, bob, _, _) = people();
    let request = request(&bob);
    let valid = check(&sign(&alice, &request, true), &request, &policy(1), &bob, t0()).expect("valid");
    assert_eq!((valid.name.as_str(), valid.role.as_str(), valid.approved), ("alice", "manager", true));
}

#[test]
fn each_check_refuses_what_it_guards() {
    let (alice, bob, _, mallory) = people();
    let policy = policy(1);
    let request = request(&bob);

    let mut forged = sign(&alice, &request, true);
    forged.decision.approved = true;
    forged.decision.reason = Some("edited after signing".into());
    assert_eq!(check(&forged, &request, &policy, &bob, t0()), Err(Check::Signature));

    let mut claimed = sign(&mallory, &request, true);
    claimed.decision.signer.key = alice.public_key();
    assert_eq!(check(&claimed, &request, &policy, &bob, t0()), Err(Check::Signature));

    assert_eq!(check(&sign(&bob, &request, true), &request, &policy, &bob, t0()), Err(Check::Role));
    assert_eq!(check(&sign(&mallory, &request, true), &request, &policy, &bob, t0()), Err(Check::Role));

    let mut other_params = request.clone();
    other_params.params_hash = "b".repeat(64);
    assert_eq!(check(&sign(&alice, &other_params, true), &request, &policy, &bob, t0()), Err(Check::Parameters));

    let mut other_plan = request.clone();
    other_plan.plan_hash = "c".repeat(64);
    assert_eq!(check(&sign(&alice, &other_plan, true), &request, &policy, &bob, t0()), Err(Check::PlanHash));

    let mut other_step = request.clone();
    other_step.step = "start".into();
    assert_eq!(check(&sign(&alice, &other_step, true), &request, &policy, &bob, t0()), Err(Check::Step));

    let mut other_run = request.clone();
    other_run.run_id = "run-2".into();
    assert_eq!(check(&sign(&alice, &other_run, true), &request, &policy, &bob, t0()), Err(Check::Run));

    assert_eq!(check(&sign(&alice, &request, true), &request, &policy, &alice, t0()), Err(Check::SelfApproval));
}

#[test]
fn an_approval_expires_with_the_policys_validity() {
    let (alice, bob, _, _) = people();
    let policy = policy(1);
    let request = request(&bob);
    let decision = sign(&alice, &request, true);
    assert!(check(&decision, &request, &policy, &bob, t0() + Duration::minutes(59)).is_ok());
    assert_eq!(check(&decision, &request, &policy, &bob, t0() + Duration::minutes(61)), Err(Check::Expiry));
    // A decision that claims a longer life than the policy allows still ends with the policy's validity.
    let long = SignedDecision::sign(&alice, &request, true, None, t0(), std::time::Duration::from_secs(86_400))
        .expect("signs");
    assert_eq!(check(&long, &request, &policy, &bob, t0() + Duration::hours(2)), Err(Check::Expiry));
}

#[test]
fn two_of_two_needs_two_distinct_approvers_and_any_rejection_rejects() {
    let (alice, bob, carol, _) = people();
    let policy = policy(2);
    let request = request(&bob);
    let rule = policy.rule_for(request.risk, "manager");
    let runner = bob.public_key();
    let plan_hash = "a".repeat(64);
    let params = params_hash(&BTreeMap::new());
    let expected = Expected {
        run_id: "run-1",
        step: "stop",
        plan_hash: &plan_hash,
        params_hash: &params,
        rule: &rule,
        runner_key: &runner,
        targets: &[],
    };
    let once = vec![Ok(sign(&alice, &request, true))];
    assert_eq!(tally(&once, &expected, &policy, t0()), Outcome::Pending { have: 1, need: 2 });
    let twice_by_one = vec![Ok(sign(&alice, &request, true)), Ok(sign(&alice, &request, true))];
    assert_eq!(tally(&twice_by_one, &expected, &policy, t0()), Outcome::Pending { have: 1, need: 2 });
    let both = vec![Ok(sign(&alice, &request, true)), Ok(sign(&carol, &request, true))];
    assert!(matches!(tally(&both, &expected, &policy, t0()), Outcome::Approved { by } if by.len() == 2));
    let rejected = vec![Ok(sign(&alice, &request, true)), Ok(sign(&carol, &request, false))];
    assert!(matches!(tally(&rejected, &expected, &policy, t0()), Outcome::Rejected { by } if by.name == "carol"));
    let unreadable = vec![Ok(sign(&alice, &request, true)), Err("not JSON".to_string())];
    assert!(matches!(tally(&unreadable, &expected, &policy, t0()), Outcome::Refused { check: Check::Unreadable, .. }));
}

#[test]
fn a_file_planted_where_a_decision_would_go_blocks_nothing() {
    let (alice, bob, _, _) = people();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ApprovalsDir::new(dir.path());
    let request = request(&bob);
    // Bob plants files named as alice's decision would have been named by her key alone.
    let key: String = alice.public_key().chars().take(16).collect();
    std::fs::create_dir_all(store.decisions_dir()).expect("the folder");
    for planted in [format!("run-1--stop--{key}.json"), format!("run-1--stop--{key}-0000000000000000.json")] {
        std::fs::write(store.decisions_dir().join(planted), b"{}").expect("planted");
    }
    let decision = sign(&alice, &request, true);
    let path = store.write_decision(&decision).expect("her decision is filed beside them");
    let again = store.write_decision(&decision).expect_err("the same decision is one file");
    assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
    let filed: Vec<_> = store.decisions_for("run-1", "stop").into_iter().filter(|(_, d)| d.is_ok()).collect();
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].0, path);
}

/// A real playbook compiled as the runner's run compiled it, and the request its `stop` step makes.
pub(super) mod asked {
    use std::sync::Arc;

    use escher_compiler::plan::{Plan, Value};
    use escher_compiler::{CompileOptions, MemoryLoader, ParamInput, compile};
    use escher_runtime::approval::ApprovalRequest;

    use super::*;

    pub const STOP_DEV: &str = "playbook stop_dev {
  param env: string = \"dev\"
  let vms = aws.ec2.instances(regions = [\"us-east-1\"], tags = { env: env }, state = \"running\")
  step stop = aws.ec2.stop(vms) { max_targets = 10, approve = manager }
}
";

    pub fn playbook() -> PlaybookText {
        PlaybookText { file: "stop_dev.esc".into(), source: STOP_DEV.into(), imports: Vec::new() }
    }

    /// `STOP_DEV` compiled for `runner` under `policy`, with `env` set.
    pub fn plan(runner: &Identity, policy: &Policy, env: &str) -> Plan {
        let loader = MemoryLoader::default();
        let params = [("env".to_string(), ParamInput::Value(Value::String(env.into())))].into();
        let mut options = CompileOptions::plan(&loader, params);
        options.policy = policy.risk_policy(Some(&runner.public_key()));
        let compiled = compile("stop_dev.esc", STOP_DEV, &options);
        assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics);
        compiled.plan.expect("a plan")
    }

    /// The `stop` step's approval request in run `run-1` of `plan`, touching `targets`.
    pub fn asked(plan: &Plan, targets: &[&str]) -> ApprovalRequest {
        let node = plan.nodes.iter().find(|node| node.id == "stop").expect("the stop step");
        let target = |id: &str| Value::Record([("id".to_string(), Value::String(id.into()))].into());
        let required = node.approval.as_ref().expect("the stop step needs approval");
        ApprovalRequest::for_step("run-1", plan, node, required, targets.iter().map(|id| target(id)).collect())
    }

    pub fn requester(runner: Identity) -> Arc<Requester> {
        let name = runner.name.clone();
        Arc::new(Requester::new(Arc::new(runner), &name, playbook()))
    }
}

mod approver {
    use std::sync::Arc;
    use std::time::Duration as StdDuration;

    use escher_runtime::approval::{Answer, Approver};

    use super::*;
    use crate::clock::FixedClock;

    /// Bob's run's approver.
    fn files_approver(dir: &std::path::Path, at: DateTime<Utc>) -> FilesApprover {
        FilesApprover {
            dir: ApprovalsDir::new(dir),
            policy: Arc::new(policy(1)),
            requester: asked::requester(people().1),
            roles_vouched: true,
            clock: Arc::new(FixedClock(at)),
            wait: StdDuration::ZERO,
            poll: StdDuration::from_millis(10),
            notice: None,
            refresh: None,
        }
    }

    #[tokio::test]
    async fn it_files_a_request_answers_pending_then_approves_until_the_clock_passes_the_expiry() {
        let (alice, bob, _, _) = people();
        let dir = tempfile::tempdir().expect("temp dir");
        let request = asked::asked(&asked::plan(&bob, &policy(1), "dev"), &["i-1", "i-2"]);
        let answer = files_approver(dir.path(), t0()).answer(&request).await;
        assert!(matches!(&answer, Answer::Pending { reason } if reason.contains("0 of 1")), "{answer:?}");
        let filed = ApprovalsDir::new(dir.path()).latest_request("run-1", "stop").expect("a request is filed");
        let checked = check_request(&filed, &policy(1)).expect("the filed request checks");
        assert_eq!((checked.rule.count, checked.requested_by.name.as_str()), (1, "bob"));

        let decision = sign(&alice, &checked, true);
        assert_eq!(decision.decision.targets, ["i-1", "i-2"]);
        ApprovalsDir::new(dir.path()).write_decision(&decision).expect("filed");
        let answer = files_approver(dir.path(), t0() + Duration::minutes(30)).answer(&request).await;
        assert!(matches!(&answer, Answer::Decided(d) if d.approved && d.by == "alice"), "{answer:?}");

        let answer = files_approver(dir.path(), t0() + Duration::hours(2)).answer(&request).await;
        let Answer::Decided(refused) = answer else { panic!("an expired approval is a refusal, not a wait") };
        assert!(!refused.approved);
        assert!(refused.reason.as_deref().is_some_and(|r| r.contains("expiry")), "{refused:?}");
    }
}

mod checked;

/// A rejection's reason names the rejecter's role only when a pinned root vouches for the policy giving it.
#[tokio::test]
async fn a_rejection_names_the_role_only_under_a_vouched_policy() {
    use escher_runtime::approval::{Answer, Approver};
    let (alice, bob, _, _) = people();
    let dir = tempfile::tempdir().expect("temp dir");
    let approver = |roles_vouched| FilesApprover {
        dir: ApprovalsDir::new(dir.path()),
        policy: std::sync::Arc::new(policy(1)),
        requester: asked::requester(people().1),
        roles_vouched,
        clock: std::sync::Arc::new(crate::clock::FixedClock(t0())),
        wait: std::time::Duration::ZERO,
        poll: std::time::Duration::from_millis(10),
        notice: None,
        refresh: None,
    };
    let request = asked::asked(&asked::plan(&bob, &policy(1), "dev"), &[]);
    approver(true).answer(&request).await;
    let filed = ApprovalsDir::new(dir.path()).latest_request("run-1", "stop").expect("filed");
    let checked = check_request(&filed, &policy(1)).expect("it checks");
    ApprovalsDir::new(dir.path()).write_decision(&sign(&alice, &checked, false)).expect("filed");
    for (vouched, named) in [(true, "rejected by alice (manager)"), (false, "rejected by alice (ungoverned)")] {
        let Answer::Decided(refused) = approver(vouched).answer(&request).await else { panic!("decided") };
        assert!(refused.reason.as_deref().is_some_and(|r| r.contains(named)), "{refused:?}");
    }
}
mod people;
mod recorded;

/// A decision names the policy the request says the run is governed by: under any other policy it is refused,
/// so an approver never decides under rules other than the run's, and a runner who changed his policy after
/// asking gets nothing from the approvals.
#[test]
fn a_decision_made_under_another_policy_is_refused() {
    let (alice, bob, _, _) = people();
    let mut asked = request(&bob);
    asked.policy_sha256 = policy(2).sha256;
    let decision = sign(&alice, &asked, true);
    assert_eq!(decision.decision.policy_sha256, policy(2).sha256);
    assert!(check(&decision, &asked, &policy(2), &bob, t0()).is_ok());
    assert_eq!(check(&decision, &asked, &policy(1), &bob, t0()), Err(Check::Policy));
    assert_ne!(policy(1).sha256, policy(2).sha256, "policies of different text have different hashes");
}
