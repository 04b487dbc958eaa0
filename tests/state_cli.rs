//! The state, schedule and daemon commands through the `escher` binary: exact output, a fixed clock
//! (`--now`), two daemons racing on one state directory, and a state pushed to moto's S3 and synced back.
//! The S3 test needs `ESCHER_TEST_MOTO` (scripts/emulators.sh) and fails without it.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ESCHER: &str = env!("CARGO_BIN_EXE_escher");

/// A playbook that runs on the simulator with no approval.
const TIDY: &str = "playbook tidy {\n  step summary = report.summary(\"Nothing to do\", values = { n: 0 })\n}\n";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env { dir: tempfile::tempdir().expect("a temporary directory") };
        std::fs::write(env.path("tidy.esc"), TIDY).expect("written");
        env
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn state(&self) -> String {
        self.path("state").display().to_string()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(ESCHER);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("ESCHER_STATE")
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("NO_COLOR", "1");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("escher runs")
    }

    /// `schedule add tidy.esc` with a cron, zone and policy, counting from 2026-06-01.
    fn add_tidy(&self, cron: &str, missed: &str) {
        let state = self.state();
        let output = self.run(&[
            "schedule",
            "add",
            "tidy.esc",
            "--cron",
            cron,
            "--tz",
            "Europe/London",
            "--missed",
            missed,
            "--now",
            "2026-06-01T00:00:00Z",
            "--state",
            &state,
        ]);
        assert_eq!(stderr(&output), "");
        assert!(output.status.success());
    }

    /// `schedule add risky.esc`: a daily stop of running instances at 20:00 London, a high-risk step that needs
    /// a manager's approval, counting from 2026-06-01.
    fn add_risky(&self) {
        let risky = "playbook risky {\n  let vms = aws.ec2.instances(regions = [\"eu-west-1\"], state = \"running\")\n  step stop = aws.ec2.stop(vms) { max_targets = 50 }\n}\n";
        std::fs::write(self.path("risky.esc"), risky).expect("written");
        let state = self.state();
        let added = self.run(&[
            "schedule",
            "add",
            "risky.esc",
            "--cron",
            "0 20 * * *",
            "--tz",
            "Europe/London",
            "--now",
            "2026-06-01T00:00:00Z",
            "--state",
            &state,
        ]);
        assert!(added.status.success(), "{}", stderr(&added));
    }

    fn daemon(&self, now: &str) -> Output {
        let state = self.state();
        self.run(&["daemon", "--once", "--now", now, "--state", &state, "--holder", "test-daemon"])
    }

    fn runs(&self) -> Vec<String> {
        match std::fs::read_dir(self.path("state/runs")) {
            Ok(entries) => entries.map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Run ids are the time and random digits: replaced by `<run>`.
fn redact_runs(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_inclusive(' ') {
        let bare = word.trim_end_matches([' ', ',', '\n']);
        if bare.len() == 23 && bare.as_bytes()[8] == b'T' && bare.as_bytes()[16] == b'-' {
            out.push_str(&word.replace(bare, "<run>"));
        } else {
            out.push_str(word);
        }
    }
    out
}

#[test]
fn schedules_are_added_listed_with_their_next_occurrences_and_removed() {
    let env = Env::new();
    let state = env.state();
    let added =
        env.run(&["schedule", "add", "tidy.esc", "--cron", "30 1 * * *", "--tz", "Europe/London", "--state", &state]);
    assert_eq!(stdout(&added), "scheduled tidy: \"30 1 * * *\" in Europe/London (missed occurrences: run-latest)\n");
    let listed = env.run(&["schedule", "list", "--now", "2026-03-27T12:00:00Z", "--state", &state]);
    // Stored absolute: a daemon started in any directory finds the file.
    assert_eq!(
        stdout(&listed),
        format!(
            "tidy  \"30 1 * * *\" Europe/London  {}  missed: run-latest\n\
             \x20 next  2026-03-28T01:30:00Z  (2026-03-28 01:30 GMT)\n\
             \x20 next  2026-03-29T01:00:00Z  (2026-03-29 02:00 BST)\n\
             \x20 next  2026-03-30T00:30:00Z  (2026-03-30 01:30 BST)\n",
            env.path("tidy.esc").display()
        )
    );
    let twice = env.run(&["schedule", "add", "tidy.esc", "--cron", "0 2 * * *", "--state", &state]);
    assert_eq!(stderr(&twice), format!("error: a schedule named tidy already exists in {state}; remove it first\n"));
    assert_eq!(twice.status.code(), Some(2));
    assert_eq!(stdout(&env.run(&["schedule", "remove", "tidy", "--state", &state])), "removed schedule tidy\n");
    let gone = env.run(&["schedule", "remove", "tidy", "--state", &state]);
    assert_eq!(stderr(&gone), format!("error: no schedule named tidy in {state}\n"));
    assert_eq!(stdout(&env.run(&["schedule", "list", "--state", &state])), format!("no schedules in {state}\n"));
    let audit = stdout(&env.run(&["audit", "export", "--state", &state]));
    assert!(audit.contains("\"schedule.added\"") && audit.contains("\"schedule.removed\""), "{audit}");
}

#[test]
fn a_playbooks_own_schedule_is_used_when_no_cron_is_given() {
    let env = Env::new();
    let state = env.state();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nightly_shutdown.esc");
    let added = env.run(&["schedule", "add", &example.display().to_string(), "--missed", "skip", "--state", &state]);
    assert_eq!(
        stdout(&added),
        "scheduled nightly_shutdown: \"0 20 * * MON-FRI\" in Europe/London (missed occurrences: skip)\n"
    );
    let none = env.run(&["schedule", "add", "tidy.esc", "--state", &state]);
    assert_eq!(
        stderr(&none),
        format!(
            "error: {} has no `schedule cron(...)`; give one with --cron \"MIN HOUR DOM MON DOW\"\n",
            env.path("tidy.esc").display()
        )
    );
    let zone =
        env.run(&["schedule", "add", "tidy.esc", "--cron", "0 1 * * *", "--tz", "Mars/Olympus", "--state", &state]);
    assert_eq!(stderr(&zone), "error: \"Mars/Olympus\" is not an IANA time zone (like Europe/London)\n");
}

#[test]
fn a_due_occurrence_runs_once() {
    let env = Env::new();
    env.add_tidy("0 20 * * *", "run-latest");
    let woke = env.daemon("2026-06-01T19:00:30Z");
    assert_eq!(
        redact_runs(&stdout(&woke)),
        "tidy 2026-06-01T19:00:00Z: ran as run <run>, succeeded\nnext occurrence: 2026-06-02T19:00:00Z\n"
    );
    assert_eq!(env.runs().len(), 1);
    let again = env.daemon("2026-06-01T19:01:00Z");
    assert_eq!(stdout(&again), "next occurrence: 2026-06-02T19:00:00Z\n");
    assert_eq!(env.runs().len(), 1, "the occurrence never runs twice");
}

#[test]
fn a_schedule_added_by_a_relative_path_runs_from_a_daemon_started_elsewhere_and_a_changed_file_is_named() {
    let env = Env::new();
    env.add_tidy("0 20 * * *", "run-latest");
    std::fs::write(env.path("tidy.esc"), format!("{TIDY}\n// edited after it was scheduled\n")).expect("edited");
    let elsewhere = tempfile::tempdir().expect("another directory");
    let state = env.state();
    let woke = env
        .command(&["daemon", "--once", "--now", "2026-06-01T19:00:30Z", "--state", &state, "--holder", "d"])
        .current_dir(elsewhere.path())
        .output()
        .expect("escher runs");
    assert_eq!(
        redact_runs(&stdout(&woke)),
        "tidy 2026-06-01T19:00:00Z: ran as run <run>, succeeded\nnext occurrence: 2026-06-02T19:00:00Z\n",
        "{}",
        stderr(&woke)
    );
    assert!(stderr(&woke).contains("tidy.esc changed since it was scheduled"), "{}", stderr(&woke));
}

#[test]
fn after_missed_occurrences_run_latest_runs_the_last_one_late_and_reports_the_others() {
    let env = Env::new();
    env.add_tidy("0 20 * * *", "run-latest");
    let woke = env.daemon("2026-06-04T08:00:00Z");
    assert_eq!(
        redact_runs(&stdout(&woke)),
        "tidy: missed 2 occurrence(s) from 2026-06-01T19:00:00Z to 2026-06-02T19:00:00Z while no daemon ran; ran the latest\n\
         tidy 2026-06-03T19:00:00Z: ran late as run <run>, succeeded\n\
         next occurrence: 2026-06-04T19:00:00Z\n"
    );
    assert_eq!(env.runs().len(), 1);
    let audit = stdout(&env.run(&["audit", "export", "--state", &env.state()]));
    assert!(audit.contains("\"schedule.missed\"") && audit.contains("\"schedule.ran\""), "{audit}");
}

#[test]
fn after_missed_occurrences_skip_runs_none_and_reports_them() {
    let env = Env::new();
    env.add_tidy("0 20 * * *", "skip");
    let woke = env.daemon("2026-06-03T08:00:00Z");
    assert_eq!(
        stdout(&woke),
        "tidy: missed 2 occurrence(s) from 2026-06-01T19:00:00Z to 2026-06-02T19:00:00Z while no daemon ran; none run (missed: skip)\n\
         next occurrence: 2026-06-03T19:00:00Z\n"
    );
    assert!(env.runs().is_empty());
    let state = env.state();
    let listed = env.run(&["schedule", "list", "--next", "1", "--now", "2026-06-03T08:00:00Z", "--state", &state]);
    assert!(
        stdout(&listed)
            .contains("  tidy 2026-06-02T19:00:00Z: missed, no daemon was running; not run (missed: skip)\n")
    );
}

#[test]
fn two_daemons_racing_on_one_state_run_the_occurrence_once() {
    for _ in 0..3 {
        let env = Env::new();
        env.add_tidy("0 20 * * *", "run-latest");
        let state = env.state();
        let args = ["daemon", "--once", "--now", "2026-06-01T19:00:10Z", "--state", state.as_str()];
        let spawn = |holder: &str| {
            let mut command = env.command(&args);
            command
                .args(["--holder", holder])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            command.spawn().expect("started")
        };
        let (first, second) = (spawn("a"), spawn("b"));
        for child in [first, second] {
            assert!(child.wait_with_output().expect("ended").status.success());
        }
        assert_eq!(env.runs().len(), 1, "exactly one run");
        let record = std::fs::read_to_string(env.path("state/schedules/tidy/occurrences/20260601T190000Z.json"))
            .expect("the occurrence is recorded");
        assert!(record.contains("\"status\": \"ran\""), "{record}");
    }
}

#[test]
fn state_show_says_where_state_lives_and_what_it_holds() {
    let env = Env::new();
    let state = env.state();
    let empty = env.run(&["state", "show", "--state", &state]);
    assert_eq!(
        stdout(&empty),
        format!(
            "state:        {state} (a local directory)\nlayout:       none yet (empty)\nruns:         0\naudit:        0 records\n\
             schedules:    0 (0 occurrences recorded)\napprovals:    0\ninventory:    0\nlocks:        0\n"
        )
    );
    env.add_tidy("0 20 * * *", "run-latest");
    env.daemon("2026-06-01T19:00:30Z");
    let shown = env.run(&["state", "show", "--state", &state]);
    let text = stdout(&shown);
    assert!(text.contains("layout:       version 2\nruns:         1\n"), "{text}");
    assert!(text.contains("schedules:    1 (1 occurrences recorded)\n"), "{text}");
    assert!(!text.contains("audit:        0 records"), "the run was audited: {text}");
}

#[test]
fn an_older_state_directory_is_migrated_and_a_newer_one_refused_unchanged() {
    let env = Env::new();
    let state = env.state();
    assert!(env.run(&["run", "tidy.esc", "--state", &state]).status.success());
    // What Escher wrote before the state store: no layout marker.
    std::fs::remove_file(env.path("state/layout.json")).expect("removed");
    let listed = env.run(&["runs", "--state", &state]);
    assert_eq!(
        stderr(&listed),
        format!("note: state at {state} migrated from layout version 1 to 2 (1 runs summarized)\n")
    );
    let run_id = env.runs().pop().expect("a run");
    assert!(env.path(&format!("state/runs/{run_id}/meta.json")).is_file());

    std::fs::write(env.path("state/layout.json"), "{\"version\": 3, \"written_by\": \"escher 9.0.0\"}\n")
        .expect("written");
    let before = snapshot(&env.path("state"));
    let refused = env.run(&["runs", "--state", &state]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        stderr(&refused),
        format!(
            "error: {state} holds state in layout version 3; this Escher (escher {}) understands versions up to 2. \
             Upgrade Escher to use this state; nothing was changed.\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(snapshot(&env.path("state")), before);
}

/// Every file under a directory with its content.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).expect("readable")));
            }
        }
    }
    out.sort();
    out
}

