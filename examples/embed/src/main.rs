//! Embedding Escher: a host program (a desktop app, a container job) runs a playbook governed by a policy on
//! the simulated estate, with an approver and an event sink of its own. The stop needs a manager's approval;
//! the host's approver cannot give it (only a signature can), so the run suspends; once the manager signs, the
//! host resumes it and the machines stop. `cargo run -p escher-example-embed` (the test command runs it).

use std::sync::Arc;
use std::time::Duration;

use escher_engine::compiler::NoImports;
use escher_engine::governance::approvals::{ApprovalsDir, SignedDecision};
use escher_engine::governance::identity::Identity;
use escher_engine::governance::run::RunGovernance;
use escher_engine::runtime::approval::{Answer, ApprovalRequest, Approver, Decision};
use escher_engine::runtime::events::{EventKind, EventSink, RunEvent, RunStatus};
use escher_engine::{Engine, Launch, ProviderChoice};

const PLAYBOOK: &str = r#"
playbook stop_dev {
  let dev = aws.ec2.instances(regions = ["us-east-1", "eu-west-1"], tags = { env: "dev" }, state = "running")
  step stop = aws.ec2.stop(dev) { max_targets = 10 }
}
"#;

type Outcome<T = ()> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Outcome {
    let state = tempfile::tempdir()?;
    let (manager, operator) = (Identity::from_secret("maria", [7; 32]), Identity::from_secret("oscar", [8; 32]));
    let approvals = ApprovalsDir::new(state.path().join("approvals"));

    // The run, governed: the host's part.
    let policy_file = state.path().join("policy.toml");
    std::fs::write(&policy_file, policy(&manager, &operator))?;
    let policy = escher_engine::governance::policy::load(&policy_file)?;
    let governance = RunGovernance::new(Arc::new(policy), operator.principal(), approvals.clone(), None)?;
    let engine = Engine::builder()
        .state_dir(state.path())
        .governance(governance)
        .approver(Arc::new(AskTheManager))
        .events(Arc::new(PrintEvents))
        .build()?;
    let plan = engine.compile("stop_dev.esc", PLAYBOOK, Default::default(), &NoImports).plan.ok_or("no plan")?;
    let estate = state.path().join("estate.json").to_string_lossy().into_owned();
    let sim = [ProviderChoice::new("sim").option("estate_out", estate)];
    let run = engine.run(plan, &sim, Launch::default()).await?;
    let run_id = run.run_id.clone();
    let report = run.finish().await.report?;
    println!("run {run_id}: {:?}", report.status);
    if report.status != RunStatus::WaitingForApproval {
        return Err("the stop should wait for the manager".into());
    }

    // The manager signs the request the engine filed (on her machine: `escher approve RUN stop`).
    let request = approvals.latest_request(&run_id, "stop").ok_or("no approval request was filed")?;
    let valid_for = Duration::from_secs(3600);
    approvals.write_decision(&SignedDecision::sign(&manager, &request, true, None, chrono::Utc::now(), valid_for)?)?;

    // The host resumes the run where it stopped, on the providers it recorded.
    let report = engine.resume(&run_id, None).await?.finish().await.report?;
    let stopped = report.steps.iter().find(|step| step.node == "stop").map_or(0, |step| step.changed.len());
    println!("run {run_id}: {:?}, {stopped} machines stopped", report.status);
    if report.status != RunStatus::Succeeded || stopped == 0 {
        return Err("the resumed run should stop the dev machines".into());
    }
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
    fn emit(&self, event: &RunEvent) -> Result<(), String> {
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
