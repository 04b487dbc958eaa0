//! The hooks governance plugs into: an approver that answers "pending" suspends the run (no new step starts,
//! nothing of the waiting step is called, the run ends `waiting_for_approval` and resumes later), and a guard
//! that refuses a mutating step's live targets stops that step before any call.

mod executor_support;

use std::sync::Arc;

use escher_compiler::plan::{Plan, PlanNode, Value};
use escher_runtime::approval::{Answer, ApprovalRequest, Approver, Decision};
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::guard::{Guard, GuardRefusal};
use escher_runtime::provider::resource_field;
use escher_runtime::{RunOptions, Runtime};
use executor_support::*;

fn stop_then_report() -> Plan {
    plan(
        r#"
        playbook guarded {
          let ec2 = aws.ec2.instances()
          step stop = aws.ec2.stop(ec2) { max_targets = 10, approve = manager }
          step done = report.summary("stopped", values = { count: len(stop.changed) })
        }
        "#,
    )
}

/// Never has a decision yet.
struct NotYet;

#[async_trait::async_trait]
impl Approver for NotYet {
    async fn decide(&self, _request: &ApprovalRequest) -> Decision {
        unreachable!("the runtime asks `answer`")
    }

    async fn answer(&self, _request: &ApprovalRequest) -> Answer {
        Answer::Pending { reason: "0 of 1 approvals".into() }
    }
}

/// Refuses any target outside us-east-1.
struct UsEastOnly;

impl Guard for UsEastOnly {
    fn check(&self, _node: &PlanNode, targets: &[Value]) -> Result<(), GuardRefusal> {
        match targets.iter().find(|t| resource_field(t, "region") != Some("us-east-1")) {
            Some(target) => Err(GuardRefusal::new(format!(
                "region {} is not allowed",
                resource_field(target, "region").unwrap_or("?")
            ))),
            None => Ok(()),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_pending_answer_suspends_the_run_and_resume_goes_on_once_approved() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(vec![instance("i-1", "us-east-1"), instance("i-2", "us-east-1")]);
    let first = runtime(dir.path(), &cloud, Arc::new(NotYet), Arc::new(Collect::default()));
    let handle = first.run(stop_then_report(), RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");
    assert_eq!(report.status, RunStatus::WaitingForApproval);
    assert_eq!(report.status.exit_code(), 75);
    assert!(cloud.calls_of("aws.ec2.stop").is_empty(), "nothing of the waiting step is called");
    assert_ne!(report.steps[2].status, StepStatus::Succeeded, "no step after it runs");
    let audit = audit(dir.path());
    assert!(audit.iter().any(|e| e["kind"] == "approval.pending"), "the wait is audited");

    let second = runtime(dir.path(), &cloud, Decide::approving(), Arc::new(Collect::default()));
    let report = second.resume(&run_id).expect("a suspended run resumes").finish().await.expect("ends");
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.steps[1].changed, ["i-1", "i-2"]);
    assert_eq!(cloud.calls_of("aws.ec2.instances").len(), 1, "the finished query does not run again");
}

/// A step that goes on after its own failure (`on_failure = continue`) still holds back its dependents while it
/// waits: once approved on resume, they run, rather than staying skipped as if it had failed.
#[tokio::test(start_paused = true)]
async fn the_dependents_of_a_waiting_step_that_continues_on_failure_run_after_resume() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(vec![instance("i-1", "us-east-1")]);
    let continuing = plan(
        r#"
        playbook guarded {
          let ec2 = aws.ec2.instances()
          step stop = aws.ec2.stop(ec2) { max_targets = 10, approve = manager, on_failure = continue }
          step done = report.summary("stopped", values = { count: len(stop.changed) })
        }
        "#,
    );
    let first = runtime(dir.path(), &cloud, Arc::new(NotYet), Arc::new(Collect::default()));
    let handle = first.run(continuing, RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");
    assert_eq!(report.status, RunStatus::WaitingForApproval);
    assert_eq!(report.steps[2].status, StepStatus::Skipped);
    assert_eq!(report.steps[2].error.as_deref(), Some("the run was cancelled"), "not 'depends on a failed step'");

    let second = runtime(dir.path(), &cloud, Decide::approving(), Arc::new(Collect::default()));
    let report = second.resume(&run_id).expect("a suspended run resumes").finish().await.expect("ends");
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.steps[1].changed, ["i-1"]);
    assert_eq!(report.steps[2].status, StepStatus::Succeeded, "the dependent runs once the step has");
}

#[tokio::test(start_paused = true)]
async fn a_guard_refusal_stops_the_step_before_any_call_and_is_audited() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(vec![instance("i-1", "us-east-1"), instance("i-2", "eu-west-1")]);
    let runtime = Runtime::builder()
        .provider(cloud.clone())
        .approver(Decide::approving())
        .state_dir(dir.path())
        .guard(Arc::new(UsEastOnly))
        .build()
        .expect("a runtime");
    let report = runtime.run(stop_then_report(), RunOptions::default()).expect("starts").finish().await.expect("ends");
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.steps[1].status, StepStatus::Refused);
    assert!(report.steps[1].error.as_deref().is_some_and(|e| e.contains("region eu-west-1")));
    assert!(cloud.calls_of("aws.ec2.stop").is_empty(), "nothing is called");
    let audit = serde_json::to_string(&audit(dir.path())).expect("JSON");
    assert!(audit.contains("guard.refused") && audit.contains("eu-west-1"), "{audit}");
}
