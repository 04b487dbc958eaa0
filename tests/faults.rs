//! Fault tests of the whole runtime through the command line, with the simulator's deterministic faults
//! (`--sim-faults`): which failures are retried and how long the runtime waits, what `on_failure`,
//! `max_errors` and `max_targets` do to a run and to the estate, and what SIGINT does to a run.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

const DEMO_ESTATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/estate/demo.json");

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/run/{name}.esc", env!("CARGO_MANIFEST_DIR"))
}

fn escher() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_escher"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    command
}

/// Resources by id.
type Resources = BTreeMap<String, Value>;

fn resources_of(json: &Value) -> Resources {
    let accounts = json["accounts"].as_array().expect("an estate has accounts");
    accounts
        .iter()
        .flat_map(|account| account["resources"].as_array().cloned().unwrap_or_default())
        .map(|resource| (resource["id"].as_str().expect("every resource has an id").to_string(), resource))
        .collect()
}

fn read_resources(path: &std::path::Path) -> Resources {
    // The file with its change log, as the simulator reads them.
    let text = escher_sim::Sim::from_file(path).expect("the estate loads").estate_json();
    resources_of(&serde_json::from_str(&text).expect("the estate is JSON"))
}

fn demo() -> &'static Resources {
    static DEMO: OnceLock<Resources> = OnceLock::new();
    DEMO.get_or_init(|| read_resources(std::path::Path::new(DEMO_ESTATE)))
}

/// The ids of the demo's running dev EC2 instances, sorted.
fn running_dev_instances() -> Vec<String> {
    demo()
        .iter()
        .filter(|(_, r)| r["kind"] == "aws.ec2.Instance" && r["state"] == "running" && r["tags"]["env"] == "dev")
        .map(|(id, _)| id.clone())
        .collect()
}

fn ids_of_kind(resources: &Resources, kind: &str, env: &str) -> Vec<String> {
    resources
        .iter()
        .filter(|(_, r)| r["kind"] == kind && (r["tags"]["env"] == env || r["labels"]["env"] == env))
        .map(|(id, _)| id.clone())
        .collect()
}

/// A state directory and an estate file that `escher run` changes in place.
struct Scene {
    dir: tempfile::TempDir,
}

/// What one `escher` process did.
struct Ran {
    code: Option<i32>,
    events: Vec<Value>,
    stderr: String,
}

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::copy(DEMO_ESTATE, dir.path().join("estate.json")).expect("copy the demo estate");
        Scene { dir }
    }

    fn estate_file(&self) -> PathBuf {
        self.dir.path().join("estate.json")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn run_command(&self, playbook: &str, params: &[&str], faults: &str) -> Command {
        let mut command = escher();
        command
            .arg("run")
            .arg(fixture(playbook))
            .arg("--estate")
            .arg(self.estate_file())
            .arg("--estate-out")
            .arg(self.estate_file())
            .args(["--sim-faults", faults, "--approve-up-to", "high", "--format", "json", "--state"])
            .arg(self.state());
        for param in params {
            command.args(["--param", param]);
        }
        command
    }

    fn run(&self, playbook: &str, params: &[&str], faults: &str) -> Ran {
        ran(self.run_command(playbook, params, faults).output().expect("escher run runs"))
    }

    fn resume(&self, run_id: &str) -> Ran {
        let output = escher()
            .args(["resume", run_id, "--approve-up-to", "high", "--format", "json", "--state"])
            .arg(self.state())
            .output()
            .expect("escher resume runs");
        ran(output)
    }

    fn run_id(&self) -> Option<String> {
        let entries = fs::read_dir(self.state().join("runs")).ok()?;
        entries.flatten().find(|entry| entry.path().is_dir()).map(|entry| entry.file_name().to_string_lossy().into())
    }

    fn journal(&self) -> Vec<Value> {
        let Some(run_id) = self.run_id() else { return Vec::new() };
        let text = fs::read_to_string(self.state().join("runs").join(run_id).join("journal.jsonl")).unwrap_or_default();
        text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect()
    }

    fn resources(&self) -> Resources {
        read_resources(&self.estate_file())
    }
}

