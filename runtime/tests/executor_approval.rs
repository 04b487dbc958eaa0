//! Approvals and dry runs: a step that needs approval waits for a decision bound to its plan and step, which is
//! journaled and audited; a dry run calls nothing for real and never passes off an unsimulated action as done.

mod executor_support;

use std::sync::Arc;

use escher_compiler::plan::Plan;
use escher_compiler::stdlib::DryRun;
use escher_runtime::approval::{ApproveUpTo, SELF_APPROVAL};
use escher_runtime::events::{EventKind, RunStatus, StepStatus};
use escher_runtime::journal::JournalRecord;
use escher_runtime::provider::resource_id;
use escher_runtime::{RunOptions, Runtime};
use executor_support::*;

/// A change to a decision after the approver made it.
type Tamper = fn(&mut escher_runtime::approval::Decision);

fn estate() -> Arc<FakeCloud> {
    FakeCloud::new(vec![instance("i-1", "us-east-1"), instance("i-2", "us-east-1")])
}

fn guarded_stop() -> Plan {
    plan(
        r#"
        playbook guarded {
          let ec2 = aws.ec2.instances()
          step stop = aws.ec2.stop(ec2) { max_targets = 10, approve = manager }
        }
        "#,
    )
}

#[tokio::test(start_paused = true)]
async fn an_approved_step_runs_and_its_decision_is_journaled_audited_and_announced() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    let approver = Decide::approving();
    let events = Arc::new(Collect::default());
    let handle = runtime(dir.path(), &cloud, approver.clone(), events.clone())
        .run(guarded_stop(), RunOptions::default())
        .expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.steps[1].changed, ["i-1", "i-2"]);
    let requests = approver.requests.lock().expect("unpoisoned").clone();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.node.as_str(), request.required.role.as_str()), ("stop", "manager"));
    assert_eq!(request.plan_hash, report.plan_hash);
    let targets: Vec<&str> = request.targets.iter().filter_map(resource_id).collect();
    assert_eq!(targets, ["i-1", "i-2"], "the approver sees the live targets");

    let decided = journal(dir.path(), &run_id).into_iter().find_map(|record| match record {
        JournalRecord::ApprovalDecided { node, decision, .. } => Some((node, decision.approved, decision.by)),
        _ => None,
    });
    assert_eq!(decided, Some(("stop".to_string(), true, "maria".to_string())));
    let entries = audit(dir.path());
    let approval = entries.iter().find(|e| e["kind"] == "approval.decided").expect("an approval entry");
    assert_eq!((approval["who"].as_str(), approval["role"].as_str()), (Some("maria"), Some("manager")));
    assert_eq!(approval["targets"], serde_json::json!(["i-1", "i-2"]));
    let finished = entries.iter().find(|e| e["kind"] == "step.finished").expect("a step entry");
    assert_eq!(finished["approval"], "maria (manager)");

    let order: Vec<&str> = events
        .kinds()
        .iter()
        .filter_map(|kind| match kind {
            EventKind::ApprovalRequested { .. } => Some("requested"),
            EventKind::ApprovalDecided { approved: true, .. } => Some("approved"),
            EventKind::StepStarted { node, .. } if node == "stop" => Some("started"),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["requested", "approved", "started"]);
}

/// Without a policy, `--approve-up-to` is the runner's own approval: audited as `self` with what it rested on,
/// never under the role the step asked for.
#[tokio::test(start_paused = true)]
async fn an_automatic_approval_is_audited_as_the_runners_own() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    let approver = ApproveUpTo { level: escher_compiler::plan::RiskLevel::High, who: "alice".into() };
    let runtime = Runtime::builder()
        .provider(cloud.clone())
        .state_dir(dir.path())
        .approver(Arc::new(approver))
        .build()
        .expect("a runtime");
    let report = runtime.run(guarded_stop(), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Succeeded);
    let entries = audit(dir.path());
    let approval = entries.iter().find(|e| e["kind"] == "approval.decided").expect("an approval entry");
    assert_eq!((approval["who"].as_str(), approval["role"].as_str()), (Some("alice"), Some(SELF_APPROVAL)));
    let finished = entries.iter().find(|e| e["kind"] == "step.finished").expect("a step entry");
    let text = finished["approval"].as_str().unwrap_or_default();
    assert!(text.starts_with("alice (self: risk "), "{text}");
    assert!(text.ends_with("is within --approve-up-to high)"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_refused_step_calls_nothing_and_fails_the_run() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    let handle = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default())
        .run(guarded_stop(), RunOptions::default())
        .expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.steps[1].status, StepStatus::Refused);
    assert_eq!(report.steps[1].error.as_deref(), Some("approval refused: not tonight"));
    assert!(cloud.calls_of("aws.ec2.stop").is_empty());
    let refused = journal(dir.path(), &run_id)
        .iter()
        .any(|record| matches!(record, JournalRecord::ApprovalDecided { decision, .. } if !decision.approved));
    assert!(refused, "the refusal is journaled");
    let entries = audit(dir.path());
    let approval = entries.iter().find(|e| e["kind"] == "approval.decided").expect("an approval entry");
    assert_eq!(approval["result"], "refused: not tonight");
}

