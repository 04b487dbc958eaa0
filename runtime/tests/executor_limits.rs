//! Bounds: the run's concurrency, batches per (cloud, account, region), token buckets, fan-out concurrency,
//! `max_targets` and `max_errors`. Every timing test runs on tokio's paused clock, so times are exact.

mod executor_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use escher_compiler::plan::Value;
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::provider::{Bucket, ProviderError};
use escher_runtime::{Limits, RunOptions};
use executor_support::*;

fn instances(count: usize, region: &str) -> Vec<Value> {
    (1..=count).map(|n| instance(&format!("i-{region}-{n}"), region)).collect()
}

/// A high-risk stop (up to 200 targets), so these tests approve it.
const STOP_ALL: &str = r#"
playbook stop_all {
  let ec2 = aws.ec2.instances()
  step stop = aws.ec2.stop(ec2) { max_targets = 200 }
}
"#;

#[tokio::test(start_paused = true)]
async fn the_run_never_has_more_calls_in_flight_than_its_concurrency() {
    let lets: String =
        (1..=20).map(|n| format!("  let q{n} = aws.ec2.instances(regions = [\"us-east-1\"])\n")).collect();
    let source = format!("playbook many {{\n{lets}}}");
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(Vec::new());
    cloud.set_latency(Duration::from_millis(100));
    let limits = Limits { concurrency: 4, ..Limits::default() };
    let runtime = runtime_with(dir.path(), &cloud, Decide::refusing(), Arc::default(), limits);
    let started = tokio::time::Instant::now();
    let report = runtime.run(plan(&source), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(cloud.calls().len(), 20);
    assert_eq!(cloud.max_in_flight.load(Ordering::SeqCst), 4);
    assert_eq!(started.elapsed(), Duration::from_millis(500), "five waves of four 100 ms calls");
}

#[tokio::test(start_paused = true)]
async fn targets_are_batched_per_region_in_the_actions_batch_size() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut estate = instances(4, "us-east-1");
    estate.extend(instances(3, "eu-west-1"));
    let cloud = FakeCloud::new(estate);
    let runtime = runtime(dir.path(), &cloud, Decide::approving(), Arc::default());
    let plan = patch(plan(STOP_ALL), "stop", |node| node.batch = Some(3));
    let report = runtime.run(plan, RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.steps[1].status, StepStatus::Succeeded);
    let mut batches: Vec<Vec<String>> = cloud.calls_of("aws.ec2.stop").into_iter().map(|c| c.targets).collect();
    batches.sort();
    assert_eq!(
        batches,
        [
            vec!["i-eu-west-1-1", "i-eu-west-1-2", "i-eu-west-1-3"],
            vec!["i-us-east-1-1", "i-us-east-1-2", "i-us-east-1-3"],
            vec!["i-us-east-1-4"],
        ],
        "ceil(4 / 3) + ceil(3 / 3) calls, none mixing regions"
    );
    let keys: Vec<String> = cloud.calls_of("aws.ec2.stop").into_iter().map(|c| c.key).collect();
    let mut numbers: Vec<&str> = keys.iter().map(|key| key.rsplit(':').next().unwrap_or("")).collect();
    numbers.sort();
    assert_eq!(numbers, ["0", "1", "2"], "idempotency keys end with the batch number");
    assert_eq!(report.steps[1].changed.len(), 7);
}

#[tokio::test(start_paused = true)]
async fn mutating_calls_never_outrun_their_token_bucket() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(instances(120, "us-east-1"));
    cloud.set_bucket("ec2.mutating", Bucket { capacity: 10, per_second: 5.0 });
    let runtime = runtime(dir.path(), &cloud, Decide::approving(), Arc::default());
    let plan = patch(plan(STOP_ALL), "stop", |node| {
        node.batch = Some(1);
        node.options.concurrency = Some(64);
    });
    let report = runtime.run(plan, RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.steps[1].changed.len(), 120);
    let mut times: Vec<Duration> = cloud.calls_of("aws.ec2.stop").into_iter().map(|c| c.at).collect();
    times.sort();
    let start = times[0];
    for (i, at) in times.iter().enumerate() {
        // A bucket of 10 refilled at 5 per second allows at most 10 + 5t calls by time t.
        let allowed_before = Duration::from_millis(200) * (i.saturating_sub(9) as u32);
        assert!(*at - start >= allowed_before, "call {i} at {:?} is ahead of the bucket", *at - start);
    }
    let last = times[119] - start;
    let ideal = Duration::from_millis(200) * 110;
    assert!(last <= ideal.mul_f64(1.05), "the bucket's rate is used: last call at {last:?}, ideal {ideal:?}");
}

