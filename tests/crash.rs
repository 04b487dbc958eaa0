//! Crash tests of the whole runtime through the command line. `escher run` executes a maintenance window over
//! every dev machine of the demo estate (`tests/fixtures/run/maintenance_waves.esc`, ~30 steps, ~100 provider
//! calls, a couple of seconds), and is killed with SIGKILL at many points: after N records reached its journal,
//! plus a few milliseconds so that kills also land inside provider calls. `escher resume` then finishes the run
//! (at some points it is killed in turn and resumed again), and each time:
//!
//! - the estate it leaves is the estate an uninterrupted run leaves (see [`Estate`] for what is compared);
//! - no step that had finished, and no mutating batch that had finished, started again after a kill;
//! - `escher audit verify` passes, and `escher show` says the run succeeded.
//!
//! The simulated estate is written to the file the run reads (`--estate E --estate-out E`) after every change,
//! so like a real cloud it keeps what a killed run did.

mod support;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

use serde_json::Value;
use support::kill::text;

const PLAYBOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run/maintenance_waves.esc");
const DEMO_ESTATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/estate/demo.json");
/// Every simulated call takes 40 to 60 ms, so a kill shortly after a `step_started` usually lands mid-call.
const FAULTS: &str = "latency=40ms,jitter=20ms,seed=11";
/// The tag under which what a run creates carries its call's idempotency key.
const IDEMPOTENCY_TAG: &str = "escher-idempotency-key";

fn escher() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_escher"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    command
}

/// One state and one estate file: the world of one run and its resumes.
struct Scene {
    dir: tempfile::TempDir,
    /// State in a bucket on moto rather than in a directory. Each machine then works on a local copy of its own.
    bucket: Option<Bucket>,
    /// The machine the next command runs on (bucket state only): the name of its cache directory.
    machine: Cell<&'static str>,
}