fn ran(output: Output) -> Ran {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let events = stdout.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    Ran { code: output.status.code(), events, stderr: String::from_utf8_lossy(&output.stderr).into_owned() }
}

impl Ran {
    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.events.iter().filter(move |event| event["event"] == kind)
    }

    fn step_finished(&self, node: &str) -> &Value {
        self.of_kind("step_finished")
            .find(|event| event["node"] == node)
            .unwrap_or_else(|| panic!("no step_finished event for {node}; stderr:\n{}", self.stderr))
    }

    fn run_status(&self) -> &Value {
        &self.of_kind("run_finished").last().expect("a run_finished event")["status"]
    }
}

fn journal_records<'a>(journal: &'a [Value], record: &'a str, node: &'a str) -> Vec<&'a Value> {
    journal.iter().filter(|r| r["record"] == record && r["node"] == node).collect()
}

/// The resources whose fields differ between `found` and `wanted`, other than `ignored` fields.
fn changed_ids(found: &Resources, wanted: &Resources, ignored: &[&str]) -> Vec<String> {
    let strip = |resource: &Value| {
        let mut resource = resource.clone();
        if let Some(fields) = resource.as_object_mut() {
            for field in ignored {
                fields.remove(*field);
            }
        }
        resource
    };
    wanted
        .keys()
        .chain(found.keys())
        .filter(|id| found.get(*id).map(strip) != wanted.get(*id).map(strip))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn states(resources: &Resources, ids: &[String]) -> Vec<String> {
    ids.iter().map(|id| resources[id]["state"].as_str().unwrap_or("?").to_string()).collect()
}

#[test]
fn throttles_5xx_and_timeouts_are_retried_with_backoff_and_the_step_succeeds() {
    let scene = Scene::new();
    // One region, so one batch: the first three calls of `aws.ec2.stop` are its first three attempts.
    let faults = "fail_call=aws.ec2.stop#1:throttled,fail_call=aws.ec2.stop#2,fail_call=aws.ec2.stop#3:timeout,\
                  retry_after=150ms";
    let ran = scene.run("stop_dev_instances", &["regions=us-east-1", "retries=3"], faults);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);

    let retries: Vec<&Value> = ran.of_kind("step_retrying").collect();
    let attempts: Vec<&Value> = retries.iter().map(|event| &event["attempt"]).collect();
    assert_eq!(attempts, [2, 3, 4], "one retry after each failed attempt: {retries:?}");
    assert!(retries[0]["error"].as_str().is_some_and(|e| e.starts_with("throttled")), "{:?}", retries[0]);
    assert_eq!(retries[0]["delay_ms"], 150, "a throttle's retry_after is believed");
    // Full jitter under a ceiling that doubles from 200 ms: the second retry waits at most 400 ms, the third 800.
    let delay = |i: usize| retries[i]["delay_ms"].as_u64().expect("a delay");
    assert!(delay(1) <= 400, "the retry after the 5xx waited {} ms", delay(1));
    assert!(delay(2) <= 800, "the retry after the timeout waited {} ms", delay(2));

    let stop = ran.step_finished("stop");
    assert_eq!((&stop["status"], &stop["changed"]), (&Value::from("succeeded"), &Value::from(4)));
    let journal = scene.journal();
    let started: Vec<&Value> =
        journal_records(&journal, "step_started", "stop").iter().map(|r| &r["attempt"]).collect();
    assert_eq!(started, [1, 2, 3, 4], "each attempt is journaled before it is made");
    assert_eq!(journal_records(&journal, "batch_finished", "stop").len(), 1);
}

/// A throttled call did nothing, so it is retried under the runtime's safe budget (10) even when the step's
/// `retry` is smaller; throttling that outlasts the budget fails the step after one attempt more.
#[test]
fn throttling_that_outlasts_the_safe_retry_budget_fails_the_step_after_one_attempt_more_than_the_budget() {
    let scene = Scene::new();
    let ran = scene.run(
        "stop_dev_instances",
        &["regions=us-east-1", "retries=2"],
        "fail_action=aws.ec2.stop:throttled,retry_after=20ms",
    );
    assert_eq!(ran.code, Some(1), "a failed run exits 1: {}", ran.stderr);
    assert_eq!(ran.of_kind("step_retrying").count(), 10);
    assert_eq!(ran.step_finished("stop")["status"], "failed");
    assert_eq!(journal_records(&scene.journal(), "step_started", "stop").len(), 11);
    assert_eq!(changed_ids(&scene.resources(), demo(), &[]), Vec::<String>::new(), "nothing was stopped");
}

