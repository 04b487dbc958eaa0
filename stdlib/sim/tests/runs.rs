//! The example playbooks run end to end on the demo estate through the runtime, and change what they say.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::*;
use escher_compiler::plan::{Plan, RiskLevel};
use escher_compiler::{CompileOptions, MemoryLoader, ParamInput, compile};
use escher_runtime::approval::ApproveUpTo;
use escher_runtime::events::{RunStatus, StepStatus};
use escher_runtime::report::RunReport;
use escher_runtime::{RunOptions, Runtime};
use escher_sim::Sim;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

fn plan(file: &str, params: &[(&str, &str)]) -> Plan {
    let mut loader = MemoryLoader::default();
    let library = std::fs::read_to_string(format!("{EXAMPLES}/lib/notify_team.esc")).expect("the library");
    loader.files.insert("lib/notify_team.esc".into(), library);
    let text = std::fs::read_to_string(format!("{EXAMPLES}/{file}")).expect("the example");
    let params: BTreeMap<String, ParamInput> =
        params.iter().map(|(k, v)| (k.to_string(), ParamInput::Text(v.to_string()))).collect();
    let compiled = compile(file, &text, &CompileOptions::plan(&loader, params));
    compiled.plan.unwrap_or_else(|| panic!("{file} does not compile: {:?}", compiled.diagnostics))
}

async fn run(sim: Arc<Sim>, plan: Plan, dry_run: bool) -> RunReport {
    let state = tempfile::tempdir().expect("a state directory");
    let runtime = Runtime::builder()
        .provider(sim)
        .approver(Arc::new(ApproveUpTo { level: RiskLevel::Critical, who: "test".into() }))
        .state_dir(state.path())
        .identity("test", "manager")
        .build()
        .expect("a runtime");
    runtime.run(plan, RunOptions { dry_run }).expect("the run starts").finish().await.expect("the run ends")
}

fn step<'a>(report: &'a RunReport, node: &str) -> &'a escher_runtime::report::StepReport {
    report.steps.iter().find(|s| s.node == node).unwrap_or_else(|| panic!("no step {node}"))
}

#[tokio::test]
async fn every_example_runs_to_success_on_the_demo() {
    let examples: &[(&str, &[(&str, &str)])] = &[
        ("nightly_shutdown.esc", &[]),
        ("weekend_startup.esc", &[("database_warmup", "0s")]),
        ("production_dr.esc", &[("health_check_id", "0a1b2c3d-0000-4000-8000-123456789abc")]),
        ("waste_cleanup.esc", &[]),
        ("public_storage_lockdown.esc", &[]),
        ("encryption_enforcement.esc", &[]),
        ("open_ports_remediation.esc", &[]),
        ("tag_compliance.esc", &[]),
        ("resize.esc", &[("instance_id", "i-0123456789abcdef0")]),
        ("cost_report.esc", &[]),
    ];
    for (file, params) in examples {
        let report = run(Arc::new(Sim::demo()), plan(file, params), false).await;
        let failed: Vec<String> = report
            .steps
            .iter()
            .filter(|s| !matches!(s.status, StepStatus::Succeeded | StepStatus::Skipped))
            .map(|s| format!("{} {:?} {:?} {:?}", s.node, s.status, s.error, s.failed))
            .collect();
        assert_eq!(report.status, RunStatus::Succeeded, "{file}: {failed:#?}");
        assert!(failed.is_empty(), "{file}: {failed:#?}");
    }
}

#[tokio::test]
async fn nightly_shutdown_stops_the_dev_machines_of_every_cloud_and_a_second_run_finds_none() {
    let sim = Arc::new(Sim::demo());
    let report = run(Arc::clone(&sim), plan("nightly_shutdown.esc", &[]), false).await;
    let changed = |node| step(&report, node).changed.len();
    assert_eq!((changed("stop_ec2"), changed("stop_azure"), changed("stop_gce")), (6, 4, 5));
    for id in &step(&report, "stop_azure").changed {
        assert_eq!(state_of(&sim, id), "deallocated");
    }
    let again = run(Arc::clone(&sim), plan("nightly_shutdown.esc", &[]), false).await;
    assert_eq!(step(&again, "stop_ec2").status, StepStatus::Skipped, "nothing is left running");
}