/// A run against s3:// state reaches the bucket; `state sync --from` brings it into a plain directory.
#[test]
fn a_run_on_bucket_state_is_synced_into_a_local_directory() {
    let moto = support::moto::endpoint();
    let env = Env::new();
    let bucket = format!("escher-cli-{}", std::process::id());
    support::moto::create_bucket(&moto, &bucket);
    let url = format!("s3://{bucket}/team");
    let with_aws = |args: &[&str]| support::moto::client(&mut env.command(args), &moto).output().expect("escher runs");
    let ran = with_aws(&["run", "tidy.esc", "--state", &url]);
    assert!(ran.status.success(), "{}", stderr(&ran));
    let shown = with_aws(&["state", "show", "--state", &url]);
    assert!(stdout(&shown).contains("layout:       version 2\nruns:         1\n"), "{}", stdout(&shown));

    let local = env.path("laptop").display().to_string();
    let synced = with_aws(&["state", "sync", "--from", &url, "--state", &local]);
    let text = stdout(&synced);
    assert!(text.starts_with(&format!("synced {local} from {url}: ")), "{text}{}", stderr(&synced));
    assert!(text.ends_with("; 1 runs here now\n"), "{text}");
    let runs = env.run(&["runs", "--state", &local]);
    assert!(stdout(&runs).contains("tidy"), "{}", stdout(&runs));
    let verified = env.run(&["audit", "verify", "--state", &local]);
    assert!(verified.status.success(), "the synced audit log verifies: {}{}", stdout(&verified), stderr(&verified));
    let again = with_aws(&["state", "sync", "--from", &url, "--state", &local]);
    assert_eq!(
        stdout(&again),
        format!("synced {local} from {url}: 0 objects copied, 0 log bytes appended; 1 runs here now\n")
    );
}

