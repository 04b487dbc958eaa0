//! A host's governed run through the engine, on the simulated estate: whatever approver the host plugs in, a
//! step that needs a manager runs only once a manager's signed approval verifies; a run waiting for one
//! suspends and resumes where it stopped.

use std::collections::BTreeMap;
use std::sync::Arc;

use escher_compiler::NoImports;
use escher_engine::{Engine, Launch, Playbook, Prepared, ProviderChoice};
use escher_governance::approvals::{ApprovalsDir, SignedDecision, check_request};
use escher_governance::identity::Identity;
use escher_governance::run::RunGovernance;
use escher_runtime::approval::{Answer, ApprovalRequest, Approver, Decision};
use escher_runtime::events::{RunStatus, StepStatus};

const PLAYBOOK: &str = r#"
playbook stop_dev {
  let dev = aws.ec2.instances(regions = ["us-east-1", "eu-west-1"], tags = { env: "dev" }, state = "running")
  step stop = aws.ec2.stop(dev) { max_targets = 10 }
}
"#;

fn alice() -> Identity {
    Identity::from_secret("alice", [1; 32])
}

fn bob() -> Identity {
    Identity::from_secret("bob", [2; 32])
}

/// Alice manages; Bob executes and may run only low-risk steps unattended; a manager approves the rest.
fn governance(approvals: &std::path::Path) -> RunGovernance {
    let text = format!(
        r#"
        [roles.manager]
        run_without_approval = "high"
        members = [{{ name = "alice", key = "{}" }}]
        [roles.executor]
        run_without_approval = "low"
        members = [{{ name = "bob", key = "{}" }}]
        [approvals.medium]
        count = 1
        from = ["manager"]
        "#,
        alice().public_key(),
        bob().public_key()
    );
    let policy = escher_governance::policy::check(&text).expect("a valid policy");
    RunGovernance::new(Arc::new(policy), bob().principal(), ApprovalsDir::new(approvals), None).expect("bob has a role")
}

/// The host's approver: it says yes to everything, or that the answer is not in yet.
struct Host {
    approves: bool,
}

#[async_trait::async_trait]
impl Approver for Host {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        Decision {
            approved: self.approves,
            by: "the host".into(),
            role: request.required.role.clone(),
            reason: None,
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        }
    }

    async fn answer(&self, request: &ApprovalRequest) -> Answer {
        match self.approves {
            true => Answer::Decided(self.decide(request).await),
            false => Answer::Pending { reason: "asked the manager".into() },
        }
    }
}

fn engine(state: &std::path::Path, host: Host) -> Engine {
    Engine::builder()
        .state_dir(state)
        .governance(governance(&state.join("approvals")))
        .approver(Arc::new(host))
        .runner_identity(bob())
        .build()
        .expect("an engine")
}

fn prepared(engine: &Engine) -> Prepared {
    let playbook = Playbook::Source { name: "stop_dev.esc", text: PLAYBOOK };
    let prepared = engine.prepare(playbook, BTreeMap::new(), &NoImports).expect("governance loads");
    assert!(prepared.plan().is_some(), "{:?}", prepared.compilation.diagnostics);
    prepared
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_approver_that_approves_everything_does_not_get_a_step_run() {
    let state = tempfile::tempdir().expect("a state directory");
    let engine = engine(state.path(), Host { approves: true });
    let started =
        engine.start(prepared(&engine), &[ProviderChoice::new("sim")], Launch::default()).await.expect("it starts");
    let report = started.finish().await.report.expect("a report");
    let stop = report.steps.iter().find(|step| step.node == "stop").expect("the stop step");
    assert_ne!(stop.status, StepStatus::Succeeded, "{report:?}");
    assert!(stop.changed.is_empty(), "stopped without a signed approval: {:?}", stop.changed);
    let audit = std::fs::read_to_string(state.path().join("audit").join("audit.jsonl")).expect("the audit log");
    assert!(audit.contains("no signed approval verifies"), "the refusal is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_waiting_for_a_manager_suspends_and_resumes_once_she_signs() {
    let state = tempfile::tempdir().expect("a state directory");
    let estate = state.path().join("estate.json");
    let sim = ProviderChoice::new("sim").option("estate_out", estate.to_string_lossy());
    let engine = engine(state.path(), Host { approves: false });
    let started = engine.start(prepared(&engine), std::slice::from_ref(&sim), Launch::default()).await.expect("starts");
    let run_id = started.run_id.clone();
    let report = started.finish().await.report.expect("a report");
    assert_eq!(report.status, RunStatus::WaitingForApproval, "{report:?}");

    let approvals = ApprovalsDir::new(state.path().join("approvals"));
    let request = approvals.latest_request(&run_id, "stop").expect("the engine filed a request");
    // Alice decides on what the request commits to: its playbook compiled again under her policy.
    let policy = governance(&state.path().join("approvals")).policy;
    let request = check_request(&request, &policy).expect("the request bob's run signed checks");
    let validity = std::time::Duration::from_secs(3600);
    let signed = SignedDecision::sign(&alice(), &request, true, None, chrono::Utc::now(), validity).expect("signs");
    approvals.write_decision(&signed).expect("filed");

    let resumed = engine.resume(&run_id).await.expect("it resumes on the recorded providers");
    let report = resumed.finish().await.report.expect("a report");
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    let stop = report.steps.iter().find(|step| step.node == "stop").expect("the stop step");
    assert!(!stop.changed.is_empty(), "{report:?}");
    let saved = escher_sim::Sim::from_file(&estate).expect("the estate the run left");
    for id in &stop.changed {
        let resource = saved.resource(id).expect("the stopped instance");
        let escher_compiler::plan::Value::Record(fields) = resource else { panic!("a record") };
        assert_eq!(fields.get("state"), Some(&escher_compiler::plan::Value::String("stopped".into())));
    }
}

/// A governed run's approval requests carry its playbook for approvers to compile again, so a bare plan does not
/// start one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_governed_run_does_not_start_from_a_plan_without_its_playbook() {
    let state = tempfile::tempdir().expect("a state directory");
    let engine = engine(state.path(), Host { approves: false });
    let plan = prepared(&engine).plan().cloned().expect("a plan");
    let refused = engine.run(plan, &[ProviderChoice::new("sim")], Launch::default()).await.err().expect("refused");
    assert!(matches!(refused, escher_engine::EngineError::NeedsPlaybook), "{refused}");
    assert!(!state.path().join("runs").exists(), "nothing was recorded");
}