/// With about a third of all calls throttled (the listing's first two attempts, then every third stop call),
/// the run still completes: reads and throttled calls retry without any `retry` option. Every attempt, throttled
/// or not, takes a token, so the calls never outrun the bucket either.
#[tokio::test(start_paused = true)]
async fn under_heavy_throttling_every_call_retries_within_its_bucket_and_the_run_completes() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(instances(60, "us-east-1"));
    cloud.set_bucket("ec2.mutating", Bucket { capacity: 10, per_second: 5.0 });
    let throttled =
        || Err(ProviderError::Throttled { message: "RequestLimitExceeded".into(), retry_after: Some(Duration::ZERO) });
    cloud.script("aws.ec2.instances", vec![throttled(), throttled()]);
    cloud.throttle_every("aws.ec2.stop", 3);
    let runtime = runtime(dir.path(), &cloud, Decide::approving(), Arc::default());
    let plan = patch(plan(STOP_ALL), "stop", |node| {
        node.batch = Some(1);
        node.options.concurrency = Some(64);
    });
    let report = runtime.run(plan, RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    assert_eq!(report.steps[1].changed.len(), 60);
    assert_eq!(cloud.calls_of("aws.ec2.instances").len(), 3, "the listing was retried past its throttles");
    let mut times: Vec<Duration> = cloud.calls_of("aws.ec2.stop").into_iter().map(|c| c.at).collect();
    assert!(times.len() > 60, "throttled stops were retried: {} calls", times.len());
    times.sort();
    let start = times[0];
    for (i, at) in times.iter().enumerate() {
        let allowed_before = Duration::from_millis(200) * (i.saturating_sub(9) as u32);
        assert!(*at - start >= allowed_before, "call {i} at {:?} is ahead of the bucket", *at - start);
    }
}

#[tokio::test(start_paused = true)]
async fn a_fan_out_runs_at_most_its_concurrency_at_once_and_merges_the_outcomes() {
    let source = r#"
    playbook one_by_one {
      let ec2 = aws.ec2.instances()
      step stop = for vm in ec2: aws.ec2.stop([vm]) { concurrency = 2, max_targets = 10 }
    }
    "#;
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(instances(6, "us-east-1"));
    cloud.set_latency(Duration::from_secs(1));
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let started = tokio::time::Instant::now();
    let report = runtime.run(plan(source), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.steps[1].status, StepStatus::Succeeded, "{:?}", report.steps[1].error);
    assert_eq!(cloud.calls_of("aws.ec2.stop").len(), 6, "one call per element");
    assert_eq!(cloud.max_in_flight.load(Ordering::SeqCst), 2);
    assert_eq!(started.elapsed(), Duration::from_secs(1 + 3), "the listing, then three pairs");
    let expected: Vec<String> = (1..=6).map(|n| format!("i-us-east-1-{n}")).collect();
    assert_eq!(report.steps[1].changed, expected, "outcomes merged in the list's order");
    assert_eq!(ids(field(&report.steps[1].output, "targets")), expected);
}

#[tokio::test(start_paused = true)]
async fn more_live_targets_than_max_targets_fail_the_step_before_any_call() {
    let source = r#"
    playbook capped {
      let ec2 = aws.ec2.instances()
      step stop = aws.ec2.stop(ec2) { max_targets = 3 }
    }
    "#;
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(instances(5, "us-east-1"));
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let handle = runtime.run(plan(source), RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.steps[1].status, StepStatus::Failed);
    assert_eq!(
        report.steps[1].error.as_deref(),
        Some("it would act on 5 targets, more than its max_targets = 3; nothing was called")
    );
    assert!(cloud.calls_of("aws.ec2.stop").is_empty());
    assert_eq!(cloud.state_of("i-us-east-1-1"), "running");
    let kinds = journal_kinds(dir.path(), &run_id);
    assert_eq!(kinds.iter().filter(|k| *k == "step_started").count(), 1, "only the listing started: {kinds:?}");
}

#[tokio::test(start_paused = true)]
async fn failed_targets_within_max_errors_leave_the_step_partly_succeeded_and_beyond_it_failed() {
    for (max_errors, status) in [(2, StepStatus::PartiallySucceeded), (1, StepStatus::Failed)] {
        let dir = tempfile::tempdir().expect("a temp dir");
        let cloud = FakeCloud::new(instances(5, "us-east-1"));
        cloud.fail_target("i-us-east-1-2");
        cloud.fail_target("i-us-east-1-4");
        let runtime = runtime(dir.path(), &cloud, Decide::approving(), Arc::default());
        let plan = patch(plan(STOP_ALL), "stop", |node| node.options.max_errors = Some(max_errors));
        let report = runtime.run(plan, RunOptions::default()).expect("starts").finish().await.expect("ends");

        let stop = &report.steps[1];
        assert_eq!(stop.status, status, "max_errors = {max_errors}");
        assert_eq!(stop.changed, ["i-us-east-1-1", "i-us-east-1-3", "i-us-east-1-5"]);
        let failed: Vec<(&str, &str)> = stop.failed.iter().map(|f| (f.id.as_str(), f.error.as_str())).collect();
        assert_eq!(
            failed,
            [("i-us-east-1-2", "InsufficientInstanceCapacity"), ("i-us-east-1-4", "InsufficientInstanceCapacity")]
        );
        let run_status = if status == StepStatus::Failed { RunStatus::Failed } else { RunStatus::Succeeded };
        assert_eq!(report.status, run_status);
    }
}