/// A scheduled step that needs an approval nobody gave does not run; the occurrence says why.
#[test]
fn a_scheduled_step_that_needs_approval_is_refused_and_reported_not_run() {
    let env = Env::new();
    env.add_risky();
    let state = env.state();
    let woke = env.daemon("2026-06-01T19:00:30Z");
    assert_eq!(
        redact_runs(&stdout(&woke)),
        "risky 2026-06-01T19:00:00Z: ran as run <run>, failed: step `stop` needs approval (risk high, by manager) \
         and none was given: it did not run\nnext occurrence: 2026-06-02T19:00:00Z\n"
    );
    let run_id = env.runs().pop().expect("a run");
    let shown = env.run(&["show", &run_id, "--state", &state]);
    assert!(stdout(&shown).contains("stop"), "{}", stdout(&shown));
    let journal = std::fs::read_to_string(env.path(&format!("state/runs/{run_id}/journal.jsonl"))).expect("a journal");
    assert!(!journal.contains("\"record\":\"step_started\",\"node\":\"stop\""), "nothing of the step ran: {journal}");
}

/// A daemon that died holding a schedule's lease: the next daemon takes the lease over once it expired, and the
/// audit log says so.
#[test]
fn an_expired_lease_of_a_dead_daemon_is_taken_over_and_audited() {
    let env = Env::new();
    env.add_tidy("0 20 * * *", "run-latest");
    std::fs::create_dir_all(env.path("state/locks")).expect("created");
    std::fs::write(
        env.path("state/locks/schedule-tidy.json"),
        "{\"holder\": \"dead-daemon\", \"acquired_at\": \"2026-06-01T08:00:00Z\", \"expires_at\": \"2026-06-01T08:10:00Z\"}\n",
    )
    .expect("written");
    let woke = env.daemon("2026-06-01T19:00:30Z");
    assert_eq!(
        redact_runs(&stdout(&woke)),
        "tidy: took over the lease of dead-daemon (expired 2026-06-01T08:10:00Z)\n\
         tidy 2026-06-01T19:00:00Z: ran as run <run>, succeeded\nnext occurrence: 2026-06-02T19:00:00Z\n"
    );
    let state = env.state();
    let audit = stdout(&env.run(&["audit", "export", "--state", &state]));
    let takeover = audit.lines().find(|line| line.contains("lock.taken_over")).expect("the takeover is audited");
    assert!(
        takeover.contains("\"who\":\"test-daemon\"")
            && takeover.contains("lease of dead-daemon expired at 2026-06-01T08:10:00+00:00"),
        "{takeover}"
    );
    assert!(env.run(&["audit", "verify", "--state", &state]).status.success());
}

