//! Exactly once, whatever happens, through the real `escher` binary on a generated simulated estate
//! (`tests/fixtures/run/exactly_once.esc`: stop the dev machines, snapshot their volumes, tag what was stopped,
//! delete old snapshots, start the stopped machines again; later steps read `stop.changed`).
//!
//! - Kill anywhere: the run is killed with SIGKILL at seeded random instants (some resumes killed in turn) and
//!   resumed to the end. The estate must equal an uninterrupted run's exactly (no snapshot made twice, no machine
//!   left stopped), no target is called again after the journal saw it changed, and `audit verify` passes.
//!   `ESCHER_KILLS=N` sets how many kills (the test command runs 20; `scripts/soak.sh` 500).
//! - Died after the cloud acted: the process dies right after each mutating step's first call changed the estate
//!   (`die_after`); on resume the change is resolved as this run's, never made again.
//! - Damage: a journal cut mid-file, a record deleted or edited, the audit anchor deleted: `resume` refuses with
//!   exit 2 naming the file and line and touching nothing; `show` and `audit verify` name the damage.
//! - One driver: a `resume` while the run's process lives, and a second `resume` beside a first, exit 2.
//! - Throttling: 30% of calls (queries and actions) throttled, over several seeds: every run completes.
//!
//! The simulated estate is written to the file the run reads after every change (`--estate E --estate-out E`),
//! so like a real cloud it keeps what a killed run did.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

use serde_json::Value;
use support::kill::LineCounter;
use support::kill::text;

const PLAYBOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run/exactly_once.esc");
/// Every simulated call takes 30 to 50 ms, so a kill shortly after a `step_started` often lands mid-call.
const FAULTS: &str = "latency=30ms,jitter=20ms,seed=5";
const ESTATE_SIZE: usize = 600;
const ESTATE_SEED: u64 = 18;
const IDEMPOTENCY_TAG: &str = "escher-idempotency-key";

/// One state directory and one estate file: the world of one run and its resumes.
struct Scene {
    dir: tempfile::TempDir,
}

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().expect("temp dir");
        escher_sim::Sim::generate(ESTATE_SIZE, ESTATE_SEED).save(dir.path().join("estate.json")).expect("estate saved");
        Scene { dir }
    }

    fn estate_file(&self) -> PathBuf {
        self.dir.path().join("estate.json")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn escher(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_escher"));
        command
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .args(args)
            .arg("--state")
            .arg(self.state());
        command
    }

    fn start_run(&self, faults: &str) -> Child {
        let estate = self.estate_file().display().to_string();
        let args = ["run", PLAYBOOK, "--estate", &estate, "--estate-out", &estate, "--sim-faults", faults];
        self.escher(&[&args[..], &["--approve-up-to", "critical", "--format", "json"]].concat())
            .stdout(self.output_file("run.out"))
            .stderr(self.output_file("run.err"))
            .spawn()
            .expect("escher run starts")
    }

    fn resume(&self, run_id: &str) -> Command {
        self.escher(&["resume", run_id, "--approve-up-to", "critical", "--format", "json"])
    }

    fn start_resume(&self, run_id: &str, name: &str) -> Child {
        let (out, err) = (self.output_file(&format!("{name}.out")), self.output_file(&format!("{name}.err")));
        self.resume(run_id).stdout(out).stderr(err).spawn().expect("escher resume starts")
    }

    fn output_file(&self, name: &str) -> Stdio {
        Stdio::from(fs::File::create(self.dir.path().join(name)).expect("create an output file"))
    }

    fn stderr_of(&self, name: &str) -> String {
        fs::read_to_string(self.dir.path().join(format!("{name}.err"))).unwrap_or_default()
    }

    fn run_id(&self) -> Option<String> {
        let entries = fs::read_dir(self.state().join("runs")).ok()?;
        entries.flatten().find(|entry| entry.path().is_dir()).map(|entry| entry.file_name().to_string_lossy().into())
    }

    fn journal_path(&self) -> Option<PathBuf> {
        self.run_id().map(|id| self.state().join("runs").join(id).join("journal.jsonl"))
    }

    fn journal(&self) -> Vec<Value> {
        let text = fs::read_to_string(self.journal_path().expect("a journal")).expect("read the journal");
        text.lines().map(|line| serde_json::from_str(line).expect("every journal line is JSON")).collect()
    }

    fn estate(&self) -> Estate {
        Estate::read(&self.estate_file())
    }
}