struct Bucket {
    url: String,
    moto: String,
}

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::copy(DEMO_ESTATE, dir.path().join("estate.json")).expect("copy the demo estate");
        Scene { dir, bucket: None, machine: Cell::new("laptop") }
    }

    /// A scene whose state is a new bucket on moto (`ESCHER_TEST_MOTO`; the test fails without it).
    fn on_bucket(machine: &'static str) -> Scene {
        let moto = support::moto::endpoint();
        let scene = Scene::new();
        let name = scene.dir.path().file_name().expect("a temp dir name").to_string_lossy().to_lowercase();
        let bucket = format!("escher-crash-{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), ""));
        support::moto::create_bucket(&moto, &bucket);
        scene.machine.set(machine);
        Scene { bucket: Some(Bucket { url: format!("s3://{bucket}/ops"), moto }), ..scene }
    }

    fn estate_file(&self) -> PathBuf {
        self.dir.path().join("estate.json")
    }

    /// The state directory the current machine works on: for a bucket, its local copy (once a command made it).
    fn state(&self) -> PathBuf {
        match &self.bucket {
            None => self.dir.path().join("state"),
            Some(_) => {
                let copies = self.dir.path().join(self.machine.get()).join("escher").join("state");
                let copy = fs::read_dir(&copies).ok().and_then(|mut entries| entries.next()).and_then(Result::ok);
                copy.map_or(copies, |entry| entry.path())
            }
        }
    }

    /// `escher ARGS --state STATE` on the current machine.
    fn escher(&self, args: &[&str]) -> Command {
        let mut command = escher();
        command.args(args).arg("--state");
        match &self.bucket {
            None => command.arg(self.state()),
            Some(bucket) => support::moto::client(&mut command, &bucket.moto)
                .arg(&bucket.url)
                .env("XDG_CACHE_HOME", self.dir.path().join(self.machine.get())),
        };
        command
    }

    fn start_run(&self) -> Child {
        let estate = self.estate_file().display().to_string();
        let run = ["run", PLAYBOOK, "--estate", &estate, "--estate-out", &estate, "--sim-faults", FAULTS];
        self.escher(&[&run[..], &["--approve-up-to", "high", "--format", "json"]].concat())
            .stdout(self.output_file("run.out"))
            .stderr(self.output_file("run.err"))
            .spawn()
            .expect("escher run starts")
    }

    /// A file in the scene for a child's output, so a child that ends unexpectedly can say why.
    fn output_file(&self, name: &str) -> Stdio {
        Stdio::from(fs::File::create(self.dir.path().join(name)).expect("create an output file"))
    }

    /// Why a child's run went wrong, from what it wrote: its failed steps' events (`name.out`) and the last
    /// lines of `name.err`.
    fn why_it_failed(&self, name: &str) -> String {
        let read = |file: String| fs::read_to_string(self.dir.path().join(file)).unwrap_or_default();
        let events = read(format!("{name}.out"));
        let failed: Vec<&str> = events
            .lines()
            .filter(|line| line.contains("\"step_finished\"") && line.contains("\"status\":\"failed\""))
            .collect();
        let errors = read(format!("{name}.err"));
        let errors: Vec<&str> = errors.lines().collect();
        let last_errors = &errors[errors.len().saturating_sub(3)..];
        format!("failed steps:\n{}\nstderr:\n{}", failed.join("\n"), last_errors.join("\n"))
    }

    fn resume_command(&self, run_id: &str) -> Command {
        self.escher(&["resume", run_id, "--approve-up-to", "high", "--format", "json"])
    }

    fn start_resume(&self, run_id: &str) -> Child {
        let (out, err) = (self.output_file("resume.out"), self.output_file("resume.err"));
        self.resume_command(run_id).stdout(out).stderr(err).spawn().expect("escher resume starts")
    }

    /// The id of the scene's one run, once its journal's folder exists.
    fn run_id(&self) -> Option<String> {
        let entries = fs::read_dir(self.state().join("runs")).ok()?;
        entries.flatten().find(|entry| entry.path().is_dir()).map(|entry| entry.file_name().to_string_lossy().into())
    }

    fn journal_path(&self) -> Option<PathBuf> {
        self.run_id().map(|id| self.state().join("runs").join(id).join("journal.jsonl"))
    }

    fn journal(&self) -> Vec<Value> {
        let path = self.journal_path().expect("the run has a journal");
        let text = fs::read_to_string(&path).expect("read the journal");
        text.lines().map(|line| serde_json::from_str(line).expect("every journal line is a record")).collect()
    }

    fn estate(&self) -> Estate {
        Estate::read(&self.estate_file())
    }

    fn audit_verify(&self) -> Output {
        self.escher(&["audit", "verify"]).output().expect("escher audit verify runs")
    }

    fn show(&self, run_id: &str) -> Value {
        let output = self.escher(&["show", run_id, "--format", "json"]).output().expect("escher show runs");
        assert_eq!(output.status.code(), Some(0), "escher show failed: {}", text(&output));
        serde_json::from_slice(&output.stdout).expect("escher show --format json prints JSON")
    }
}

/// Kills `child` once the scene's journal holds `records` lines and `delay` has passed (`support::kill`).
fn kill_after(scene: &Scene, child: &mut Child, records: usize, delay: Duration) -> Result<usize, String> {
    support::kill::kill_after(|| scene.journal_path(), child, records, delay)
}

/// An estate file, split for comparison.
///
/// Compared exactly: every account, and every resource that was in the demo estate, field by field (a resource
/// missing on one side differs too). Not compared: the top-level `serial`, a counter of the ids the simulator has
/// handed out, which moves whenever a resource is created. Resources the run created (the snapshots) are
/// compared without their `id` and `name` (which is the id): the simulator numbers new resources in the order
/// concurrent calls arrive, so even two uninterrupted runs give the same snapshots different ids.
#[derive(Debug, PartialEq)]
struct Estate {
    header: BTreeMap<String, Value>,
    accounts: Vec<Value>,
    resources: BTreeMap<String, Value>,
    /// Created resources without their id and name, with how many of each there are.
    created: BTreeMap<String, usize>,
}

