//! The engine doing what a host would otherwise assemble itself, on the simulated estate: the governance found
//! in the state directory, run leases on attached state, and scheduled runs in-process.

use std::collections::BTreeMap;
use std::path::Path;

use escher_compiler::NoImports;
use escher_engine::approvals::Publication;
use escher_engine::state::{AttachedState, RunLease, StateError, StateLocation};
use escher_engine::{Engine, EngineError, GovernanceSettings, Launch, Playbook, ProviderChoice, WakeReport};
use escher_governance::identity::Identity;
use escher_governance::run::Refusal;
use escher_runtime::events::RunStatus;
use escher_state::chrono::{DateTime, Utc};
use escher_state::schedule::{self, MissedPolicy, OccurrenceStatus, Schedule};

const PLAYBOOK: &str = r#"
playbook stop_dev {
  let dev = aws.ec2.instances(regions = ["us-east-1"], tags = { env: "dev" }, state = "running")
  step stop = aws.ec2.stop(dev) { max_targets = 10 }
}
"#;

fn source() -> Playbook<'static> {
    Playbook::Source { name: "stop_dev.esc", text: PLAYBOOK }
}

async fn attached(dir: &Path) -> AttachedState {
    let location = StateLocation::parse(&dir.display().to_string()).expect("a directory");
    AttachedState::attach(location, |_| {}).await.expect("attached")
}

/// A policy whose `manager` approves what its `executor` may not run alone (anything above low), the executor
/// acting only in `regions` when given.
fn policy_text(manager: &Identity, executor: &Identity, regions: Option<&str>) -> String {
    let regions = regions.map_or_else(String::new, |regions| format!("regions = [\"{regions}\"]"));
    format!(
        r#"
        [roles.manager]
        run_without_approval = "high"
        members = [{{ name = "{}", key = "{}" }}]
        [roles.executor]
        run_without_approval = "low"
        members = [{{ name = "{}", key = "{}" }}]
        {regions}
        [approvals.medium]
        count = 1
        from = ["manager"]
        "#,
        manager.name,
        manager.public_key(),
        executor.name,
        executor.public_key()
    )
}

/// That policy, as the state directory's.
fn write_policy(state: &Path, manager: &Identity, executor: &Identity, regions: Option<&str>) {
    std::fs::write(state.join("policy.toml"), policy_text(manager, executor, regions)).expect("the policy");
}