/// Kills `child` once the scene's journal holds `records` lines and `delay` has passed (`support::kill`).
fn kill_after(scene: &Scene, child: &mut Child, records: usize, delay: Duration) -> Result<usize, String> {
    support::kill::kill_after(|| scene.journal_path(), child, records, delay)
}

/// An estate file, for comparison: every resource by id, except those a run created (snapshots), which are
/// compared without their id, name and identity tag (which carry the run) and counted, so a second copy shows.
#[derive(Debug, PartialEq)]
struct Estate {
    resources: BTreeMap<String, Value>,
    created: BTreeMap<String, usize>,
}

impl Estate {
    fn read(path: &Path) -> Estate {
        // The file with its change log, as the simulator reads them.
        let text = escher_sim::Sim::from_file(path).expect("the estate loads").estate_json();
        let json: Value = serde_json::from_str(&text).expect("JSON");
        let mut estate = Estate { resources: BTreeMap::new(), created: BTreeMap::new() };
        for account in json["accounts"].as_array().expect("accounts") {
            for resource in account["resources"].as_array().into_iter().flatten() {
                let mut resource = resource.clone();
                let made_by_a_run = resource["tags"].get(IDEMPOTENCY_TAG).is_some();
                if !made_by_a_run {
                    estate.resources.insert(resource["id"].as_str().expect("an id").to_string(), resource);
                    continue;
                }
                let fields = resource.as_object_mut().expect("an object");
                fields.remove("id");
                fields.remove("name");
                fields.get_mut("tags").and_then(Value::as_object_mut).map(|tags| tags.remove(IDEMPOTENCY_TAG));
                *estate.created.entry(resource.to_string()).or_default() += 1;
            }
        }
        estate
    }

    fn differences(&self, expected: &Estate) -> Vec<String> {
        let mut out = Vec::new();
        for id in expected.resources.keys().chain(self.resources.keys()).collect::<BTreeSet<_>>() {
            match (self.resources.get(id), expected.resources.get(id)) {
                (Some(found), Some(wanted)) if found != wanted => {
                    out.push(format!("{id}: {found} instead of {wanted}"))
                }
                (None, Some(_)) => out.push(format!("{id}: missing")),
                (Some(_), None) => out.push(format!("{id}: unexpected")),
                _ => {}
            }
        }
        for created in expected.created.keys().chain(self.created.keys()).collect::<BTreeSet<_>>() {
            let (found, wanted) = (self.created.get(created).copied(), expected.created.get(created).copied());
            if found != wanted {
                out.push(format!("created {} times instead of {}: {created}", found.unwrap_or(0), wanted.unwrap_or(0)));
            }
        }
        out
    }
}

struct Reference {
    estate: Estate,
    records: usize,
}

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let scene = Scene::new();
        let status = scene.start_run(FAULTS).wait().expect("the uninterrupted run ends");
        assert!(status.success(), "the uninterrupted run failed ({status}): {}", scene.stderr_of("run"));
        let journal = scene.journal();
        assert_eq!(journal.last().map(|r| r["status"].clone()), Some(Value::from("succeeded")));
        let estate = scene.estate();
        assert!(!estate.created.is_empty(), "the reference run made snapshots");
        Reference { estate, records: journal.len() }
    })
}

/// A small seeded generator (SplitMix64), so the kill instants are random but the same on every machine.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % below.max(1)
    }
}

#[derive(Debug, Clone, Copy)]
struct KillPoint {
    after: usize,
    delay_ms: u64,
    /// Also kill the first resume after this many records of its own.
    resume_after: Option<usize>,
}

fn kill_points(count: usize, seed: u64) -> Vec<KillPoint> {
    let records = reference().records as u64;
    let mut rng = Seeded(seed);
    (0..count)
        .map(|i| {
            // The last records (the last calls, the summary, run_finished) come too fast to aim at.
            let after = 1 + rng.next(records - 8) as usize;
            let resume_after = (i % 4 == 3).then(|| 1 + rng.next((records as usize - after) as u64 / 2 + 1) as usize);
            KillPoint { after, delay_ms: rng.next(40), resume_after }
        })
        .collect()
}

