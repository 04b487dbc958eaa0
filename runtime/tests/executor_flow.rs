//! A run from start to end: outputs flowing from queries to steps to reports, `when`, the core actions, and
//! what the journal, the audit log and the event stream say, in order.

mod executor_support;

use std::sync::Arc;

use escher_compiler::plan::Value;
use escher_runtime::RunOptions;
use escher_runtime::events::{EventKind, RunStatus, StepStatus};
use executor_support::*;

const STOP_AND_REPORT: &str = r#"
playbook nightly {
  let ec2 = aws.ec2.instances(regions = ["us-east-1"])
  step stop = aws.ec2.stop(ec2) { max_targets = 10 }
  step table = report.table("Stopped", stop.changed)
}
"#;

fn two_instances() -> Arc<FakeCloud> {
    FakeCloud::new(vec![instance("i-1", "us-east-1"), instance("i-2", "us-east-1")])
}

#[tokio::test(start_paused = true)]
async fn a_query_feeds_a_step_whose_changed_resources_feed_a_report() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    let events = Arc::new(Collect::default());
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), events.clone());
    let report =
        runtime.run(plan(STOP_AND_REPORT), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Succeeded);
    let statuses: Vec<_> = report.steps.iter().map(|s| (s.node.as_str(), s.status)).collect();
    assert_eq!(
        statuses,
        [("ec2", StepStatus::Succeeded), ("stop", StepStatus::Succeeded), ("table", StepStatus::Succeeded)]
    );
    assert_eq!(report.steps[1].changed, ["i-1", "i-2"]);
    let table = &report.steps[2].output;
    assert_eq!(field(table, "row_count"), &Value::Int(2));
    assert_eq!(ids(field(table, "rows")), ["i-1", "i-2"], "the report lists what the stop changed");
    assert_eq!(cloud.state_of("i-1"), "stopped");
    let actions: Vec<String> = cloud.calls().into_iter().map(|c| c.action).collect();
    assert_eq!(actions, ["aws.ec2.instances", "aws.ec2.stop"], "reports call no provider");
}

