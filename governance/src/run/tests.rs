//! A run's governance without the binary: a runner in no role, a plan out of scope and a tampered template are
//! refused before anything runs; a host approver that approves everything gets nothing approved that no
//! signature proves.

use std::collections::BTreeMap;
use std::sync::Arc;

use escher_compiler::plan::{Plan, RiskLevel};
use escher_compiler::{CompileOptions, NoImports, compile};
use escher_runtime::approval::{Answer, ApprovalRequest, Approver, Decision};

use super::*;
use crate::approvals::{PlaybookText, SignedDecision, check_request};
use crate::identity::Identity;
use crate::template::{Bounds, TemplatePayload};

fn alice() -> Identity {
    Identity::from_secret("alice", [1; 32])
}

fn bob() -> Identity {
    Identity::from_secret("bob", [2; 32])
}

fn mallory() -> Identity {
    Identity::from_secret("mallory", [4; 32])
}

/// Alice manages anywhere; Bob executes in us-east-1 only; a high-risk step needs one manager's approval.
fn policy() -> Arc<Policy> {
    let text = format!(
        r#"
        [roles.manager]
        run_without_approval = "high"
        members = [{{ name = "alice", key = "{}" }}]
        [roles.executor]
        run_without_approval = "low"
        members = [{{ name = "bob", key = "{}" }}]
        regions = ["us-east-1"]
        [approvals.medium]
        count = 1
        from = ["manager"]
        "#,
        alice().public_key(),
        bob().public_key()
    );
    Arc::new(crate::policy::check(&text).expect("the test policy is valid"))
}

fn source(region: &str) -> String {
    format!(
        r#"playbook tidy {{
          let vms = aws.ec2.instances(regions = ["{region}"], tags = {{ env: "dev" }}, state = "running")
          step stop = aws.ec2.stop(vms) {{ max_targets = 5 }}
        }}"#
    )
}

/// `tidy` compiled as bob's run compiles it, under his risk policy.
fn plan(region: &str) -> Plan {
    let mut options = CompileOptions::plan(&NoImports, BTreeMap::new());
    options.policy = policy().risk_policy(Some(&bob().public_key()));
    let compilation = compile("tidy.esc", &source(region), &options);
    assert!(!compilation.has_errors(), "{:?}", compilation.diagnostics);
    compilation.plan.expect("a plan")
}

/// Bob's run's approver, with `host` as its host's, filing requests about `tidy` in us-east-1.
fn bobs_approver(bob: &RunGovernance, host: Arc<dyn Approver>) -> Arc<dyn Approver> {
    let playbook = PlaybookText { file: "tidy.esc".into(), source: source("us-east-1"), imports: Vec::new() };
    bob.approver(host, bob.requester(Arc::new(self::bob()), playbook).expect("bob's own identity"))
}

fn governance(runner: &Identity, dir: &std::path::Path, template: Option<&str>) -> Result<RunGovernance, Refusal> {
    RunGovernance::new(policy(), runner.principal(), ApprovalsDir::new(dir), template)
}

#[test]
fn a_runner_in_no_role_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("a directory");
    let refused = governance(&mallory(), dir.path(), None).err().expect("mallory is in no role");
    assert!(matches!(refused, Refusal::NoRole { ref name, .. } if name == "mallory"), "{refused}");
    assert_eq!(refused.audit_kind(), "policy.refused");
}

#[test]
fn the_runner_is_recorded_by_the_name_the_policy_gives_their_key() {
    let dir = tempfile::tempdir().expect("a directory");
    let renamed = Identity::from_secret("bobby-laptop", [2; 32]);
    let mut run = governance(&renamed, dir.path(), None).expect("bob's key is an executor's");
    assert_eq!(run.who(), ("bob".to_string(), "ungoverned".to_string()), "no pinned root vouches for the policy");
    run.vouched = true;
    assert_eq!(run.who(), ("bob".to_string(), "executor".to_string()));
}

