//! When steps fail and runs stop: `abort` stops starting steps and lets running ones finish, `continue` skips
//! only what depends on the failure, `rollback` undoes completed steps newest first; cancellation and a failing
//! event sink stop a run the same gentle way.

mod executor_support;

use std::sync::Arc;
use std::time::Duration;

use escher_runtime::events::{EventKind, RunStatus, StepStatus};
use escher_runtime::journal::JournalRecord;
use escher_runtime::provider::ProviderError;
use escher_runtime::{RunOptions, Runtime};
use executor_support::*;
use tokio_util::sync::CancellationToken;

fn estate() -> Arc<FakeCloud> {
    FakeCloud::new(vec![instance("web-1", "us-east-1"), instance("web-2", "us-east-1"), instance("db-1", "eu-west-1")])
}

fn rejected() -> ProviderError {
    ProviderError::Rejected("403 UnauthorizedOperation".into())
}

fn statuses(report: &escher_runtime::report::RunReport) -> Vec<(String, StepStatus)> {
    report.steps.iter().map(|s| (s.node.clone(), s.status)).collect()
}

fn status_of(report: &escher_runtime::report::RunReport, node: &str) -> (StepStatus, Option<String>) {
    let step = report.steps.iter().find(|s| s.node == node).expect("a step of the plan");
    (step.status, step.error.clone())
}

#[tokio::test(start_paused = true)]
async fn an_aborting_failure_lets_running_steps_finish_and_starts_nothing_new() {
    let source = r##"
    playbook abort {
      let web = aws.ec2.instances(regions = ["us-east-1"])
      step stop = aws.ec2.stop(web) { max_targets = 10 }
      step pause = wait(10s)
      step tell after (pause) = notify("#ops", "paused")
    }
    "##;
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    cloud.script("aws.ec2.stop", vec![Err(rejected())]);
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let started = tokio::time::Instant::now();
    let report = runtime.run(plan(source), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(status_of(&report, "stop").0, StepStatus::Failed);
    assert_eq!(status_of(&report, "pause").0, StepStatus::Succeeded, "the running wait finished");
    assert_eq!(started.elapsed(), Duration::from_secs(10));
    assert_eq!(status_of(&report, "tell"), (StepStatus::Skipped, Some("the run stopped after `stop` failed".into())));
}

#[tokio::test(start_paused = true)]
async fn continue_skips_the_failures_dependents_and_runs_everything_else() {
    let source = r##"
    playbook carry_on {
      let web = aws.ec2.instances(regions = ["us-east-1"])
      let db = aws.ec2.instances(regions = ["eu-west-1"])
      step stop_web = aws.ec2.stop(web) { max_targets = 10, on_failure = continue }
      step stop_db = aws.ec2.stop(db) { max_targets = 10 }
      step web_report = report.table("Web", stop_web.changed)
      step db_report = report.table("Db", stop_db.changed)
    }
    "##;
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    cloud.fail_target("web-2");
    let handle = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default())
        .run(plan(source), RunOptions::default())
        .expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");

    assert_eq!(
        statuses(&report),
        [
            ("web".to_string(), StepStatus::Succeeded),
            ("db".to_string(), StepStatus::Succeeded),
            ("stop_web".to_string(), StepStatus::Failed),
            ("stop_db".to_string(), StepStatus::Succeeded),
            ("web_report".to_string(), StepStatus::Skipped),
            ("db_report".to_string(), StepStatus::Succeeded),
        ]
    );
    assert_eq!(status_of(&report, "web_report").1.as_deref(), Some("it depends on `stop_web`, which failed"));
    assert_eq!(report.status, RunStatus::Failed, "a failed step fails the run even when others go on");
    let skipped: Vec<String> = journal(dir.path(), &run_id)
        .into_iter()
        .filter_map(|record| match record {
            JournalRecord::StepSkipped { node, .. } => Some(node),
            _ => None,
        })
        .collect();
    assert_eq!(skipped, ["web_report"]);
}