#[tokio::test(start_paused = true)]
async fn without_an_approver_a_step_that_needs_one_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    let runtime = Runtime::builder().provider(cloud.clone()).state_dir(dir.path()).build().expect("a runtime");
    let report = runtime.run(guarded_stop(), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.steps[1].status, StepStatus::Refused);
    let error = report.steps[1].error.clone().unwrap_or_default();
    assert!(error.contains("needs approval by manager and there is no terminal to ask"), "{error}");
    assert!(cloud.calls_of("aws.ec2.stop").is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_approval_bound_to_another_plan_step_or_role_is_a_refusal() {
    let cases: [(Tamper, &str); 3] = [
        (|d| d.plan_hash = "0".repeat(64), "the decision was given for plan 0000"),
        (|d| d.node = "other".into(), "the decision was given for step `other`, not `stop`"),
        (|d| d.role = "executor".into(), "the decision was given as executor, but the step needs manager"),
    ];
    for (tamper, expected) in cases {
        let dir = tempfile::tempdir().expect("a temp dir");
        let cloud = estate();
        let runtime = runtime(dir.path(), &cloud, Decide::tampering(tamper), Arc::default());
        let report = runtime.run(guarded_stop(), RunOptions::default()).expect("starts").finish().await.expect("ends");

        assert_eq!(report.steps[1].status, StepStatus::Refused, "{expected}");
        let error = report.steps[1].error.clone().unwrap_or_default();
        assert!(error.starts_with(&format!("approval refused: {expected}")), "{error}");
        assert!(cloud.calls_of("aws.ec2.stop").is_empty());
    }
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_asks_providers_to_simulate_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    let approver = Decide::approving();
    let runtime = runtime(dir.path(), &cloud, approver.clone(), Arc::default());
    let report =
        runtime.run(guarded_stop(), RunOptions { dry_run: true }).expect("starts").finish().await.expect("ends");

    assert!(report.dry_run);
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.steps[1].changed, ["i-1", "i-2"], "what the stop would change");
    assert!(cloud.calls().iter().all(|call| call.dry_run), "every call is a dry run");
    assert_eq!(cloud.calls().len(), 2, "the listing still runs");
    assert_eq!(cloud.state_of("i-1"), "running");
    assert!(approver.requests.lock().expect("unpoisoned").is_empty(), "nothing acts, so no one is asked");
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_reports_an_action_without_a_dry_run_as_not_simulated_without_calling_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    let plan = patch(guarded_stop(), "stop", |node| node.dry_run = DryRun::Unsupported);
    let runtime = runtime(dir.path(), &cloud, Decide::approving(), Arc::default());
    let report = runtime.run(plan, RunOptions { dry_run: true }).expect("starts").finish().await.expect("ends");

    let stop = &report.steps[1];
    assert_eq!(stop.status, StepStatus::NotSimulated);
    assert!(stop.changed.is_empty(), "nothing is claimed as changed");
    assert_eq!(ids(field(&stop.output, "not_simulated")), ["i-1", "i-2"]);
    assert!(cloud.calls_of("aws.ec2.stop").is_empty(), "a mutating call is never made in a dry run");
}

#[tokio::test(start_paused = true)]
async fn a_provider_that_cannot_simulate_an_action_makes_the_step_not_simulated() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    cloud.cannot_simulate("aws.ec2.stop");
    let runtime = runtime(dir.path(), &cloud, Decide::approving(), Arc::default());
    let report =
        runtime.run(guarded_stop(), RunOptions { dry_run: true }).expect("starts").finish().await.expect("ends");

    assert_eq!(report.steps[1].status, StepStatus::NotSimulated);
    assert!(report.steps[1].changed.is_empty());
    assert_eq!(cloud.state_of("i-1"), "running");
}

/// Approves after a person's minute of thought.
struct Slow;

#[async_trait::async_trait]
impl escher_runtime::approval::Approver for Slow {
    async fn decide(&self, request: &escher_runtime::approval::ApprovalRequest) -> escher_runtime::approval::Decision {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        escher_runtime::approval::Decision {
            approved: true,
            by: "maria".into(),
            role: request.required.role.clone(),
            reason: None,
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
            proof: None,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_time_a_person_takes_to_approve_is_not_the_steps() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    let handle = runtime(dir.path(), &cloud, Arc::new(Slow), Arc::new(Collect::default()))
        .run(guarded_stop(), RunOptions::default())
        .expect("starts");
    let report = handle.finish().await.expect("ends");
    assert_eq!(report.status, RunStatus::Succeeded);
    let stop = report.steps.iter().find(|step| step.node == "stop").expect("the stop");
    assert!(stop.duration_ms < 60_000, "the minute of approval is left out: {} ms", stop.duration_ms);
}