#[test]
fn a_plan_outside_every_role_scope_is_refused_and_one_inside_passes() {
    let dir = tempfile::tempdir().expect("a directory");
    let bob = governance(&bob(), dir.path(), None).expect("bob is an executor");
    assert_eq!(bob.check_plan(&plan("us-east-1")), Ok(None));
    let refused = bob.check_plan(&plan("eu-west-1")).expect_err("eu-west-1 is outside bob's scope");
    assert_eq!(
        refused.to_string(),
        "step `vms`: the policy does not let executor touch it: region `eu-west-1` is not among the allowed \
         regions: us-east-1"
    );
    let alice = governance(&alice(), dir.path(), None).expect("alice is a manager");
    assert_eq!(alice.check_plan(&plan("eu-west-1")), Ok(None), "the manager's role is unrestricted");
}

/// Alice's template `tidy`, revision 1, published in `dir`.
fn publish_tidy(
    dir: &std::path::Path,
    expires_at: Option<&str>,
) -> (crate::template::SignedTemplate, std::path::PathBuf) {
    let payload = TemplatePayload {
        version: 1,
        name: "tidy".into(),
        revision: 1,
        file: "tidy.esc".into(),
        source: "playbook tidy {}".into(),
        imports: Vec::new(),
        bounds: Bounds { max_targets: Some(5), ..Bounds::default() },
        publisher: alice().principal(),
        published_at: "2026-12-06T00:00:00Z".into(),
        expires_at: expires_at.map(str::to_string),
    };
    let signed = crate::template::SignedTemplate::sign(&alice(), payload).expect("signs");
    let path = crate::template::publish(&ApprovalsDir::new(dir), &signed).expect("published");
    (signed, path)
}

/// A revocation counts only when it is signed by someone who may publish templates and names the very
/// publication; a file anyone wrote does not withdraw a template, and a valid one does.
#[test]
fn only_a_publishers_revocation_of_that_publication_withdraws_a_template() {
    use crate::template::{SignedRevocation, revoke};
    let dir = tempfile::tempdir().expect("a directory");
    let (signed, _) = publish_tidy(dir.path(), None);
    let approvals = ApprovalsDir::new(dir.path());
    let now = chrono::Utc::now();

    let by_executor = SignedRevocation::sign(&bob(), &signed, "mine", now).expect("signs");
    let mut of_another = signed.clone();
    of_another.signature = "00".repeat(64);
    let of_another = SignedRevocation::sign(&alice(), &of_another, "another publication", now).expect("signs");
    let mut forged = SignedRevocation::sign(&alice(), &signed, "forged", now).expect("signs");
    forged.revocation.reason = "edited after signing".into();
    for (name, revocation) in [("bob", by_executor), ("another", of_another), ("forged", forged)] {
        let file = approvals.revocations_dir().join(format!("{name}.json"));
        std::fs::create_dir_all(approvals.revocations_dir()).expect("a directory");
        std::fs::write(file, serde_json::to_vec(&revocation).expect("serializes")).expect("written");
    }
    assert!(governance(&bob(), dir.path(), Some("tidy")).is_ok(), "none of those counts");

    // A file planted where the revocation would be named by the template alone blocks nothing.
    std::fs::write(approvals.revocations_dir().join("tidy@1.json"), b"{}").expect("planted");
    revoke(&approvals, &SignedRevocation::sign(&alice(), &signed, "superseded", now).expect("signs")).expect("filed");
    let refused = governance(&bob(), dir.path(), Some("tidy")).err().expect("revoked");
    assert!(refused.to_string().contains("was revoked by alice") && refused.to_string().contains("superseded"));
    assert_eq!(refused.audit_kind(), "template.refused");
}

#[test]
fn a_template_past_its_expiry_is_refused() {
    let dir = tempfile::tempdir().expect("a directory");
    publish_tidy(dir.path(), Some("2026-01-01T00:00:00Z"));
    let refused = governance(&bob(), dir.path(), Some("tidy")).err().expect("expired");
    assert!(refused.to_string().contains("expired at 2026-01-01T00:00:00Z"), "{refused}");
    let later = tempfile::tempdir().expect("a directory");
    publish_tidy(later.path(), Some("2999-01-01T00:00:00Z"));
    assert!(governance(&bob(), later.path(), Some("tidy")).is_ok(), "not yet expired");
}

