//! Retries: only throttling, unavailability and timeouts are retried, with backoff, as many times as the step
//! allows; refusals never are. Each attempt is journaled and announced. Times are exact on the paused clock.

mod executor_support;

use std::sync::Arc;
use std::time::Duration;

use escher_compiler::plan::Plan;
use escher_runtime::RunOptions;
use escher_runtime::events::{EventKind, StepStatus};
use escher_runtime::journal::JournalRecord;
use escher_runtime::provider::ProviderError;
use executor_support::*;

fn stop_plan(retry: u32) -> Plan {
    let source = r#"
    playbook stop_two {
      let ec2 = aws.ec2.instances()
      step stop = aws.ec2.stop(ec2) { max_targets = 10 }
    }
    "#;
    patch(plan(source), "stop", |node| node.options.retry = retry)
}

fn two_instances() -> Arc<FakeCloud> {
    FakeCloud::new(vec![instance("i-1", "us-east-1"), instance("i-2", "us-east-1")])
}

fn unavailable() -> ProviderError {
    ProviderError::Unavailable("503 Service Unavailable".into())
}

fn stop_times(cloud: &FakeCloud) -> Vec<Duration> {
    cloud.calls_of("aws.ec2.stop").into_iter().map(|c| c.at).collect()
}

#[tokio::test(start_paused = true)]
async fn unavailability_and_throttling_are_retried_with_growing_backoff_until_a_call_succeeds() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    let throttled = ProviderError::Throttled { message: "RequestLimitExceeded".into(), retry_after: None };
    cloud.script("aws.ec2.stop", vec![Err(unavailable()), Err(throttled)]);
    let events = Arc::new(Collect::default());
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), events.clone());
    let handle = runtime.run(stop_plan(3), RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");

    assert_eq!(report.steps[1].status, StepStatus::Succeeded);
    assert_eq!(report.steps[1].attempts, 3);
    let times = stop_times(&cloud);
    assert_eq!(times.len(), 3);
    let retries: Vec<(u32, u64, String)> = events
        .kinds()
        .into_iter()
        .filter_map(|kind| match kind {
            EventKind::StepRetrying { attempt, delay_ms, error, .. } => Some((attempt, delay_ms, error)),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len(), 2);
    assert_eq!((retries[0].0, retries[0].2.as_str()), (2, "service unavailable: 503 Service Unavailable"));
    assert_eq!((retries[1].0, retries[1].2.as_str()), (3, "throttled: RequestLimitExceeded"));
    assert!(retries[0].1 <= 200 && retries[1].1 <= 400, "full jitter under 200 ms, then 400 ms: {retries:?}");
    // The paused clock makes each gap exactly the announced delay (give or take tokio's 1 ms timer grain).
    for (gap, (_, delay_ms, _)) in times.windows(2).map(|w| w[1] - w[0]).zip(&retries) {
        assert!(gap.as_millis().abs_diff(u128::from(*delay_ms)) <= 1, "{gap:?} vs {delay_ms} ms");
    }
    let attempts: Vec<(usize, u32)> = journal(dir.path(), &run_id)
        .into_iter()
        .filter_map(|record| match record {
            JournalRecord::StepStarted { node, batch, attempt, .. } if node == "stop" => Some((batch, attempt)),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [(0, 1), (0, 2), (0, 3)], "each attempt is journaled before it is made");
}

#[tokio::test(start_paused = true)]
async fn a_refusal_is_never_retried() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    cloud.script("aws.ec2.stop", vec![Err(ProviderError::Rejected("403 UnauthorizedOperation".into()))]);
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let report = runtime.run(stop_plan(5), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(stop_times(&cloud).len(), 1);
    let stop = &report.steps[1];
    assert_eq!(stop.status, StepStatus::Failed);
    assert_eq!(stop.attempts, 1);
    let errors: Vec<&str> = stop.failed.iter().map(|f| f.error.as_str()).collect();
    assert_eq!(errors, ["rejected: 403 UnauthorizedOperation", "rejected: 403 UnauthorizedOperation"]);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_when_the_steps_retry_count_is_spent() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    cloud.script("aws.ec2.stop", vec![Err(unavailable()), Err(unavailable()), Err(unavailable()), Err(unavailable())]);
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let report = runtime.run(stop_plan(2), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(stop_times(&cloud).len(), 3, "one call and two retries");
    assert_eq!(report.steps[1].status, StepStatus::Failed);
    assert_eq!(report.steps[1].attempts, 3);
}

#[tokio::test(start_paused = true)]
async fn a_throttle_that_names_its_delay_is_waited_out_exactly() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    let throttled = ProviderError::Throttled { message: "slow down".into(), retry_after: Some(Duration::from_secs(7)) };
    cloud.script("aws.ec2.stop", vec![Err(throttled)]);
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let report = runtime.run(stop_plan(1), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.steps[1].status, StepStatus::Succeeded);
    let times = stop_times(&cloud);
    assert_eq!(times[1] - times[0], Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn an_attempt_that_outlives_the_steps_timeout_is_cut_off_and_retried() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    cloud.set_latency(Duration::from_secs(2));
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let plan = patch(stop_plan(1), "stop", |node| node.options.timeout_ms = Some(500));
    let report = runtime.run(plan, RunOptions::default()).expect("starts").finish().await.expect("ends");

    let stop = &report.steps[1];
    assert_eq!(stop.status, StepStatus::Failed);
    assert_eq!(stop.attempts, 2, "a timeout is retried");
    assert_eq!(stop.failed[0].error, "timed out: no answer within 500 ms");
    let times = stop_times(&cloud);
    assert!(times[1] - times[0] >= Duration::from_millis(500), "the second attempt starts after the first is cut");
    assert_eq!(cloud.state_of("i-1"), "running", "neither attempt got to act");
}