#[tokio::test(start_paused = true)]
async fn the_journal_records_each_batch_before_and_after_its_call_and_the_run_at_both_ends() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let handle = runtime.run(plan(STOP_AND_REPORT), RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();
    handle.finish().await.expect("ends");

    assert_eq!(
        journal_kinds(dir.path(), &run_id),
        [
            "run_started",
            "step_started", // the query's call
            "batch_finished",
            "step_finished",
            "step_started", // the stop's one batch
            "batch_finished",
            "step_finished",
            "step_finished", // the report
            "run_finished",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn events_arrive_in_order_from_run_started_to_run_finished_on_the_sink_and_the_handle() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let events = Arc::new(Collect::default());
    let runtime = runtime(dir.path(), &two_instances(), Decide::refusing(), events.clone());
    let mut handle = runtime.run(plan(STOP_AND_REPORT), RunOptions::default()).expect("starts");
    let mut streamed = Vec::new();
    while let Some(event) = handle.next_event().await {
        streamed.push(event);
    }
    handle.finish().await.expect("ends");

    let sunk = events.events.lock().expect("unpoisoned").clone();
    assert_eq!(streamed, sunk, "the handle's stream mirrors the sink");
    let seqs: Vec<u64> = sunk.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=sunk.len() as u64).collect::<Vec<_>>());
    let names: Vec<String> = sunk
        .iter()
        .map(|e| match &e.kind {
            EventKind::RunStarted { .. } => "run_started".to_string(),
            EventKind::StepStarted { node, targets, .. } => format!("started {node} ({targets} targets)"),
            EventKind::StepFinished { node, status, changed, .. } => format!("finished {node} {status:?} {changed}"),
            EventKind::RunFinished { status, .. } => format!("run_finished {status:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "run_started",
            "started ec2 (0 targets)",
            "finished ec2 Succeeded 0",
            "started stop (2 targets)",
            "finished stop Succeeded 2",
            "started table (0 targets)",
            "finished table Succeeded 0",
            "run_finished Succeeded",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_audit_log_records_the_run_and_each_step_with_its_targets() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let runtime = runtime(dir.path(), &two_instances(), Decide::refusing(), Arc::default());
    let report =
        runtime.run(plan(STOP_AND_REPORT), RunOptions::default()).expect("starts").finish().await.expect("ends");

    let entries = audit(dir.path());
    let kinds: Vec<(&str, Option<&str>)> =
        entries.iter().map(|e| (e["kind"].as_str().unwrap_or(""), e["step"].as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("run.started", None),
            ("step.finished", Some("stop")),
            ("step.finished", Some("table")),
            ("run.finished", None)
        ]
    );
    assert_eq!(entries[1]["targets"], serde_json::json!(["i-1", "i-2"]));
    assert_eq!(entries[1]["result"], "succeeded: 2 changed, 0 unchanged, 0 failed");
    assert_eq!(entries[1]["who"], "tester");
    assert!(
        entries.iter().all(|e| e["run_id"] == report.run_id.as_str() && e["plan_hash"] == report.plan_hash.as_str())
    );
}

#[tokio::test(start_paused = true)]
async fn a_false_when_skips_the_step_and_later_steps_read_its_empty_outcome() {
    let source = r#"
    playbook careful {
      let ec2 = aws.ec2.instances(regions = ["us-east-1"], state = "running")
      step stop = aws.ec2.stop(ec2) { when = len(ec2) > 5, max_targets = 10 }
      step table = report.table("Stopped", stop.changed)
    }
    "#;
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let report = runtime.run(plan(source), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.steps[1].status, StepStatus::Skipped);
    assert_eq!(report.steps[1].error.as_deref(), Some("its `when` condition was false"));
    assert_eq!(report.steps[2].status, StepStatus::Succeeded);
    assert_eq!(field(&report.steps[2].output, "row_count"), &Value::Int(0));
    assert!(cloud.calls_of("aws.ec2.stop").is_empty());
}

#[tokio::test(start_paused = true)]
async fn wait_sleeps_notify_keeps_its_undelivered_message_and_fail_fails_the_run() {
    let source = r##"
    playbook checks {
      step pause = wait(30s)
      step tell after (pause) = notify("#ops", "paused for ${pause.waited}")
      step halt after (tell) = fail("found something to look at")
    }
    "##;
    let dir = tempfile::tempdir().expect("a temp dir");
    let runtime = runtime(dir.path(), &FakeCloud::new(Vec::new()), Decide::refusing(), Arc::default());
    let started = tokio::time::Instant::now();
    let report = runtime.run(plan(source), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(started.elapsed().as_secs(), 30, "the wait spends its time on the (paused) clock");
    assert_eq!(field(&report.steps[0].output, "waited"), &Value::Duration { duration_ms: 30_000 });
    let told = &report.steps[1].output;
    assert_eq!(field(told, "delivered"), &Value::Bool(false));
    assert_eq!(field(told, "channel"), &Value::String("#ops".into()));
    assert_eq!(field(told, "message"), &Value::String("paused for 30s".into()));
    assert_eq!(report.steps[2].status, StepStatus::Failed);
    assert_eq!(report.steps[2].error.as_deref(), Some("found something to look at"));
    assert_eq!(report.status, RunStatus::Failed);
}

#[tokio::test(start_paused = true)]
async fn a_script_reads_its_inputs_and_its_value_flows_on() {
    let source = r#"
    playbook naming {
      let ec2 = aws.ec2.instances(regions = ["us-east-1"])
      step misnamed = script(instances = ec2, prefix = "web-") -> list<string> {
        let bad = [];
        for i in instances { if !i.name.starts_with(prefix) { bad.push(i.id); } }
        bad
      }
      step table = report.table("Misnamed", misnamed)
    }
    "#;
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut web = instance("i-1", "us-east-1");
    if let Value::Record(fields) = &mut web {
        fields.insert("name".into(), Value::String("web-1".into()));
    }
    let cloud = FakeCloud::new(vec![web, instance("i-2", "us-east-1")]);
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let report = runtime.run(plan(source), RunOptions::default()).expect("starts").finish().await.expect("ends");

    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.steps[1].error);
    assert_eq!(report.steps[1].output, Value::List(vec![Value::String("i-2".into())]));
    assert_eq!(field(&report.steps[2].output, "row_count"), &Value::Int(1));
}

#[tokio::test(start_paused = true)]
async fn a_plan_changed_after_compiling_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let cloud = two_instances();
    let runtime = runtime(dir.path(), &cloud, Decide::refusing(), Arc::default());
    let mut tampered = plan(STOP_AND_REPORT);
    tampered.nodes[1].options.max_targets = Some(1000);
    let error = runtime.run(tampered, RunOptions::default()).err().expect("refused");
    assert!(error.to_string().contains("changed after it was compiled"), "{error}");
    assert!(cloud.calls().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_cloud_without_a_provider_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let gcp_only = FakeCloud::named("gcp-only", &[escher_compiler::stdlib::Cloud::Gcp], Vec::new());
    let runtime = runtime(dir.path(), &gcp_only, Decide::refusing(), Arc::default());
    let error = runtime.run(plan(STOP_AND_REPORT), RunOptions::default()).err().expect("refused");
    assert_eq!(error.to_string(), "step `ec2` needs a provider for aws, and none was given to the runtime");
}

/// Knows one secret.
struct OneSecret(String);

impl escher_runtime::secrets::SecretStore for OneSecret {
    fn get(&self, name: &str) -> Result<escher_runtime::provider::Secret, escher_runtime::secrets::SecretError> {
        match name {
            "hook" => Ok(escher_runtime::provider::Secret::new(format!("{}/T0KEN", self.0))),
            _ => Err(escher_runtime::secrets::SecretError::Missing {
                name: name.into(),
                env_var: "ESCHER_SECRET_X".into(),
                file: "secrets.json".into(),
            }),
        }
    }
}

/// A webhook on 127.0.0.1 that takes every delivery: its address (`http://127.0.0.1:PORT`).
fn webhook() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::{Read, Write};
            let mut stream = stream;
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn a_secret_argument_is_resolved_when_the_step_runs_and_appears_in_no_record() {
    let source = r##"
    playbook tell {
      step told = notify("#ops", "rotated", webhook = secret("hook"))
    }
    "##;
    let dir = tempfile::tempdir().expect("a temp dir");
    let events = Arc::new(Collect::default());
    let runtime = escher_runtime::Runtime::builder()
        .state_dir(dir.path())
        .secrets(Arc::new(OneSecret(webhook())))
        .event_sink(events.clone())
        .build()
        .expect("a runtime");
    let handle = runtime.run(plan(source), RunOptions::default()).expect("starts");
    let run_id = handle.run_id.clone();
    let report = handle.finish().await.expect("ends");

    assert_eq!(report.steps[0].status, StepStatus::Succeeded);
    let journal_text =
        std::fs::read_to_string(dir.path().join("runs").join(&run_id).join("journal.jsonl")).expect("a journal");
    let audit_text = std::fs::read_to_string(dir.path().join("audit").join("audit.jsonl")).expect("an audit log");
    let events_text = format!("{:?}", events.kinds());
    let report_text = serde_json::to_string(&report).expect("a report serializes");
    for (name, text) in
        [("journal", journal_text), ("audit", audit_text), ("events", events_text), ("report", report_text)]
    {
        assert!(text.contains("told"), "the {name} is about this run");
        assert!(!text.contains("T0KEN"), "the secret leaked into the {name}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_missing_secret_refuses_the_run_before_any_step_runs() {
    let source = r##"
    playbook tell {
      step told = notify("#ops", "rotated", webhook = secret("hook"))
      step missing after (told) = notify("#ops", "again", webhook = secret("nope"))
    }
    "##;
    let dir = tempfile::tempdir().expect("a temp dir");
    let runtime = escher_runtime::Runtime::builder()
        .state_dir(dir.path())
        .secrets(Arc::new(OneSecret(webhook())))
        .build()
        .expect("a runtime");
    let refused = runtime.run(plan(source), RunOptions::default());
    let error = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("no secret named \"nope\"") && error.contains("nothing was run"), "{error}");
    assert!(!dir.path().join("runs").exists(), "no journal was started");
}