#[test]
fn a_template_edited_after_it_was_signed_is_refused() {
    let dir = tempfile::tempdir().expect("a directory");
    let (_, path) = publish_tidy(dir.path(), None);
    let verified = governance(&bob(), dir.path(), Some("tidy")).expect("the template verifies");
    assert!(verified.template.is_some());

    let text = std::fs::read_to_string(&path).expect("the template file");
    std::fs::write(&path, text.replace("\"max_targets\": 5", "\"max_targets\": 500")).expect("tampered");
    let refused = governance(&bob(), dir.path(), Some("tidy")).err().expect("tampered");
    assert!(refused.to_string().contains("signature"), "{refused}");
    assert_eq!(refused.audit_kind(), "template.refused");
}

/// A host approver that says yes to everything.
struct YesToEverything;

#[async_trait::async_trait]
impl Approver for YesToEverything {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        Decision {
            approved: true,
            by: "the host's dialog".into(),
            role: request.required.role.clone(),
            reason: None,
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        }
    }
}

fn request(plan: &Plan) -> ApprovalRequest {
    let node = plan.nodes.iter().find(|node| node.id == "stop").expect("the stop step");
    assert_eq!(node.risk.level, RiskLevel::Medium, "bob's policy asks a manager's approval for it");
    ApprovalRequest::for_step("run-1", plan, node, node.approval.as_ref().expect("it needs approval"), Vec::new())
}

#[tokio::test]
async fn a_host_approver_that_approves_everything_gets_nothing_no_signature_proves() {
    let dir = tempfile::tempdir().expect("a directory");
    let bob = governance(&bob(), dir.path(), None).expect("bob is an executor");
    let approver = bobs_approver(&bob, Arc::new(YesToEverything));
    let plan = plan("us-east-1");
    let request = request(&plan);
    let Answer::Decided(refused) = approver.answer(&request).await else { panic!("a decision") };
    assert!(!refused.approved, "approved without a signature: {refused:?}");
    let reason = refused.reason.unwrap_or_default();
    assert!(reason.contains("the host's dialog approved step `stop`, but no signed approval verifies"), "{reason}");

    // Alice, a manager, signs: now it is approved, by her.
    let filed = bob.approvals.latest_request("run-1", "stop").expect("the request was filed");
    let filed = check_request(&filed, &bob.policy).expect("the request checks");
    let now = chrono::Utc::now();
    let validity = std::time::Duration::from_secs(3600);
    let hers = SignedDecision::sign(&alice(), &filed, true, None, now, validity).expect("signs");
    bob.approvals.write_decision(&hers).expect("filed");
    let Answer::Decided(approved) = approver.answer(&request).await else { panic!("a decision") };
    assert!(approved.approved && approved.by.contains("alice"), "{approved:?}");
}

/// The runner signing their own step proves nothing: self-approval is banned, and an executor may not approve
/// what needs a manager.
#[tokio::test]
async fn the_runners_own_signature_does_not_approve_the_step() {
    let dir = tempfile::tempdir().expect("a directory");
    let bob = governance(&bob(), dir.path(), None).expect("bob is an executor");
    let approver = bobs_approver(&bob, Arc::new(YesToEverything));
    let plan = plan("us-east-1");
    let request = request(&plan);
    let _ = approver.answer(&request).await;
    let filed = bob.approvals.latest_request("run-1", "stop").expect("the request was filed");
    let filed = check_request(&filed, &bob.policy).expect("the request checks");
    let validity = std::time::Duration::from_secs(3600);
    let own = SignedDecision::sign(&self::bob(), &filed, true, None, chrono::Utc::now(), validity).expect("signs");
    bob.approvals.write_decision(&own).expect("filed");
    let Answer::Decided(refused) = approver.answer(&request).await else { panic!("a decision") };
    assert!(!refused.approved, "bob approved his own step: {refused:?}");
    assert!(refused.reason.unwrap_or_default().contains("bob holds executor"));
}