/// Kills and resumes at `point`; what is wrong with the end, and whether a kill cut a call short.
fn crash_and_resume(point: KillPoint) -> (Vec<String>, bool) {
    let reference = reference();
    let scene = Scene::new();
    let fail = |problem: String| (vec![format!("{point:?}: {problem}")], false);
    let mut run = scene.start_run(FAULTS);
    let mut lines = match kill_after(&scene, &mut run, point.after, Duration::from_millis(point.delay_ms)) {
        Ok(lines) => lines,
        Err(ended) => return fail(format!("the run could not be killed: {ended}: {}", scene.stderr_of("run"))),
    };
    let run_id = scene.run_id().expect("a killed run has a journal");
    if let Some(more) = point.resume_after {
        let mut resume = scene.start_resume(&run_id, "resume");
        match kill_after(&scene, &mut resume, lines + 1 + more, Duration::from_millis(point.delay_ms)) {
            Ok(at) => lines = at,
            // A resume that ended on its own first is fine: the last resume below then finds nothing to do.
            Err(ended) if ended.contains("exit status: 0") => {}
            Err(ended) => return fail(format!("the first resume ended badly: {ended}: {}", scene.stderr_of("resume"))),
        }
    }
    let output = scene.resume(&run_id).output().expect("escher resume runs");
    let finished_before = !output.status.success() && text(&output).contains("already finished");
    if !output.status.success() && !finished_before {
        return fail(format!("escher resume failed after {lines} records: {}", text(&output)));
    }
    let journal = scene.journal();
    let mut problems = calls_after_a_change(&journal);
    problems.extend(scene.estate().differences(&reference.estate));
    let verify = scene.escher(&["audit", "verify"]).output().expect("escher audit verify runs");
    if !verify.status.success() {
        problems.push(format!("escher audit verify failed: {}", text(&verify)));
    }
    let shown = scene.escher(&["show", &run_id, "--format", "json"]).output().expect("escher show runs");
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap_or_default();
    if shown["status"] != "succeeded" {
        problems.push(format!("escher show says the run is {}", shown["status"]));
    }
    let cut_short = journal.iter().any(|record| record["record"] == "batch_reconciled");
    (problems.into_iter().map(|problem| format!("{point:?}: {problem}")).collect(), cut_short)
}

/// Mutating calls that named a target after the journal recorded it changed by the same step (by a finished
/// batch, or resolved on resume).
fn calls_after_a_change(journal: &[Value]) -> Vec<String> {
    let plan = &journal[0]["plan"];
    let reads: BTreeSet<&str> = plan["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|node| node["effect"] == "read")
        .filter_map(|node| node["id"].as_str())
        .collect();
    let mut changed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut problems = Vec::new();
    for (index, record) in journal.iter().enumerate() {
        let node = record["node"].as_str().unwrap_or_default().to_string();
        if reads.contains(node.as_str()) {
            continue;
        }
        let changes = |results: &Value| -> Vec<String> {
            let results = results.as_array().cloned().unwrap_or_default();
            results
                .iter()
                .filter(|r| r["status"] == "changed")
                .filter_map(|r| r["id"].as_str().map(String::from))
                .collect()
        };
        match record["record"].as_str() {
            Some("step_started") => {
                for target in record["targets"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if changed.contains(&(node.clone(), target.to_string())) {
                        problems.push(format!("line {}: {node} called {target} again after changing it", index + 1));
                    }
                }
            }
            Some("batch_finished") => {
                changed.extend(changes(&record["results"]).into_iter().map(|id| (node.clone(), id)))
            }
            Some("batch_reconciled") => {
                changed.extend(changes(&record["resolved"]).into_iter().map(|id| (node.clone(), id)))
            }
            _ => {}
        }
    }
    problems
}

/// Runs the trials two at a time (the processes mostly wait on simulated latency).
fn check_all(points: Vec<KillPoint>) -> Vec<(Vec<String>, bool)> {
    let (evens, odds): (Vec<_>, Vec<_>) = points.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    thread::scope(|scope| {
        let workers: Vec<_> = [evens, odds]
            .into_iter()
            .map(|points| scope.spawn(move || points.into_iter().map(|(_, p)| crash_and_resume(p)).collect::<Vec<_>>()))
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().expect("a worker ran")).collect()
    })
}