/// Under a policy, a scheduled step that needs a manager's signed approval suspends its run, which the daemon
/// reports as waiting; nothing of the step runs until someone approves and resumes it.
#[test]
fn under_a_policy_a_scheduled_step_waits_for_approval_and_is_reported() {
    let env = Env::new();
    let state = env.state();
    let identity = env.run(&["identity", "--name", "scheduler", "--state", &state, "--format", "json"]);
    let key: serde_json::Value = serde_json::from_slice(&identity.stdout).expect("the identity as JSON");
    let key = key["key"].as_str().expect("a key");
    let policy = format!(
        "[roles.manager]\nrun_without_approval = \"high\"\nmembers = [{{ name = \"alice\", key = \"{}\" }}]\n\n\
         [roles.executor]\nrun_without_approval = \"medium\"\nmembers = [{{ name = \"scheduler\", key = \"{key}\" }}]\n\n\
         [approvals.high]\ncount = 1\nfrom = [\"manager\"]\n",
        "1bab3f1f2a740e68380df831f2418bd497b3c7080ef9e8e475175cdabcbc89ba"
    );
    std::fs::write(env.path("state/policy.toml"), policy).expect("written");
    env.add_risky();
    let woke = env.daemon("2026-06-01T19:00:30Z");
    let run_id = env.runs().pop().expect("a run");
    assert_eq!(
        stdout(&woke),
        format!(
            "risky 2026-06-01T19:00:00Z: ran as run {run_id}, waiting for approval: escher approvals, then escher resume {run_id}\n\
             next occurrence: 2026-06-02T19:00:00Z\n"
        ),
        "{}",
        stderr(&woke)
    );
    let journal = std::fs::read_to_string(env.path(&format!("state/runs/{run_id}/journal.jsonl"))).expect("a journal");
    assert!(!journal.contains("\"record\":\"step_started\",\"node\":\"stop\""), "nothing of the step ran: {journal}");
}