fn audit(state: &Path) -> String {
    std::fs::read_to_string(state.join("audit").join("audit.jsonl")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_in_no_role_of_the_state_policy_is_refused_before_anything_compiles() {
    let state = tempfile::tempdir().expect("a state directory");
    let (someone, someone_else) = (Identity::from_secret("maria", [3; 32]), Identity::from_secret("otto", [4; 32]));
    write_policy(state.path(), &someone, &someone_else, None);
    let settings = GovernanceSettings { runner_name: Some("mallory".into()), ..GovernanceSettings::default() };
    let engine = Engine::builder().state_dir(state.path()).governance_settings(settings).build().expect("an engine");
    assert!(engine.is_governed());
    let refused = engine.prepare(source(), BTreeMap::new(), &NoImports).err().expect("refused");
    assert!(
        matches!(refused, EngineError::Refused(Refusal::NoRole { ref name, .. }) if name == "mallory"),
        "{refused}"
    );
    assert!(audit(state.path()).contains("not a member of any role"), "the refusal is audited");
    assert!(!state.path().join("runs").exists(), "nothing ran");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_needs_a_policy_and_an_ungoverned_engine_says_so() {
    let state = tempfile::tempdir().expect("a state directory");
    let engine = Engine::builder()
        .state_dir(state.path())
        .governance_settings(GovernanceSettings::default())
        .build()
        .expect("an engine");
    assert!(!engine.is_governed(), "no policy file, no governance");
    let error = engine.prepare(Playbook::Template("nightly"), BTreeMap::new(), &NoImports).err().expect("refused");
    assert!(matches!(error, EngineError::NeedsPolicy { .. }), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_governed_run_found_in_the_state_suspends_and_never_resumes_without_its_policy() {
    let state = tempfile::tempdir().expect("a state directory");
    let runner = Identity::load_or_create(state.path(), "oscar").expect("the runner's identity");
    write_policy(state.path(), &Identity::from_secret("maria", [7; 32]), &runner, None);
    let settings = GovernanceSettings { runner_name: Some("oscar".into()), ..GovernanceSettings::default() };
    let engine = Engine::builder()
        .state(attached(state.path()).await)
        .governance_settings(settings.clone())
        .build()
        .expect("an engine");
    let prepared = engine.prepare(source(), BTreeMap::new(), &NoImports).expect("oscar has a role");
    assert!(prepared.governance().is_some());
    let started = engine.start(prepared, &[ProviderChoice::new("sim")], Launch::default()).await.expect("starts");
    let run_id = started.run_id.clone();
    let report = started.finish().await.report.expect("a report");
    // No approver: the engine waits for signed decisions in the approvals directory, for no time at all.
    assert_eq!(report.status, RunStatus::WaitingForApproval, "{report:?}");
    assert!(state.path().join("approvals").exists(), "the request was filed");
    engine.close().expect("closed");

    // The policy is moved away: the run recorded which file governed it, and does not resume ungoverned.
    let moved = state.path().join("policy-elsewhere.toml");
    std::fs::rename(state.path().join("policy.toml"), &moved).expect("moved");
    let recorded = std::fs::read_to_string(state.path().join("runs").join(&run_id).join("governance.json"))
        .expect("the run recorded its governance");
    assert!(recorded.contains("approvals"), "{recorded}");
    let ungoverned =
        Engine::builder().state_dir(state.path()).governance_settings(settings).build().expect("an engine");
    let resumed = ungoverned.resume(&run_id).await;
    let error = resumed.err().expect("without its policy the run does not resume");
    assert!(matches!(error, EngineError::Policy(escher_governance::policy::LoadError::Read { .. })), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_whose_lease_another_runner_holds_is_not_resumed() {
    let state = tempfile::tempdir().expect("a state directory");
    let engine = Engine::builder().state(attached(state.path()).await).holder("here").build().expect("an engine");
    let plan = engine.prepare(source(), BTreeMap::new(), &NoImports).expect("ungoverned");
    let approver_less = engine.start(plan, &[ProviderChoice::new("sim")], Launch::default()).await.expect("starts");
    let run_id = approver_less.run_id.clone();
    approver_less.finish().await;

    let elsewhere = attached(state.path()).await;
    let held = RunLease::take(&elsewhere, &run_id, "laptop-b@elsewhere:1").await.expect("laptop-b takes it");
    let error = engine.resume(&run_id).await.err().expect("refused while laptop-b holds it");
    assert!(
        matches!(&error, EngineError::State(StateError::LeaseHeld { holder, .. }) if holder == "laptop-b@elsewhere:1"),
        "{error}"
    );
    held.end().await;
    // Once laptop-b lets go, what stands in the way is only that the run has nothing left to do.
    let error = engine.resume(&run_id).await.err().expect("a finished run does not resume");
    assert!(matches!(error, EngineError::Runtime(_)), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_schedule_runs_in_process_once_and_the_missed_ones_are_recorded() {
    let state = tempfile::tempdir().expect("a state directory");
    let at = |text: &str| text.parse::<DateTime<Utc>>().expect("a time");
    let schedule = Schedule {
        name: "stop-dev".into(),
        playbook_file: "stop_dev.esc".into(),
        playbook: PLAYBOOK.into(),
        cron: "0 19 * * *".into(),
        tz: "UTC".into(),
        params: BTreeMap::new(),
        clouds: vec!["sim".into()],
        missed: MissedPolicy::RunLatest,
        created_at: at("2026-06-01T00:00:00Z"),
    };
    let store = escher_state::Store::local(state.path());
    schedule::add(&store, &schedule).await.expect("scheduled");
    let engine = Engine::builder().state(attached(state.path()).await).build().expect("an engine");

    let mut reports = Vec::new();
    let now = at("2026-06-03T19:00:30Z");
    let next = engine.wake(now, "daemon-a", &NoImports, &mut |report| reports.push(report)).await.expect("woke");
    assert_eq!(next, Some(at("2026-06-04T19:00:00Z")));
    let WakeReport::Missed { count: 2, first, last, latest_runs: true, .. } = &reports[0] else {
        panic!("the two missed occurrences, reported together: {reports:?}")
    };
    assert_eq!((*first, *last), (at("2026-06-01T19:00:00Z"), at("2026-06-02T19:00:00Z")));
    let WakeReport::Recorded(ran) = &reports[1] else { panic!("the run: {reports:?}") };
    assert_eq!((ran.at, ran.status), (at("2026-06-03T19:00:00Z"), OccurrenceStatus::Ran));
    assert_eq!(ran.outcome.as_deref(), Some("succeeded"));
    let run_id = ran.run_id.clone().expect("it ran");
    assert!(state.path().join("runs").join(&run_id).join("journal.jsonl").exists());
    let audited = audit(state.path());
    assert!(audited.contains("\"schedule.missed\"") && audited.contains("\"schedule.ran\""), "{audited}");

    // A second daemon waking at the same instant finds it done.
    let mut again = Vec::new();
    engine.wake(now, "daemon-b", &NoImports, &mut |report| again.push(report)).await.expect("woke");
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_signs_on_her_own_state_and_the_suspended_run_goes_on() {
    let (oscar_state, maria_state) = (tempfile::tempdir().expect("a dir"), tempfile::tempdir().expect("a dir"));
    let oscar = Identity::load_or_create(oscar_state.path(), "oscar").expect("oscar");
    let maria = Identity::load_or_create(maria_state.path(), "maria").expect("maria");
    let policy = oscar_state.path().join("team-policy.toml");
    std::fs::write(&policy, policy_text(&maria, &oscar, None)).expect("the policy");
    let shared = GovernanceSettings {
        policy: Some(policy),
        approvals: Some(oscar_state.path().join("approvals")),
        ..GovernanceSettings::default()
    };
    let as_oscar = GovernanceSettings { runner_name: Some("oscar".into()), ..shared.clone() };
    let as_oscar_approver = as_oscar.clone();
    let as_maria = GovernanceSettings { runner_name: Some("maria".into()), ..shared };
    let engine = Engine::builder().state_dir(oscar_state.path()).governance_settings(as_oscar).build().expect("engine");
    let prepared = engine.prepare(source(), BTreeMap::new(), &NoImports).expect("oscar has a role");
    let started = engine.start(prepared, &[ProviderChoice::new("sim")], Launch::default()).await.expect("starts");
    let run_id = started.run_id.clone();
    assert_eq!(started.finish().await.report.expect("a report").status, RunStatus::WaitingForApproval);

    let missing = as_maria.decide(maria_state.path(), &run_id, "no_such_step", true, None).expect_err("no request");
    assert!(!missing.is_refusal(), "{missing}");
    // Oscar, an executor, cannot approve his own step: refused at the door, nothing filed, nothing poisoned.
    let own = as_oscar_approver.decide(oscar_state.path(), &run_id, "stop", true, None).expect_err("not his to give");
    assert!(own.is_refusal() && own.to_string().contains("signer's role"), "{own}");
    let decided = as_maria.decide(maria_state.path(), &run_id, "stop", true, None).expect("maria signs");
    assert_eq!(decided.who, "maria");
    let twice = as_maria.decide(maria_state.path(), &run_id, "stop", false, Some("changed my mind".into()));
    let twice = twice.expect_err("a settled step takes no more decisions");
    assert!(twice.is_refusal() && twice.to_string().contains("already approved by maria"), "{twice}");
    let listed = as_maria.approval_requests(maria_state.path()).expect("the requests");
    let statuses: Vec<String> = listed.into_iter().map(|r| r.expect("readable").status).collect();
    assert_eq!(statuses, ["approved"]);
    assert!(audit(maria_state.path()).contains("approval.signed"), "audited where she signed");

    let report = engine.resume(&run_id).await.expect("resumes").finish().await.report.expect("a report");
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_outside_the_runners_scope_is_refused_before_anything_runs() {
    let state = tempfile::tempdir().expect("a state directory");
    let oscar = Identity::load_or_create(state.path(), "oscar").expect("oscar");
    write_policy(state.path(), &Identity::from_secret("maria", [7; 32]), &oscar, Some("us-east-1"));
    let settings = GovernanceSettings { runner_name: Some("oscar".into()), ..GovernanceSettings::default() };
    let engine = Engine::builder().state_dir(state.path()).governance_settings(settings).build().expect("engine");
    let elsewhere = PLAYBOOK.replace("us-east-1", "eu-west-1");
    let playbook = Playbook::Source { name: "stop_dev.esc", text: &elsewhere };
    let prepared = engine.prepare(playbook, BTreeMap::new(), &NoImports).expect("oscar has a role");
    let refused = engine.start(prepared, &[ProviderChoice::new("sim")], Launch::default()).await;
    let error = refused.err().expect("out of scope");
    assert!(matches!(error, EngineError::Refused(Refusal::OutOfScope { .. })), "{error}");
    assert!(audit(state.path()).contains("\"result\":\"refused: step"), "{}", audit(state.path()));
    assert!(!state.path().join("runs").exists(), "nothing was recorded or run");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_published_through_the_engine_runs_within_its_bounds_and_is_refused_once_edited() {
    let state = tempfile::tempdir().expect("a state directory");
    let maria_state = tempfile::tempdir().expect("the manager's state");
    let oscar = Identity::load_or_create(state.path(), "oscar").expect("oscar");
    let maria = Identity::load_or_create(maria_state.path(), "maria").expect("maria");
    write_policy(state.path(), &maria, &oscar, Some("us-east-1"));
    let shared = GovernanceSettings {
        policy: Some(state.path().join("policy.toml")),
        approvals: Some(state.path().join("approvals")),
        ..GovernanceSettings::default()
    };
    let as_maria = GovernanceSettings { runner_name: Some("maria".into()), ..shared.clone() };
    let bounds = escher_governance::template::Bounds { max_targets: Some(10), ..Default::default() };
    let compiled = escher_compiler::compile_input(
        "stop_dev.esc",
        PLAYBOOK,
        &escher_compiler::CompileOptions::plan(&NoImports, BTreeMap::new()),
    );
    let plan = compiled.plan.expect("it compiles");
    let publication = Publication {
        name: "stop-dev".into(),
        file: "stop_dev.esc".into(),
        source: PLAYBOOK.into(),
        imports: Vec::new(),
        bounds,
        expires_in: None,
        new_version: false,
    };
    let path = as_maria.publish_template(maria_state.path(), publication, &plan).expect("published");

    let as_oscar = GovernanceSettings { runner_name: Some("oscar".into()), ..shared };
    let engine = Engine::builder().state_dir(state.path()).governance_settings(as_oscar).build().expect("engine");
    let prepared = engine.prepare(Playbook::Template("stop-dev"), BTreeMap::new(), &NoImports).expect("verifies");
    let run = engine.start(prepared, &[ProviderChoice::new("sim")], Launch::default()).await.expect("starts");
    let report = run.finish().await.report.expect("a report");
    assert_eq!(report.status, RunStatus::Succeeded, "the template covers the stop: {report:?}");

    let text = std::fs::read_to_string(&path).expect("the template file");
    std::fs::write(&path, text.replace("\"max_targets\": 10", "\"max_targets\": 1000")).expect("tampered");
    let error = engine.prepare(Playbook::Template("stop-dev"), BTreeMap::new(), &NoImports).err().expect("refused");
    assert!(matches!(error, EngineError::Refused(Refusal::Template(_))), "{error}");
    assert!(audit(state.path()).contains("template.refused"), "the refusal is audited");
}