impl Estate {
    fn read(path: &Path) -> Estate {
        // The file with its change log, as the simulator reads them.
        let text = escher_sim::Sim::from_file(path).expect("the estate loads").estate_json();
        Estate::from_json(&serde_json::from_str(&text).expect("the estate file is JSON"))
    }

    fn from_json(json: &Value) -> Estate {
        let original = original_ids();
        let mut header: BTreeMap<String, Value> =
            json.as_object().expect("an estate is an object").clone().into_iter().collect();
        header.remove("serial");
        let accounts = header.remove("accounts").and_then(|a| a.as_array().cloned()).expect("an estate has accounts");
        let mut estate = Estate { header, accounts: Vec::new(), resources: BTreeMap::new(), created: BTreeMap::new() };
        for mut account in accounts {
            let resources = account
                .as_object_mut()
                .and_then(|fields| fields.remove("resources"))
                .and_then(|resources| resources.as_array().cloned())
                .unwrap_or_default();
            for mut resource in resources {
                let id = resource["id"].as_str().expect("every resource has an id").to_string();
                if original.contains(&id) {
                    estate.resources.insert(id, resource);
                } else {
                    let fields = resource.as_object_mut().expect("a resource is an object");
                    fields.remove("id");
                    fields.remove("name");
                    // The identity tag names the run that made it, which differs between runs.
                    fields.get_mut("tags").and_then(Value::as_object_mut).map(|tags| tags.remove(IDEMPOTENCY_TAG));
                    *estate.created.entry(resource.to_string()).or_default() += 1;
                }
            }
            estate.accounts.push(account);
        }
        estate
    }

    /// Where this estate differs from `expected`, as short lines; empty when they are the same. A created
    /// resource must appear exactly as often as in `expected`: a call in doubt finds what an earlier call made
    /// by its idempotency key and never makes it twice.
    fn differences(&self, expected: &Estate) -> Vec<String> {
        let mut out = Vec::new();
        if self.header != expected.header {
            out.push(format!("header: {:?} instead of {:?}", self.header, expected.header));
        }
        if self.accounts != expected.accounts {
            out.push("the accounts differ".to_string());
        }
        for id in expected.resources.keys().chain(self.resources.keys()).collect::<BTreeSet<_>>() {
            match (self.resources.get(id), expected.resources.get(id)) {
                (Some(found), Some(wanted)) if found != wanted => {
                    out.push(format!("{id}: {}", field_differences(found, wanted)))
                }
                (None, Some(_)) => out.push(format!("{id}: missing")),
                (Some(_), None) => out.push(format!("{id}: unexpected")),
                _ => {}
            }
        }
        for (created, &wanted) in &expected.created {
            let found = self.created.get(created).copied().unwrap_or(0);
            if found != wanted {
                out.push(format!("{found} created ({wanted} expected): {created}"));
            }
        }
        for created in self.created.keys().filter(|created| !expected.created.contains_key(*created)) {
            out.push(format!("created, not by an uninterrupted run: {created}"));
        }
        out
    }
}

fn field_differences(found: &Value, wanted: &Value) -> String {
    let (Some(found), Some(wanted)) = (found.as_object(), wanted.as_object()) else {
        return format!("{found} instead of {wanted}");
    };
    let keys: BTreeSet<&String> = found.keys().chain(wanted.keys()).collect();
    let fields: Vec<String> = keys
        .into_iter()
        .filter(|key| found.get(*key) != wanted.get(*key))
        .map(|key| format!("{key} = {:?} instead of {:?}", found.get(key), wanted.get(key)))
        .collect();
    fields.join(", ")
}

fn original_ids() -> &'static BTreeSet<String> {
    static IDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let text = fs::read_to_string(DEMO_ESTATE).expect("read the demo estate");
        let json: Value = serde_json::from_str(&text).expect("the demo estate is JSON");
        let accounts = json["accounts"].as_array().expect("accounts");
        accounts
            .iter()
            .flat_map(|account| account["resources"].as_array().cloned().unwrap_or_default())
            .map(|resource| resource["id"].as_str().expect("an id").to_string())
            .collect()
    })
}