/// `escher resume` holds the run's lease: a run another runner holds is refused; one whose holder's lease ended
/// is taken over, and the audit log says so.
#[test]
fn a_run_held_by_another_runner_is_not_resumed_and_an_expired_hold_is_taken_over() {
    let env = Env::new();
    let state = env.state();
    assert!(env.run(&["run", "tidy.esc", "--state", &state]).status.success());
    let run_id = env.runs().pop().expect("a run");
    let lock = env.path(&format!("state/locks/run-{run_id}.json"));
    std::fs::create_dir_all(lock.parent().expect("a folder")).expect("created");
    let hold = |until: &str| {
        let record = format!(
            "{{\"holder\": \"laptop-b\", \"acquired_at\": \"2026-01-01T00:00:00Z\", \"expires_at\": \"{until}\"}}\n"
        );
        std::fs::write(&lock, record).expect("written");
    };
    hold("2099-01-01T00:00:00Z");
    let refused = env.run(&["resume", &run_id, "--state", &state]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        stderr(&refused),
        format!(
            "error: run {run_id} is being run by laptop-b (its lease lasts until 2099-01-01T00:00:00Z); try again once it ends\n"
        )
    );
    hold("2026-01-01T00:10:00Z");
    let resumed = env.run(&["resume", &run_id, "--state", &state]);
    assert!(
        stderr(&resumed).starts_with(&format!(
            "note: took over run {run_id} from laptop-b, whose lease ended at 2026-01-01T00:10:00Z\n"
        )),
        "{}",
        stderr(&resumed)
    );
    let audit = stdout(&env.run(&["audit", "export", "--state", &state]));
    assert!(audit.lines().any(|line| line.contains("lock.taken_over") && line.contains(&run_id)), "{audit}");
    // A holder on this machine whose process is gone needs no waiting for its lease to end.
    let mut gone = Command::new("true").spawn().expect("a short process");
    let pid = gone.id();
    gone.wait().expect("ended");
    let host = std::fs::read_to_string("/etc/hostname").expect("a host name").trim().to_string();
    let record = format!(
        "{{\"holder\": \"ops@{host}:{pid}\", \"acquired_at\": \"2026-01-01T00:00:00Z\", \"expires_at\": \"2099-01-01T00:00:00Z\"}}\n"
    );
    std::fs::write(&lock, record).expect("written");
    let again = env.run(&["resume", &run_id, "--state", &state]);
    assert!(
        stderr(&again).starts_with(&format!(
            "note: took over run {run_id} from ops@{host}:{pid}, whose lease ended at 2099-01-01T00:00:00Z\n"
        )),
        "{}",
        stderr(&again)
    );
    let released = std::fs::read_to_string(&lock).expect("the lock");
    let record: serde_json::Value = serde_json::from_str(&released).expect("JSON");
    assert_eq!(record["acquired_at"], record["expires_at"], "released when the command ended: {released}");
}