#[test]
fn a_run_killed_anywhere_resumes_to_the_uninterrupted_estate_with_no_call_repeated_or_resource_made_twice() {
    let kills = std::env::var("ESCHER_KILLS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
    let seed = std::env::var("ESCHER_KILL_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(2026);
    let trials = check_all(kill_points(kills, seed));
    let problems: Vec<&String> = trials.iter().flat_map(|(problems, _)| problems).collect();
    let cut_short = trials.iter().filter(|(_, cut)| *cut).count();
    println!("{kills} kills (seed {seed}): {} problems, {cut_short} left a batch in doubt", problems.len());
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.iter().map(|p| p.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert!(cut_short >= kills / 4, "only {cut_short} of {kills} kills left a batch in doubt");
}

/// The cloud acted and the run never heard: the process dies right after a mutating call's change reached the
/// estate (`die_after`), once for each mutating step. On resume the change is resolved, never repeated: a target
/// found done is recorded as changed by this run (`batch_reconciled.resolved`), a creation in doubt is found by
/// its key, and the estate equals the uninterrupted run's.
#[test]
fn a_run_that_dies_after_the_cloud_acted_resolves_the_change_on_resume() {
    let reference = reference();
    let steps = [
        ("stop", "aws.ec2.stop"),
        ("snapshot", "aws.ec2.create_snapshots"),
        ("mark", "aws.ec2.tag"),
        ("prune", "aws.ec2.delete_snapshots"),
        ("start", "aws.ec2.start"),
    ];
    for (step, action) in steps {
        let scene = Scene::new();
        let died = scene.start_run(&format!("{FAULTS},die_after={action}#1")).wait().expect("the run ends");
        assert!(!died.success(), "{action}: the run was to die after its first call acted");
        let run_id = scene.run_id().expect("a run");
        let resumed = scene.resume(&run_id).output().expect("escher resume runs");
        assert!(resumed.status.success(), "{action}: {}", text(&resumed));

        let journal = scene.journal();
        let reconciled: Vec<&Value> =
            journal.iter().filter(|r| r["record"] == "batch_reconciled" && r["node"] == step).collect();
        assert!(!reconciled.is_empty(), "{action}: the batches in flight at the death were in doubt");
        let resolved_as_changed = reconciled
            .iter()
            .flat_map(|record| record["resolved"].as_array().cloned().unwrap_or_default())
            .filter(|result| result["status"] == "changed")
            .count();
        match action {
            // A creation is not told from its target: it is called again and finds what it made by its key.
            "aws.ec2.create_snapshots" => assert_eq!(resolved_as_changed, 0, "{action}"),
            _ => assert!(resolved_as_changed > 0, "{action}: the change was resolved on resume: {reconciled:?}"),
        }
        let problems = [calls_after_a_change(&journal), scene.estate().differences(&reference.estate)].concat();
        assert!(problems.is_empty(), "{action}:\n{}", problems.join("\n"));
    }
}

/// A finished run's journal, damaged each way, is refused by resume (exit 2, naming the file and line), named by
/// show and audit verify, and the estate is not touched.
#[test]
fn a_damaged_journal_is_refused_and_named_and_nothing_is_touched() {
    let scene = Scene::new();
    assert!(scene.start_run(FAULTS).wait().expect("the run ends").success(), "{}", scene.stderr_of("run"));
    let run_id = scene.run_id().expect("a run");
    let path = scene.journal_path().expect("a journal");
    let intact = fs::read(&path).expect("read the journal");
    let lines: Vec<&[u8]> = intact.split_inclusive(|&b| b == b'\n').collect();
    let middle = lines.len() / 2;
    let offset_in_middle = lines[..middle].iter().map(|l| l.len()).sum::<usize>() + lines[middle].len() / 3;
    let mut edited = String::from_utf8(intact.clone()).expect("UTF-8");
    let at = edited.find("\"changed\"").expect("a changed result");
    edited.replace_range(at..at + 9, "\"failed\" ");
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("cut in the middle", intact[..offset_in_middle].to_vec()),
        ("cut at a line in the middle", lines[..middle].concat()),
        ("a record deleted", [&lines[..middle], &lines[middle + 1..]].concat().concat()),
        ("a record edited", edited.into_bytes()),
    ];
    // The estate file and its change log (absent once a run finishes), byte for byte.
    let estate_files = || {
        let log = fs::read(escher_sim::change_log_path(&scene.estate_file())).ok();
        (fs::read(scene.estate_file()).expect("read the estate"), log)
    };
    let estate_before = estate_files();
    for (damage, bytes) in damages {
        fs::write(&path, &bytes).expect("damage the journal");
        let resumed = scene.resume(&run_id).output().expect("escher resume runs");
        assert_eq!(resumed.status.code(), Some(2), "{damage}: {}", text(&resumed));
        let said = String::from_utf8_lossy(&resumed.stderr);
        assert!(said.contains(&path.display().to_string()) && said.contains("line"), "{damage}: {said}");
        assert_eq!(fs::read(&path).expect("read"), bytes, "{damage}: resume changed the journal");
        let shown = scene.escher(&["show", &run_id]).output().expect("escher show runs");
        assert_eq!(shown.status.code(), Some(2), "{damage}: {}", text(&shown));
        assert!(String::from_utf8_lossy(&shown.stderr).contains(&path.display().to_string()), "{damage}");
        let verify = scene.escher(&["audit", "verify"]).output().expect("escher audit verify runs");
        assert_eq!(verify.status.code(), Some(1), "{damage}: {}", text(&verify));
        assert!(String::from_utf8_lossy(&verify.stdout).contains("damaged journal"), "{damage}: {}", text(&verify));
    }
    assert!(estate_files() == estate_before, "the estate was touched");

    fs::write(&path, &intact).expect("restore the journal");
    let anchor = scene.state().join("audit").join("head.json");
    fs::remove_file(&anchor).expect("delete the anchor");
    let verify = scene.escher(&["audit", "verify"]).output().expect("escher audit verify runs");
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    assert!(String::from_utf8_lossy(&verify.stdout).contains(&anchor.display().to_string()), "{}", text(&verify));
}

/// A resume while the run's own process lives is refused naming the holder (by the state's lease, which a bucket
/// shares between machines, or by the runtime's own); of two resumes of a killed run,
/// one drives it and the other is refused; the takeover from the dead run is audited.
#[test]
fn one_process_drives_a_run() {
    let scene = Scene::new();
    let mut run = scene.start_run("latency=60ms,seed=3");
    let mut counter = LineCounter::default();
    let journal = || scene.journal_path();
    while counter.count(journal) < 4 {
        thread::sleep(Duration::from_millis(2));
    }
    let run_id = scene.run_id().expect("a run");
    let refused = scene.resume(&run_id).output().expect("escher resume runs");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is being"), "{}", text(&refused));
    kill_after(&scene, &mut run, 6, Duration::ZERO).expect("the run is killed");

    let mut first = scene.start_resume(&run_id, "first");
    let mut seen = counter.count(journal);
    let resumed_at = seen + 1;
    while seen < resumed_at {
        assert!(
            first.try_wait().expect("poll").is_none(),
            "the first resume ended early: {}",
            scene.stderr_of("first")
        );
        thread::sleep(Duration::from_millis(2));
        seen = counter.count(journal);
    }
    let second = scene.resume(&run_id).output().expect("escher resume runs");
    assert_eq!(second.status.code(), Some(2), "{}", text(&second));
    assert!(String::from_utf8_lossy(&second.stderr).contains("is being"), "{}", text(&second));
    assert!(first.wait().expect("the first resume ends").success(), "{}", scene.stderr_of("first"));

    let resumed = scene.journal().iter().filter(|record| record["record"] == "run_resumed").count();
    assert_eq!(resumed, 1, "exactly one resume drove the run");
    let audit = fs::read_to_string(scene.state().join("audit").join("audit.jsonl")).expect("the audit log");
    assert!(audit.contains("\"kind\":\"run.lease_taken_over\""), "the takeover is audited");
    let verify = scene.escher(&["audit", "verify"]).output().expect("escher audit verify runs");
    assert!(verify.status.success(), "{}", text(&verify));
}

/// 30% of all calls throttled, queries included: every run completes.
#[test]
fn every_run_completes_under_heavy_throttling() {
    for seed in 1..=6 {
        let scene = Scene::new();
        let status =
            scene.start_run(&format!("throttle=0.3,retry_after=5ms,seed={seed}")).wait().expect("the run ends");
        assert!(status.success(), "seed {seed}: {}", scene.stderr_of("run"));
    }
}