#[tokio::test]
async fn a_dry_run_of_an_example_reports_what_the_real_run_does_and_changes_nothing() {
    let sim = Arc::new(Sim::demo());
    let before = sim.estate_json();
    let dry = run(Arc::clone(&sim), plan("waste_cleanup.esc", &[]), true).await;
    assert_eq!(sim.estate_json(), before);
    let real = run(Arc::clone(&sim), plan("waste_cleanup.esc", &[]), false).await;
    for node in ["snapshot_volumes", "delete_snapshots", "image_idle"] {
        assert_eq!(step(&dry, node).changed, step(&real, node).changed, "{node}");
    }
    let changed = |node| step(&real, node).changed.len();
    assert_eq!((changed("delete_volumes"), changed("delete_snapshots"), changed("terminate_idle")), (6, 7, 3));
}

#[tokio::test]
async fn production_dr_backs_up_replicates_and_sets_the_failover_pair() {
    let sim = Arc::new(Sim::demo());
    let report = run(
        Arc::clone(&sim),
        plan("production_dr.esc", &[("health_check_id", "0a1b2c3d-0000-4000-8000-123456789abc")]),
        false,
    )
    .await;
    assert_eq!(step(&report, "snapshot_databases").changed.len(), 3);
    assert_eq!(step(&report, "image_critical").changed.len(), 3);
    let versioned = step(&report, "version_buckets");
    assert_eq!(versioned.changed.len() + versioned.unchanged.len(), step(&report, "replicate_buckets").changed.len());
    for bucket in &step(&report, "replicate_buckets").changed {
        let replica = current(&sim, &format!("dr-{bucket}")).expect("a replica bucket");
        assert_eq!(field(&replica, "region"), "us-west-2");
    }
    let primary = current(&sim, "Z1D633PJN98FT9/app.example.com./A/primary").expect("the primary record");
    assert_eq!(
        (field(&primary, "failover"), field(&primary, "health_check_id")),
        ("PRIMARY", "0a1b2c3d-0000-4000-8000-123456789abc")
    );
}

/// On the simulator a `wait` moves its clock instead of sleeping (on tokio's real clock here): ten minutes pass
/// at once, the run shows them waited, and the stops still stopping before the wait are stopped after it.
#[tokio::test]
async fn a_wait_passes_on_the_simulators_clock_and_transitions_complete_within_it() {
    let source = r#"
    playbook pause {
      let web = aws.ec2.instances(regions = ["us-east-1"], state = "running")
      step stop = aws.ec2.stop(web) { max_targets = 50 }
      step pause after (stop) = wait(10m)
    }
    "#;
    let compiled = compile("pause.esc", source, &CompileOptions::plan(&MemoryLoader::default(), BTreeMap::new()));
    let plan = compiled.plan.unwrap_or_else(|| panic!("it compiles: {:?}", compiled.diagnostics));
    let sim = Arc::new(Sim::demo().with_config(escher_sim::SimConfig::parse("transition=5m").expect("valid")));
    let started = std::time::Instant::now();
    let report = run(sim.clone(), plan, false).await;

    assert!(started.elapsed() < std::time::Duration::from_secs(60), "the wait was spent: {:?}", started.elapsed());
    assert_eq!(report.status, RunStatus::Succeeded);
    let waited = record(step(&report, "pause").output.clone());
    assert_eq!(waited.get("waited"), Some(&escher_compiler::plan::Value::Duration { duration_ms: 600_000 }));
    let stopped = &step(&report, "stop").changed;
    assert!(!stopped.is_empty(), "the demo has running instances in us-east-1");
    for id in stopped {
        assert_eq!(state_of(&sim, id), "stopped", "{id} is still stopping after the wait");
    }
}