/// What an uninterrupted run leaves: its estate, and how many records its journal holds.
struct Reference {
    estate: Estate,
    records: usize,
}

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let scene = Scene::new();
        let status = scene.start_run().wait().expect("the uninterrupted run ends");
        assert!(status.success(), "the uninterrupted run failed ({status}): {}", scene.why_it_failed("run"));
        let journal = scene.journal();
        assert_eq!(journal.last().map(|r| r["status"].clone()), Some(Value::from("succeeded")));
        Reference { estate: scene.estate(), records: journal.len() }
    })
}

/// Where a run is killed, and whether its first resume is killed too.
#[derive(Debug, Clone, Copy)]
struct KillPoint {
    /// Journal records written when the run is killed.
    after: usize,
    /// Time left to the run after that many records were seen.
    delay_ms: u64,
    /// When set, the first resume is killed after writing this many records of its own.
    resume_after: Option<usize>,
}

/// What one kill point showed.
#[derive(Default)]
struct Trial {
    problems: Vec<String>,
    /// Whether a kill cut a provider call short, so the resume had a batch in doubt to reconcile.
    cut_a_call_short: bool,
}

impl Trial {
    fn failed(problem: String) -> Trial {
        Trial { problems: vec![problem], cut_a_call_short: false }
    }
}

/// Starts a run, kills it (and maybe its first resume) at `point`, resumes until it ends, and says what is
/// wrong with the result.
fn crash_and_resume(point: KillPoint) -> Trial {
    let scene = Scene::new();
    let (mut lines, run_id) = match run_and_kill(&scene, point) {
        Ok(killed) => killed,
        Err(trial) => return trial,
    };
    let mut resumes = 1;
    if let Some(more) = point.resume_after {
        let mut resume = scene.start_resume(&run_id);
        // The resumed session first writes `run_resumed`.
        lines = match kill_after(&scene, &mut resume, lines + 1 + more, Duration::from_millis(point.delay_ms)) {
            Ok(lines) => lines,
            Err(ended) => {
                let tail = scene.why_it_failed("resume");
                return Trial::failed(format!("{point:?}: the first resume could not be killed: {ended}\n{tail}"));
            }
        };
        resumes += 1;
    }
    resume_and_judge(&scene, point, &run_id, resumes, lines)
}

/// A run whose state is a bucket, killed as a container dies with its disk, then resumed on another machine
/// that has only the bucket: the resume must find there every record that keeps it from repeating work.
fn crash_on_bucket_and_resume_elsewhere(point: KillPoint) -> Trial {
    let scene = Scene::on_bucket("container-a");
    let (lines, run_id) = match run_and_kill(&scene, point) {
        Ok(killed) => killed,
        Err(trial) => return trial,
    };
    scene.machine.set("container-b");
    // A run killed before its start reached the bucket cannot have acted (no step starts before that): the
    // bucket knows nothing of it, and the estate must be untouched.
    let shown = scene.escher(&["show", &run_id, "--format", "json"]).output().expect("escher show runs");
    if String::from_utf8_lossy(&shown.stderr).contains("there is no journal for run") {
        return match scene.estate() == Estate::read(Path::new(DEMO_ESTATE)) {
            true => Trial::default(),
            false => Trial::failed(format!("{point:?}: the bucket has no run {run_id}, yet the estate changed")),
        };
    }
    resume_and_judge(&scene, point, &run_id, 1, lines)
}

/// Starts the scene's run and kills it at `point`: the journal lines at the kill and the run's id.
fn run_and_kill(scene: &Scene, point: KillPoint) -> Result<(usize, String), Trial> {
    let mut run = scene.start_run();
    match kill_after(scene, &mut run, point.after, Duration::from_millis(point.delay_ms)) {
        Ok(lines) => Ok((lines, scene.run_id().expect("a killed run has a journal"))),
        Err(ended) => Err(Trial::failed(format!(
            "{point:?}: the run could not be killed: {ended}\n{}",
            scene.why_it_failed("run")
        ))),
    }
}

