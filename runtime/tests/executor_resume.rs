//! Resuming a run from its journal after a crash: for every prefix of a real run's journal, the resumed run
//! ends as the original did, never calls a mutating batch the journal saw finish, and describes the batches
//! that were in flight before calling them again. Finished runs and altered plans are refused.

mod executor_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use escher_compiler::plan::{Plan, Value};
use escher_runtime::RunOptions;
use escher_runtime::events::{EventKind, RunStatus, StepStatus};
use escher_runtime::journal::JournalRecord;
use executor_support::*;

fn maintenance() -> Plan {
    let source = r#"
    playbook maintenance {
      let web = aws.ec2.instances(regions = ["us-east-1"])
      let db = aws.ec2.instances(regions = ["eu-west-1"])
      step stop_web = aws.ec2.stop(web) { max_targets = 10 }
      step stop_db after (stop_web) = aws.ec2.stop(db) { max_targets = 10 }
      step table after (stop_db) = report.table("Stopped", stop_web.changed ++ stop_db.changed)
    }
    "#;
    // One instance a batch, so a crash can fall between the batches of a step.
    patch(plan(source), "stop_web", |node| node.batch = Some(1))
}

fn world() -> Vec<Value> {
    vec![instance("web-1", "us-east-1"), instance("web-2", "us-east-1"), instance("db-1", "eu-west-1")]
}

/// Writes `records` as the journal of `run_id` under `dir`, as a crash would have left it.
fn write_journal(dir: &Path, run_id: &str, records: &[JournalRecord]) {
    let run_dir = dir.join("runs").join(run_id);
    std::fs::create_dir_all(&run_dir).expect("a run directory");
    let lines = escher_runtime::journal::encode_journal(run_id, records).expect("records encode");
    std::fs::write(run_dir.join("journal.jsonl"), lines).expect("a journal");
}

/// Runs the maintenance plan to the end and returns its journal and report.
async fn original_run() -> (Vec<JournalRecord>, escher_runtime::report::RunReport) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(world());
    let handle = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default())
        .run(maintenance(), RunOptions::default())
        .expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");
    (journal(dir.path(), &run_id), report)
}

#[tokio::test(start_paused = true)]
async fn resuming_from_any_prefix_of_the_journal_ends_the_same_and_never_repeats_a_finished_batch() {
    let (records, original) = original_run().await;
    assert_eq!(original.status, RunStatus::Succeeded);
    let expected: Vec<(String, StepStatus)> = original.steps.iter().map(|s| (s.node.clone(), s.status)).collect();

    for cut in 1..records.len() {
        let prefix = &records[..cut];
        let mut started: BTreeMap<(String, usize), Vec<String>> = BTreeMap::new();
        let mut finished: BTreeSet<(String, usize)> = BTreeSet::new();
        for record in prefix {
            match record {
                JournalRecord::StepStarted { node, batch, targets, .. } => {
                    started.insert((node.clone(), *batch), targets.clone());
                }
                JournalRecord::BatchFinished { node, batch, .. } => {
                    finished.insert((node.clone(), *batch));
                }
                _ => {}
            }
        }
        // The world as the crash left it: every stop that was started acted, seen to finish or not.
        let cloud = FakeCloud::new(world());
        for ((node, _), targets) in &started {
            if node.starts_with("stop") {
                for id in targets {
                    if let Some(Value::Record(fields)) = cloud.estate.lock().expect("unpoisoned").get_mut(id) {
                        fields.insert("state".into(), Value::String("stopped".into()));
                    }
                }
            }
        }
        let dir = tempfile::tempdir().expect("a temp dir");
        write_journal(dir.path(), &original.run_id, prefix);
        let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
        let report = runtime.resume(&original.run_id).expect("resumes").finish().await.expect("ends");

        let statuses: Vec<(String, StepStatus)> = report.steps.iter().map(|s| (s.node.clone(), s.status)).collect();
        assert_eq!(statuses, expected, "after a crash at record {cut}");
        assert_eq!(report.status, RunStatus::Succeeded, "after a crash at record {cut}");
        for call in cloud.calls_of("aws.ec2.stop") {
            let batch: usize = call.key.rsplit(':').next().and_then(|n| n.parse().ok()).expect("a batch number");
            assert!(
                !finished.contains(&(call.node.clone(), batch)),
                "after a crash at record {cut}, batch {batch} of {} ran again although it had finished",
                call.node
            );
        }
        for id in ["web-1", "web-2", "db-1"] {
            assert_eq!(cloud.state_of(id), "stopped", "after a crash at record {cut}");
        }
        let in_doubt: Vec<Vec<String>> = started
            .iter()
            .filter(|(key, _)| !finished.contains(*key) && key.0.starts_with("stop"))
            .map(|(_, targets)| targets.clone())
            .collect();
        assert_eq!(cloud.describes(), in_doubt, "after a crash at record {cut}, in-doubt batches are described");
        let stopped: usize = report
            .steps
            .iter()
            .filter(|s| s.node.starts_with("stop"))
            .map(|s| s.changed.len() + s.unchanged.len())
            .sum();
        assert_eq!(stopped, 3, "after a crash at record {cut}, every target is accounted for once");
    }
}