#[tokio::test(start_paused = true)]
async fn rollback_undoes_the_completed_steps_newest_first_with_their_undo_actions() {
    let source = r##"
    playbook maintenance {
      let web = aws.ec2.instances(regions = ["us-east-1"])
      let db = aws.ec2.instances(regions = ["eu-west-1"])
      step stop_web = aws.ec2.stop(web) { max_targets = 10 }
      step stop_db after (stop_web) = aws.ec2.stop(db) { max_targets = 10 }
      step restart after (stop_db) = aws.ec2.start(web) { max_targets = 10, on_failure = rollback }
      step tell after (restart) = notify("#ops", "done")
    }
    "##;
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    cloud.script("aws.ec2.start", vec![Err(rejected())]);
    let events = Arc::new(Collect::default());
    let handle = runtime(dir.path(), &cloud, Decide::refusing(), events.clone())
        .run(plan(source), RunOptions::default())
        .expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");

    let calls: Vec<(String, Vec<String>)> = cloud
        .calls()
        .into_iter()
        .filter(|c| c.action != "aws.ec2.instances")
        .map(|c| (format!("{} by {}", c.action, c.node), c.targets))
        .collect();
    let web = vec!["web-1".to_string(), "web-2".to_string()];
    let db = vec!["db-1".to_string()];
    assert_eq!(
        calls,
        [
            ("aws.ec2.stop by stop_web".to_string(), web.clone()),
            ("aws.ec2.stop by stop_db".to_string(), db.clone()),
            ("aws.ec2.start by restart".to_string(), web.clone()),
            ("aws.ec2.start by stop_db#undo".to_string(), db),
            ("aws.ec2.start by stop_web#undo".to_string(), web),
        ]
    );
    assert_eq!(report.status, RunStatus::RolledBack);
    assert_eq!(status_of(&report, "stop_web").0, StepStatus::RolledBack);
    assert_eq!(status_of(&report, "stop_db").0, StepStatus::RolledBack);
    assert_eq!(status_of(&report, "restart").0, StepStatus::Failed);
    assert_eq!(
        status_of(&report, "tell"),
        (StepStatus::Skipped, Some("the run is rolling back after `restart` failed".into()))
    );
    assert_eq!(cloud.state_of("web-1"), "running");
    assert_eq!(cloud.state_of("db-1"), "running");
    let undone: Vec<(String, String)> = events
        .kinds()
        .into_iter()
        .filter_map(|kind| match kind {
            EventKind::RollbackStarted { node, undo } => Some((node, undo)),
            _ => None,
        })
        .collect();
    assert_eq!(
        undone,
        [("stop_db".to_string(), "aws.ec2.start".to_string()), ("stop_web".to_string(), "aws.ec2.start".to_string())]
    );
    let rolled_back: Vec<String> = journal(dir.path(), &run_id)
        .into_iter()
        .filter_map(|record| match record {
            JournalRecord::RolledBack { node, .. } => Some(node),
            _ => None,
        })
        .collect();
    assert_eq!(rolled_back, ["stop_db", "stop_web"]);
}

#[tokio::test(start_paused = true)]
async fn cancelling_lets_the_call_in_flight_finish_and_starts_nothing_after_it() {
    let source = r#"
    playbook slow {
      let web = aws.ec2.instances(regions = ["us-east-1"])
      step stop = aws.ec2.stop(web) { max_targets = 10 }
      step table = report.table("Stopped", stop.changed)
    }
    "#;
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    cloud.set_latency(Duration::from_secs(5));
    let token = CancellationToken::new();
    let runtime = Runtime::builder()
        .provider(cloud.clone())
        .state_dir(dir.path())
        .cancellation(token.clone())
        .build()
        .expect("a runtime");
    let handle = runtime.run(plan(source), RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();
    // The listing takes 5 s, then the stop is in flight for 5 s; cancel in the middle of the stop.
    tokio::time::sleep(Duration::from_secs(7)).await;
    token.cancel();
    let report = handle.finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Cancelled);
    assert_eq!(status_of(&report, "stop").0, StepStatus::Succeeded, "the stop in flight finished");
    assert_eq!(cloud.state_of("web-1"), "stopped");
    assert_eq!(status_of(&report, "table"), (StepStatus::Skipped, Some("the run was cancelled".into())));
    let last = journal(dir.path(), &run_id).pop();
    assert!(
        matches!(last, Some(JournalRecord::RunFinished { status: RunStatus::Cancelled, .. })),
        "the journal ends with the cancellation: {last:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_event_sink_cancels_the_run() {
    let source = r#"
    playbook watched {
      let web = aws.ec2.instances(regions = ["us-east-1"])
      step stop = aws.ec2.stop(web) { max_targets = 10 }
    }
    "#;
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = estate();
    let events = Arc::new(Collect { fail_from: Some(2), ..Collect::default() });
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), events.clone());
    let report = runtime.run(plan(source), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Cancelled);
    assert_eq!(status_of(&report, "stop").0, StepStatus::Skipped);
    assert!(cloud.calls_of("aws.ec2.stop").is_empty());
    assert_eq!(events.events.lock().expect("unpoisoned").len(), 2, "the failed sink is not called again");
}