/// Resumes a killed run to its end and says what is wrong with the result.
fn resume_and_judge(scene: &Scene, point: KillPoint, run_id: &str, resumes: usize, lines: usize) -> Trial {
    let reference = reference();
    let output = scene.resume_command(run_id).output().expect("escher resume runs");
    if !output.status.success() {
        let status = output.status;
        return Trial::failed(format!(
            "{point:?}: escher resume exited {status:?} after {lines} records: {}",
            text(&output)
        ));
    }
    let journal = scene.journal();
    let mut problems = Vec::new();
    problems.extend(repeated_work(&journal));
    let resumed = journal.iter().filter(|record| record["record"] == "run_resumed").count();
    if resumed != resumes {
        problems.push(format!("{resumed} run_resumed records for {resumes} resumes"));
    }
    problems.extend(scene.estate().differences(&reference.estate));
    let verify = scene.audit_verify();
    if !verify.status.success() {
        problems.push(format!("escher audit verify failed: {}", text(&verify)));
    }
    let shown = scene.show(run_id);
    if shown["status"] != "succeeded" {
        problems.push(format!("escher show says the run is {} (in doubt: {})", shown["status"], shown["in_doubt"]));
    }
    Trial {
        problems: problems.into_iter().map(|problem| format!("{point:?}: {problem}")).collect(),
        cut_a_call_short: !interrupted_batches(&journal).is_empty(),
    }
}

/// Records that start work the journal had already seen finish: a step after its `step_finished`, or a batch
/// of a mutating step after its `batch_finished` (read-only batches may be repeated when their step had not
/// finished).
fn repeated_work(journal: &[Value]) -> Vec<String> {
    let plan = &journal.first().expect("a journal begins with run_started")["plan"];
    let reads: BTreeSet<&str> = plan["nodes"]
        .as_array()
        .expect("a plan has nodes")
        .iter()
        .filter(|node| node["effect"] == "read")
        .filter_map(|node| node["id"].as_str())
        .collect();
    let mut finished_steps = BTreeSet::new();
    let mut finished_batches = BTreeSet::new();
    let mut problems = Vec::new();
    for (index, record) in journal.iter().enumerate() {
        let node = record["node"].as_str().unwrap_or_default();
        let batch = (node.to_string(), record["batch"].as_u64());
        match record["record"].as_str() {
            Some("step_started") if finished_steps.contains(node) => {
                problems.push(format!("line {}: step {node} started again after it finished", index + 1));
            }
            Some("step_started") if !reads.contains(node) && finished_batches.contains(&batch) => {
                problems.push(format!(
                    "line {}: batch {:?} of {node} started again after it finished",
                    index + 1,
                    batch.1
                ));
            }
            Some("step_finished") if !finished_steps.insert(node.to_string()) => {
                problems.push(format!("line {}: step {node} finished twice", index + 1));
            }
            Some("batch_finished") => {
                finished_batches.insert(batch);
            }
            _ => {}
        }
    }
    problems
}

/// The batches a kill cut short, as (node, target ids): started, and not seen to finish when the journal says
/// the run was resumed.
fn interrupted_batches(journal: &[Value]) -> Vec<(String, Vec<String>)> {
    let mut open: BTreeMap<(String, u64), Vec<String>> = BTreeMap::new();
    let mut interrupted = Vec::new();
    for record in journal {
        let key = || (record["node"].as_str().unwrap_or_default().to_string(), record["batch"].as_u64().unwrap_or(0));
        match record["record"].as_str() {
            Some("step_started") => {
                let targets = record["targets"].as_array().cloned().unwrap_or_default();
                open.insert(key(), targets.iter().filter_map(|t| t.as_str().map(str::to_string)).collect());
            }
            Some("batch_finished") => {
                open.remove(&key());
            }
            Some("run_resumed") => {
                interrupted.extend(std::mem::take(&mut open).into_iter().map(|((node, _), targets)| (node, targets)));
            }
            _ => {}
        }
    }
    interrupted
}