/// Two daemons on one bucket: the occurrence is claimed in the bucket, so it runs once, and its run reaches the
/// bucket.
#[test]
fn two_daemons_on_one_bucket_run_the_occurrence_once() {
    let moto = support::moto::endpoint();
    let env = Env::new();
    let bucket = format!("escher-daemons-{}", std::process::id());
    support::moto::create_bucket(&moto, &bucket);
    let url = format!("s3://{bucket}/ops");
    let with_aws = |args: &[&str], cache: &str| {
        let mut command = env.command(args);
        support::moto::client(&mut command, &moto)
            .env("XDG_CACHE_HOME", env.path(cache))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    };
    let added = with_aws(
        &[
            "schedule",
            "add",
            "tidy.esc",
            "--cron",
            "0 20 * * *",
            "--tz",
            "Europe/London",
            "--now",
            "2026-06-01T00:00:00Z",
            "--state",
            &url,
        ],
        "cache-a",
    )
    .output()
    .expect("ran");
    assert!(added.status.success(), "{}", stderr(&added));
    // Two machines: each its own local copy.
    let args = ["daemon", "--once", "--now", "2026-06-01T19:00:10Z", "--state", url.as_str()];
    let first = with_aws(&args, "cache-a").spawn().expect("started");
    let second = with_aws(&args, "cache-b").spawn().expect("started");
    let outputs: Vec<Output> = [first, second].into_iter().map(|c| c.wait_with_output().expect("ended")).collect();
    let ran: usize = outputs.iter().map(|o| stdout(o).matches(": ran as run ").count()).sum();
    assert_eq!(ran, 1, "{}\n{}", stdout(&outputs[0]), stdout(&outputs[1]));
    let local = env.path("laptop").display().to_string();
    let synced = with_aws(&["state", "sync", "--from", &url, "--state", &local], "cache-c").output().expect("ran");
    assert!(stdout(&synced).ends_with("; 1 runs here now\n"), "{}{}", stdout(&synced), stderr(&synced));
}

/// A team whose state is in a moto bucket: bob's runs on the `container` machine, alice approving from her
/// `laptop`, each machine with its own key in its own local copy, under one policy.
struct Team {
    env: Env,
    moto: String,
    bucket: String,
    url: String,
    policy: String,
}

impl Team {
    fn new(name: &str) -> Team {
        let moto = support::moto::endpoint();
        let env = Env::new();
        let bucket = format!("escher-{name}-{}", std::process::id());
        support::moto::create_bucket(&moto, &bucket);
        let url = format!("s3://{bucket}/team");
        let policy = env.path("policy.toml").display().to_string();
        let team = Team { env, moto, bucket, url, policy };
        let key_of = |machine: &str, name: &str| {
            let printed = team.on(machine, &["identity", "--name", name, "--format", "json"]);
            let printed: serde_json::Value = serde_json::from_slice(&printed.stdout).expect("the identity as JSON");
            printed["key"].as_str().expect("a key").to_string()
        };
        let (alice, bob) = (key_of("laptop", "alice"), key_of("container", "bob"));
        let text = format!(
            "[roles.manager]\nrun_without_approval = \"high\"\nmembers = [{{ name = \"alice\", key = \"{alice}\" }}]\n\n\
             [roles.executor]\nrun_without_approval = \"medium\"\nmembers = [{{ name = \"bob\", key = \"{bob}\" }}]\n\n\
             [approvals.high]\ncount = 1\nfrom = [\"manager\"]\n"
        );
        std::fs::write(&team.policy, text).expect("written");
        let risky = "playbook risky {\n  let vms = aws.ec2.instances(regions = [\"eu-west-1\"], state = \"running\")\n  step stop = aws.ec2.stop(vms) { max_targets = 50 }\n}\n";
        std::fs::write(team.env.path("risky.esc"), risky).expect("written");
        team
    }