#[test]
fn a_refused_call_is_not_retried() {
    let scene = Scene::new();
    let ran = scene.run("stop_dev_instances", &["regions=us-east-1", "retries=3"], "fail_call=aws.ec2.stop#1:rejected");
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert_eq!(ran.of_kind("step_retrying").count(), 0, "a 4xx is final");
    let stop = ran.step_finished("stop");
    assert_eq!(stop["status"], "failed");
    assert!(stop["error"].as_str().is_some_and(|e| e.contains("rejected")), "{stop}");
    assert_eq!(journal_records(&scene.journal(), "step_started", "stop").len(), 1, "one attempt only");
    assert_eq!(changed_ids(&scene.resources(), demo(), &[]), Vec::<String>::new(), "nothing was stopped");
}

#[test]
fn on_failure_continue_lets_independent_steps_finish_and_skips_the_failed_steps_dependents() {
    let scene = Scene::new();
    let ran = scene.run("continue_past_a_failure", &[], "fail_action=aws.ec2.stop:rejected");
    assert_eq!(ran.code, Some(1), "a run with a failed step exits 1: {}", ran.stderr);
    assert_eq!(ran.step_finished("stop_ec2")["status"], "failed");
    assert_eq!(ran.step_finished("stop_azure")["status"], "succeeded");
    assert_eq!(ran.step_finished("tag_azure")["status"], "succeeded");
    let skipped: Vec<&Value> = ran.of_kind("step_skipped").map(|event| &event["node"]).collect();
    assert_eq!(skipped, ["tag_ec2"], "only the failed step's dependent is skipped");
    assert_eq!(ran.run_status(), "failed");

    let journal = scene.journal();
    assert_eq!(journal_records(&journal, "step_skipped", "tag_ec2").len(), 1);
    assert!(journal_records(&journal, "step_started", "tag_ec2").is_empty());

    let after = scene.resources();
    let vms: Vec<String> = ids_of_kind(demo(), "azure.vm.VirtualMachine", "dev")
        .into_iter()
        .filter(|id| demo()[id]["state"] == "running" && demo()[id]["resource_group"] == "rg-dev")
        .collect();
    assert_eq!(vms.len(), 4, "the demo's running dev VMs in rg-dev");
    assert!(states(&after, &vms).iter().all(|state| state == "deallocated"), "{:?}", states(&after, &vms));
    assert!(vms.iter().all(|id| after[id]["tags"]["stopped_by"] == "escher"));
    assert_eq!(changed_ids(&after, demo(), &[]), vms, "only the Azure VMs changed");
}

#[test]
fn on_failure_rollback_undoes_the_completed_steps_newest_first_and_restores_their_resources() {
    let scene = Scene::new();
    let ran = scene.run("rollback_window", &[], "fail_action=gcp.compute.stop:rejected");
    assert_eq!(ran.code, Some(1), "a rolled-back run exits 1: {}", ran.stderr);
    assert_eq!(ran.run_status(), "rolled_back");
    let undos: Vec<(&Value, &Value)> = ran.of_kind("rollback_started").map(|e| (&e["node"], &e["undo"])).collect();
    assert_eq!(
        undos,
        [
            (&Value::from("stop_azure"), &Value::from("azure.vm.start")),
            (&Value::from("stop_ec2"), &Value::from("aws.ec2.start"))
        ],
        "the step that completed last is undone first"
    );
    let journal = scene.journal();
    let rolled_back: Vec<&Value> =
        journal.iter().filter(|r| r["record"] == "rolled_back").map(|r| &r["node"]).collect();
    assert_eq!(rolled_back, ["stop_azure", "stop_ec2"]);
    assert_eq!(ran.step_finished("stop_gce")["status"], "failed");

    // A start sets `launch_time` (as EC2 does): the instances were launched again. Everything else is back.
    let changed = changed_ids(&scene.resources(), demo(), &["launch_time"]);
    assert_eq!(changed, Vec::<String>::new(), "resources not restored by the rollback");
}

