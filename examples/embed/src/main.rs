//! Embedding Escher: a host program (a desktop app, a container job) runs a playbook governed by a policy on
//! the simulated estate, with an approver and an event sink of its own. The stop needs a manager's approval;
//! the host's approver cannot give it (only a signature can), so the run suspends; once the manager signs, the
//! host resumes it and the machines stop. `cargo run -p escher-example-embed` (the test command runs it).

use std::sync::Arc;
use std::time::Duration;

use escher_engine::compiler::NoImports;
use escher_engine::governance::approvals::{ApprovalsDir, SignedDecision, check_request};
use escher_engine::governance::identity::Identity;
use escher_engine::runtime::approval::{Answer, ApprovalRequest, Approver, Decision};
use escher_engine::runtime::events::{EventKind, EventSink, RunEvent, RunStatus, SinkError};
use escher_engine::state::{AttachedState, StateLocation};
use escher_engine::{Engine, GovernanceSettings, Launch, Playbook, ProviderChoice};

const PLAYBOOK: &str = r#"
playbook stop_dev {
  let dev = aws.ec2.instances(regions = ["us-east-1", "eu-west-1"], tags = { env: "dev" }, state = "running")
  step stop = aws.ec2.stop(dev) { max_targets = 10 }
}
"#;

type Outcome<T = ()> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Outcome {
    let dir = tempfile::tempdir()?;
    let state = StateLocation::parse(&dir.path().display().to_string())?;
    let manager = Identity::from_secret("maria", [7; 32]);
    // The operator's identity lives in the state; the policy in force is `<state>/policy.toml`.
    let operator = Identity::load_or_create(state.dir(), "oscar")?;
    std::fs::write(state.dir().join("policy.toml"), policy(&manager, &operator))?;

    // The run, governed: the host's part.
    let engine = Engine::builder()
        .state(AttachedState::attach(state, |_| {}).await?)
        .governance_settings(GovernanceSettings { runner_name: Some("oscar".into()), ..Default::default() })
        .approver(Arc::new(AskTheManager))
        .events(Arc::new(PrintEvents))
        .build()?;
    let prepared =
        engine.prepare(Playbook::Source { name: "stop_dev.esc", text: PLAYBOOK }, Default::default(), &NoImports)?;
    let estate = dir.path().join("estate.json").to_string_lossy().into_owned();
    let sim = [ProviderChoice::new("sim").option("estate_out", estate)];
    let run = engine.start(prepared, &sim, Launch::default()).await?;
    let run_id = run.run_id.clone();
    let report = run.finish().await.report?;
    println!("run {run_id}: {:?}", report.status);
    if report.status != RunStatus::WaitingForApproval {
        return Err("the stop should wait for the manager".into());
    }

    // The manager signs the request the engine filed (on her machine: `escher approve RUN stop`), once it
    // checks: signed by the operator, and its playbook compiles again to the plan and parameters it names.
    let approvals = ApprovalsDir::new(engine.state_dir().join("approvals"));
    let filed = approvals.latest_request(&run_id, "stop").ok_or("no approval request was filed")?;
    let policy = escher_engine::governance::policy::check(&policy(&manager, &operator)).map_err(|_| "the policy")?;
    let request = check_request(&filed, &policy)?;
    let valid_for = Duration::from_secs(3600);
    approvals.write_decision(&SignedDecision::sign(&manager, &request, true, None, chrono::Utc::now(), valid_for)?)?;

    // The host resumes the run where it stopped, on the providers and under the policy it recorded.
    let report = engine.resume(&run_id).await?.finish().await.report?;
    let stopped = report.steps.iter().find(|step| step.node == "stop").map_or(0, |step| step.changed.len());
    println!("run {run_id}: {:?}, {stopped} machines stopped", report.status);
    if report.status != RunStatus::Succeeded || stopped == 0 {
        return Err("the resumed run should stop the dev machines".into());
    }
    engine.close()?;
    Ok(())
}

/// The host's approver: it tells the manager (a notification, say) and answers that the decision is not in yet,
/// which suspends the run. Only a signed approval can approve a step; saying yes here would be refused.
struct AskTheManager;

#[async_trait::async_trait]
impl Approver for AskTheManager {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        Decision {
            approved: false,
            by: "the host".into(),
            role: request.required.role.clone(),
            reason: Some("waiting for the manager".into()),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        }
    }

    async fn answer(&self, request: &ApprovalRequest) -> Answer {
        println!(
            "asking a {} to approve `{}` ({} risk)",
            request.required.role,
            request.node,
            request.risk.level.as_str()
        );
        Answer::Pending { reason: "asked the manager".into() }
    }
}

/// The host's event sink: a line per step that finishes.
struct PrintEvents;

impl EventSink for PrintEvents {
    fn emit(&self, event: &RunEvent) -> Result<(), SinkError> {
        if let EventKind::StepFinished { node, status, changed, .. } = &event.kind {
            println!("  {node}: {status:?}, {changed} changed");
        }
        Ok(())
    }
}

/// Maria manages; Oscar operates and runs only low-risk steps unattended; a manager approves the rest.
fn policy(manager: &Identity, operator: &Identity) -> String {
    format!(
        r#"
        [roles.manager]
        run_without_approval = "high"
        members = [{{ name = "maria", key = "{}" }}]
        [roles.operator]
        run_without_approval = "low"
        members = [{{ name = "oscar", key = "{}" }}]
        [approvals.medium]
        count = 1
        from = ["manager"]
        "#,
        manager.public_key(),
        operator.public_key()
    )
}