    /// `escher ARGS` on `machine`, on the team's bucket state.
    fn on(&self, machine: &str, args: &[&str]) -> Output {
        support::moto::client(&mut self.env.command(args), &self.moto)
            .args(["--state", &self.url])
            .env("XDG_CACHE_HOME", self.env.path(machine))
            .env_remove("ESCHER_POLICY")
            .env_remove("ESCHER_APPROVALS")
            .output()
            .expect("escher runs")
    }

    /// Bob's risky run on the container, waiting for approval: its run id.
    fn waiting_run(&self) -> String {
        let waiting = self.on("container", &["run", "risky.esc", "--policy", &self.policy, "--detach"]);
        assert_eq!(waiting.status.code(), Some(75), "the run waits for approval: {}", stderr(&waiting));
        stdout(&waiting)
            .lines()
            .find_map(|line| line.strip_prefix("run id: ").and_then(|rest| rest.split_whitespace().next()))
            .expect("the run id")
            .to_string()
    }
}

/// With state in a bucket, approvals travel through it: a run on one machine waits for a manager's approval; the
/// manager, on another machine with the same bucket, lists the request and approves it; the run's resume then
/// runs the step. Each machine keeps its own key in its own local copy.
#[test]
fn approvals_travel_through_bucket_state_between_machines() {
    let team = Team::new("approvals");
    let (on, policy) = (|machine: &str, args: &[&str]| team.on(machine, args), team.policy.as_str());
    let run_id = team.waiting_run();
    let listed = on("laptop", &["approvals", "--policy", policy]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).contains(&run_id) && stdout(&listed).contains("pending (0 of 1)"), "{}", stdout(&listed));
    let approved = on("laptop", &["approve", &run_id, "stop", "--policy", policy]);
    assert!(approved.status.success(), "{}", stderr(&approved));

    let resumed = on("container", &["resume", &run_id, "--policy", policy, "--detach"]);
    assert_eq!(resumed.status.code(), Some(0), "the approved run finishes: {}", stderr(&resumed));
    let shown = on("laptop", &["show", &run_id, "--format", "json"]);
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("the run as JSON");
    assert_eq!(shown["status"], "succeeded");
    let audit = on("laptop", &["audit", "export"]);
    let audit = stdout(&audit);
    assert!(audit.lines().any(|l| l.contains("approval.decided") && l.contains("alice (ungoverned)")), "{audit}");
    assert!(on("laptop", &["audit", "verify"]).status.success(), "the bucket's audit log verifies");
}

/// Alice rejects bob's step from her laptop. Bob, who can write the bucket, deletes her rejection before his run
/// goes on. The bucket keeps versions, so the container's copy of the state gets the rejection back when it is
/// brought up to date, and the step is refused; nothing of it runs.
#[test]
fn a_rejection_deleted_from_a_versioned_bucket_still_refuses_the_step() {
    let team = Team::new("rejected");
    support::moto::enable_versioning(&team.moto, &team.bucket);
    let run_id = team.waiting_run();
    let rejected =
        team.on("laptop", &["reject", &run_id, "stop", "--reason", "not before the release", "--policy", &team.policy]);
    assert!(rejected.status.success(), "{}", stderr(&rejected));
    let decisions = support::moto::keys(&team.moto, &team.bucket, "team/approvals/decisions/");
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    support::moto::delete(&team.moto, &team.bucket, &decisions[0]);
    assert!(support::moto::keys(&team.moto, &team.bucket, "team/approvals/decisions/").is_empty());

    let resumed = team.on("container", &["resume", &run_id, "--policy", &team.policy, "--detach"]);
    assert_eq!(resumed.status.code(), Some(1), "the rejection still refuses the step: {}", stderr(&resumed));
    let said = format!("{}{}", stdout(&resumed), stderr(&resumed));
    assert!(said.contains("rejected by alice") && said.contains("not before the release"), "{said}");
    let shown = team.on("container", &["show", &run_id, "--format", "json"]);
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("the run as JSON");
    let stop = &shown["steps"]["stop"];
    assert_eq!(stop["status"], "refused", "{shown}");
    assert_eq!(stop["changes"], serde_json::json!([]), "nothing of the step ran: {shown}");
}