#[test]
fn max_errors_tolerates_that_many_failed_targets() {
    let instances = running_dev_instances();
    let scene = Scene::new();
    let faults = format!("fail_id={},fail_id={}", instances[0], instances[1]);
    let ran = scene.run("stop_dev_instances", &["tolerated=2"], &faults);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let stop = ran.step_finished("stop");
    assert_eq!(stop["status"], "partially_succeeded");
    assert_eq!((&stop["changed"], &stop["failed"]), (&Value::from(instances.len() - 2), &Value::from(2)));
    let after = scene.resources();
    assert_eq!(states(&after, &instances[..2]), ["running", "running"]);
    assert!(states(&after, &instances[2..]).iter().all(|state| state == "stopped"));
}

#[test]
fn max_errors_fails_the_step_at_one_failed_target_more() {
    let instances = running_dev_instances();
    let scene = Scene::new();
    let faults = format!("fail_id={},fail_id={},fail_id={}", instances[0], instances[1], instances[2]);
    let ran = scene.run("stop_dev_instances", &["tolerated=2"], &faults);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let stop = ran.step_finished("stop");
    assert_eq!(stop["status"], "failed");
    assert_eq!(stop["failed"], 3);
    assert!(stop["error"].as_str().is_some_and(|e| e.contains("max_errors = 2")), "{stop}");
    assert_eq!(ran.run_status(), "failed");
}

#[test]
fn max_targets_below_the_real_count_fails_the_step_before_anything_is_called() {
    let scene = Scene::new();
    let ran = scene.run("stop_dev_instances", &["limit=3"], "seed=1");
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let stop = ran.step_finished("stop");
    assert_eq!(stop["status"], "failed");
    assert!(stop["error"].as_str().is_some_and(|e| e.contains("max_targets = 3")), "{stop}");
    assert!(journal_records(&scene.journal(), "step_started", "stop").is_empty(), "no call was journaled");
    assert_eq!(changed_ids(&scene.resources(), demo(), &[]), Vec::<String>::new(), "the estate is unchanged");
}

/// Waits until the journal holds `records` lines, or panics after a minute.
fn wait_for_records(scene: &Scene, records: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while scene.journal().len() < records {
        assert!(Instant::now() < deadline, "the journal never reached {records} records");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sigint_cancels_a_run_with_exit_130_and_resume_finishes_it() {
    let scene = Scene::new();
    let child = scene
        .run_command("maintenance_waves", &[], "latency=40ms,seed=3")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("escher run starts");
    // Well into the run: the signal handler is installed and several steps are under way.
    wait_for_records(&scene, 40);
    let signal = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(signal.success());
    let output = child.wait_with_output().expect("the run ends");
    assert_eq!(output.status.code(), Some(130), "{}", String::from_utf8_lossy(&output.stderr));

    let journal = scene.journal();
    let last = journal.last().expect("a journal");
    assert_eq!((&last["record"], &last["status"]), (&Value::from("run_finished"), &Value::from("cancelled")));
    let run_id = scene.run_id().expect("a run id");
    let finished_before = journal.iter().filter(|r| r["record"] == "step_finished").count();

    let resumed = scene.resume(&run_id);
    assert_eq!(resumed.code, Some(0), "escher resume of a cancelled run: {}", resumed.stderr);
    assert_eq!(resumed.run_status(), "succeeded");
    let journal = scene.journal();
    let plan_nodes = journal[0]["plan"]["nodes"].as_array().map_or(0, Vec::len);
    assert!(finished_before < plan_nodes, "the cancellation stopped the run early");
    // A step the signal caught mid-batch is journaled cancelled and runs again on resume; what counts is that
    // every step's last record says it succeeded.
    let mut last_status = std::collections::BTreeMap::new();
    for record in journal.iter().filter(|r| r["record"] == "step_finished") {
        last_status.insert(record["node"].as_str().unwrap_or_default().to_string(), record["status"].clone());
    }
    assert_eq!(last_status.len(), plan_nodes, "every step finished, before or after the resume");
    assert!(last_status.values().all(|s| s == "succeeded"), "{last_status:?}");
}