/// Kill points spread evenly over the run's journal, from its first records to just before its last steps,
/// each followed by a delay of 0 to 23 ms so that some land inside provider calls and some between records.
fn kill_points(count: usize, resume_killed: bool) -> Vec<KillPoint> {
    let records = reference().records;
    // The last few records (the last step's calls, the summary, run_finished) come too fast to aim at.
    let last = records - 10;
    (0..count)
        .map(|i| {
            let after = 1 + i * (last - 1) / (count - 1).max(1);
            KillPoint {
                after,
                delay_ms: [0, 3, 11, 23][i % 4],
                resume_after: resume_killed.then(|| 1 + (records - after) / 3),
            }
        })
        .collect()
}

/// Runs kill points two at a time (the processes mostly wait on simulated latency).
fn check_all(points: Vec<KillPoint>) -> Vec<Trial> {
    check_all_with(points, crash_and_resume)
}

fn check_all_with(points: Vec<KillPoint>, trial: fn(KillPoint) -> Trial) -> Vec<Trial> {
    let (evens, odds): (Vec<_>, Vec<_>) = points.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    thread::scope(|scope| {
        let workers: Vec<_> = [evens, odds]
            .into_iter()
            .map(|points| scope.spawn(move || points.into_iter().map(|(_, p)| trial(p)).collect()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_else(|_| vec![Trial::failed("a worker panicked".into())]))
            .collect::<Vec<Trial>>()
    })
}

/// Asserts that no trial found a problem, and that at least `min_cut_short` of them cut a call short (so the
/// in-doubt path was taken, not only clean stops between records).
fn assert_all_recovered(trials: &[Trial], min_cut_short: usize) {
    let problems: Vec<&str> = trials.iter().flat_map(|trial| &trial.problems).map(String::as_str).collect();
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    let cut_short = trials.iter().filter(|trial| trial.cut_a_call_short).count();
    assert!(cut_short >= min_cut_short, "only {cut_short} of {} kills cut a call short", trials.len());
}

#[test]
fn a_run_killed_at_any_point_resumes_to_the_estate_of_an_uninterrupted_run() {
    assert_all_recovered(&check_all(kill_points(14, false)), 7);
}

#[test]
fn a_resume_killed_in_turn_is_resumed_again_to_the_same_end() {
    assert_all_recovered(&check_all(kill_points(6, true)), 3);
}

/// State in an S3 bucket (moto): a run killed with its machine's disk is resumed on another machine from the
/// bucket alone, to the same end.
#[test]
fn a_run_on_bucket_state_killed_with_its_machine_resumes_elsewhere_to_the_same_end() {
    assert_all_recovered(&check_all_with(kill_points(8, false), crash_on_bucket_and_resume_elsewhere), 4);
}

/// With `--estate-out` apart from `--estate`, the out file is the cloud: after a crash it holds what the killed
/// run changed, and the resume must continue from it rather than from the untouched input estate.
#[test]
fn a_resume_continues_from_the_estate_the_killed_run_left_in_estate_out() {
    let reference = reference();
    let scene = Scene::new();
    let out = scene.dir.path().join("out.json");
    let mut run = escher()
        .arg("run")
        .arg(PLAYBOOK)
        .arg("--estate")
        .arg(scene.estate_file())
        .arg("--estate-out")
        .arg(&out)
        .args(["--sim-faults", FAULTS, "--approve-up-to", "high", "--format", "json", "--state"])
        .arg(scene.state())
        .stdout(scene.output_file("run.out"))
        .stderr(scene.output_file("run.err"))
        .spawn()
        .expect("escher run starts");
    let half = reference.records / 2;
    if let Err(ended) = kill_after(&scene, &mut run, half, Duration::ZERO) {
        panic!("the run could not be killed after {half} records: {ended}\n{}", scene.why_it_failed("run"));
    }
    let run_id = scene.run_id().expect("a killed run has a journal");
    let output = scene.resume_command(&run_id).output().expect("escher resume runs");
    assert!(output.status.success(), "escher resume failed: {}", text(&output));
    let problems = Estate::read(&out).differences(&reference.estate);
    assert!(problems.is_empty(), "the estate in --estate-out differs:\n{}", problems.join("\n"));
    assert_eq!(scene.estate(), Estate::read(Path::new(DEMO_ESTATE)), "the input estate was left as it was");
}