#[tokio::test(start_paused = true)]
async fn a_resumed_run_says_so_in_its_journal_audit_and_events_and_reconciles_what_was_in_flight() {
    let (records, original) = original_run().await;
    // Cut just after the first batch of stop_web started.
    let cut = records
        .iter()
        .position(|r| matches!(r, JournalRecord::StepStarted { node, .. } if node == "stop_web"))
        .expect("stop_web started")
        + 1;
    let dir = tempfile::tempdir().expect("a temp dir");
    write_journal(dir.path(), &original.run_id, &records[..cut]);
    let cloud = FakeCloud::new(world());
    let events = Arc::new(Collect::default());
    let report = runtime(dir.path(), &cloud, Decide::refusing(), events.clone())
        .resume(&original.run_id)
        .expect("resumes")
        .finish()
        .await
        .expect("ends");

    assert_eq!(report.run_id, original.run_id);
    assert_eq!(report.status, RunStatus::Succeeded);
    let after_cut: Vec<String> = journal(dir.path(), &original.run_id)[cut..]
        .iter()
        .take(1)
        .map(|r| serde_json::to_value(r).expect("serializes")["record"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(after_cut, ["run_resumed"]);
    assert!(matches!(events.kinds().first(), Some(EventKind::RunStarted { resumed: true, .. })));
    let entries = audit(dir.path());
    let kinds: Vec<&str> = entries.iter().map(|e| e["kind"].as_str().unwrap_or("")).collect();
    assert_eq!(kinds[..2], ["run.resumed", "batch.reconciled"]);
    assert_eq!(entries[1]["result"], "batch 0 in doubt; found web-1 (\"running\"), called again");
    assert!(cloud.calls_of("aws.ec2.instances").is_empty(), "finished listings are not repeated");
}

/// The kill landed after the cloud stopped web-1 but before the answer was journaled: on resume web-1 is found
/// stopped, and the journal's `before` says it was running, so this run stopped it. It is not called again, it is
/// in `stop_web.changed` (and so in the table that reads it), and the journal, audit and report say it was
/// resolved on resume.
#[tokio::test(start_paused = true)]
async fn work_done_before_the_kill_is_resolved_as_changed_not_called_again() {
    let (records, _) = original_run().await;
    let cut = records
        .iter()
        .position(|r| matches!(r, JournalRecord::StepStarted { node, .. } if node == "stop_web"))
        .expect("stop_web started")
        + 1;
    let run_id = match &records[0] {
        JournalRecord::RunStarted { run_id, .. } => run_id.clone(),
        other => panic!("the journal begins with {other:?}"),
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    write_journal(dir.path(), &run_id, &records[..cut]);
    let mut estate = world();
    estate[0] = patch_field(&estate[0], "state", "stopped");
    let cloud = FakeCloud::new(estate);
    let report = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default())
        .resume(&run_id)
        .expect("resumes")
        .finish()
        .await
        .expect("ends");

    assert_eq!(report.status, RunStatus::Succeeded);
    let stop_web = report.steps.iter().find(|s| s.node == "stop_web").expect("stop_web reported");
    assert_eq!(stop_web.changed, ["web-1", "web-2"]);
    assert_eq!(stop_web.resolved_on_resume, ["web-1"]);
    let called: Vec<Vec<String>> = cloud.calls_of("aws.ec2.stop").into_iter().map(|call| call.targets).collect();
    assert!(!called.iter().flatten().any(|id| id == "web-1"), "web-1 was called again: {called:?}");
    let table = report.steps.iter().find(|s| s.node == "table").expect("table reported");
    assert!(format!("{:?}", table.output).contains("web-1"), "the table lists web-1: {:?}", table.output);
    let entries = audit(dir.path());
    let reconciled = entries.iter().find(|e| e["kind"] == "batch.reconciled").expect("a reconciled entry");
    assert_eq!(
        reconciled["result"],
        "batch 0 in doubt; found web-1 (\"stopped\"), changed by this run (resolved on resume)"
    );
    let resolved = journal(dir.path(), &run_id).into_iter().find_map(|record| match record {
        JournalRecord::BatchReconciled { resolved, .. } => Some(resolved),
        _ => None,
    });
    assert_eq!(resolved.map(|r| r.into_iter().map(|t| t.id).collect::<Vec<_>>()), Some(vec!["web-1".to_string()]));
}

fn patch_field(resource: &Value, name: &str, value: &str) -> Value {
    let Value::Record(fields) = resource else { panic!("a record") };
    let mut fields = fields.clone();
    fields.insert(name.to_string(), Value::String(value.to_string()));
    Value::Record(fields)
}

/// One process drives a run: while a run is going, resuming it (from this process or another, through the same
/// lease file) is refused naming the holder; once it ended, the lease is free and holds no name.
#[tokio::test(start_paused = true)]
async fn a_run_that_is_going_cannot_be_resumed_beside_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(world());
    cloud.set_latency(std::time::Duration::from_secs(5));
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let handle = runtime.run(maintenance(), RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();

    let refused = runtime.resume(&run_id).err().expect("refused while the run is going");
    assert!(refused.to_string().contains("is being driven by"), "{refused}");
    handle.finish().await.expect("ends");
    let lease = std::fs::read_to_string(dir.path().join("runs").join(&run_id).join("lease")).expect("a lease file");
    assert_eq!(lease, "", "a run that ended leaves its lease released");
}

#[tokio::test(start_paused = true)]
async fn a_finished_run_cannot_be_resumed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = FakeCloud::new(world());
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let handle = runtime.run(maintenance(), RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();
    handle.finish().await.expect("ends");

    let error = runtime.resume(&run_id).err().expect("refused");
    assert_eq!(error.to_string(), format!("run {run_id} has already finished (Succeeded); it cannot be resumed"));
}

#[tokio::test(start_paused = true)]
async fn a_journal_whose_plan_no_longer_matches_its_hash_is_refused() {
    let (records, original) = original_run().await;
    let mut prefix = records[..3].to_vec();
    if let JournalRecord::RunStarted { plan, .. } = &mut prefix[0] {
        plan.nodes[2].options.max_targets = Some(10_000);
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    write_journal(dir.path(), &original.run_id, &prefix);
    let cloud = FakeCloud::new(world());
    let error = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default())
        .resume(&original.run_id)
        .err()
        .expect("refused");

    assert!(error.to_string().contains("changed after it was compiled"), "{error}");
    assert!(cloud.calls().is_empty());
}
