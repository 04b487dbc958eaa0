//! An organisation for the governance tests: a manager and an executor (and optionally a second manager), each
//! with their own key, sharing one approvals store and one copy of the demo estate, under a policy file written
//! with their public keys. On disk, each has their own state directory and the approvals store is a shared
//! directory. In a bucket (moto, with versioning on, as a team's bucket should be), they share one state, each
//! from their own machine (their own local copy, holding their own key), and the approvals travel in the bucket.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use super::cli::{escher, repo_path};

/// Stops the running dev instances of the given regions; the manager must approve (`approve = manager`).
pub const STOP_DEV: &str = r#"
playbook stop_dev {
  param env: string = "dev"
  param regions: list<aws.region> = ["us-east-1"]
  let vms = aws.ec2.instances(regions = regions, tags = { env: env }, state = "running")
  step stop = aws.ec2.stop(vms) { max_targets = 10, approve = manager }
}
"#;

/// The same playbook with another `max_targets`: another plan.
pub const STOP_DEV_CHANGED: &str = r#"
playbook stop_dev {
  param env: string = "dev"
  param regions: list<aws.region> = ["us-east-1"]
  let vms = aws.ec2.instances(regions = regions, tags = { env: env }, state = "running")
  step stop = aws.ec2.stop(vms) { max_targets = 9, approve = manager }
}
"#;

/// The running dev instances of us-east-1 in the demo estate, which `stop_dev` stops.
pub const DEV_US_EAST_RUNNING: usize = 4;

pub struct Person {
    pub name: String,
    /// Their state: a directory, or the team's bucket URL.
    pub state: PathBuf,
    pub key: String,
    /// Their machine's cache (its local copy of bucket state), for state in a bucket.
    machine: Option<PathBuf>,
}

/// Where the organisation's state and approvals live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    Disk,
    Bucket,
}

/// The team's bucket: moto's endpoint, the bucket, and the state's URL in it.
struct Bucket {
    moto: String,
    name: String,
    url: String,
}

pub struct Org {
    dir: tempfile::TempDir,
    pub estate: PathBuf,
    /// The shared approvals directory, on disk.
    pub approvals: PathBuf,
    pub policy: PathBuf,
    pub manager: Person,
    pub executor: Person,
    pub second_manager: Person,
    bucket: Option<Bucket>,
}

/// What the policy says beyond its roles' members.
pub struct Terms {
    pub validity: &'static str,
    /// Approvals a high-risk (and `approve = manager`) step needs.
    pub managers_needed: u32,
}

impl Default for Terms {
    fn default() -> Self {
        Terms { validity: "1h", managers_needed: 1 }
    }
}

/// One invocation's outcome.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn of(output: std::process::Output) -> Ran {
        Ran {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub fn describe(&self) -> String {
        format!("exit code {:?}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }

    /// The run id from the `run id:` line.
    /// The run's id, from the summary on stdout.
    pub fn run_id(&self) -> String {
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix("run id: "))
            .and_then(|rest| rest.split_whitespace().next().map(String::from))
            .unwrap_or_else(|| panic!("no run id in the output:\n{}", self.describe()))
    }
}

impl Org {
    /// An organisation on disk.
    pub fn new(terms: Terms) -> Org {
        Org::at(Where::Disk, terms)
    }

    pub fn at(place: Where, terms: Terms) -> Org {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let estate = dir.path().join("estate.json");
        std::fs::copy(repo_path("examples/estate/demo.json"), &estate).expect("the demo estate is copied");
        let bucket = (place == Where::Bucket).then(|| {
            let moto = super::moto::endpoint();
            let name = format!("escher-org-{}", unique());
            super::moto::create_bucket(&moto, &name);
            super::moto::enable_versioning(&moto, &name);
            let url = format!("s3://{name}/team");
            Bucket { moto, name, url }
        });
        let person = |name: &str| make_person(dir.path(), name, name, bucket.as_ref());
        let (manager, executor, second_manager) = (person("alice"), person("bob"), person("carol"));
        let policy = dir.path().join("policy.toml");
        let text = format!(
            r#"approval_validity = "{validity}"

[roles.manager]
run_without_approval = "high"
members = [{{ name = "alice", key = "{alice}" }}, {{ name = "carol", key = "{carol}" }}]

[roles.executor]
run_without_approval = "medium"
members = [{{ name = "bob", key = "{bob}" }}]
clouds = ["aws"]
regions = ["us-east-1"]

[approvals.high]
count = {needed}
from = ["manager"]
"#,
            validity = terms.validity,
            alice = manager.key,
            carol = second_manager.key,
            bob = executor.key,
            needed = terms.managers_needed,
        );
        std::fs::write(&policy, text).expect("the policy is written");
        let approvals = dir.path().join("approvals");
        Org { dir, estate, approvals, policy, manager, executor, second_manager, bucket }
    }

    /// `name` with a new key, made on a state (or a machine) of its own called `label`: a second key of someone
    /// the policy lists, or a stranger's.
    pub fn newcomer(&self, name: &str, label: &str) -> Person {
        make_person(self.root(), name, label, self.bucket.as_ref())
    }

    /// Someone reading `who`'s state afresh: on disk, `who`'s state directory; in a bucket, from a machine that
    /// never saw it (`label`).
    pub fn reader_of(&self, who: &Person, label: &str) -> Person {
        match &self.bucket {
            None => Person { name: who.name.clone(), state: who.state.clone(), key: who.key.clone(), machine: None },
            Some(_) => self.newcomer("reader", label),
        }
    }

    /// Someone the policy does not list, with a state (or a machine) of their own.
    pub fn stranger(&self, name: &str) -> Person {
        match &self.bucket {
            None => Person { name: name.into(), state: self.root().join(name), key: String::new(), machine: None },
            Some(bucket) => Person {
                name: name.into(),
                state: PathBuf::from(&bucket.url),
                key: String::new(),
                machine: Some(self.root().join(format!("{name}-machine"))),
            },
        }
    }

    /// `who`'s key pair, from their state directory or their machine's copy of the bucket's state.
    pub fn identity(&self, who: &Person) -> escher_governance::identity::Identity {
        use escher_governance::identity::Identity;
        let path = match &who.machine {
            None => Identity::path(&who.state),
            Some(machine) => files_named(machine, "identity.json").into_iter().next().expect("their identity"),
        };
        Identity::load(&path).expect("their own key")
    }

    /// The directory `who`'s commands write their state to: their state directory, or their machine's copy of
    /// the bucket's state.
    pub fn local_state(&self, who: &Person) -> PathBuf {
        match &who.machine {
            None => who.state.clone(),
            Some(machine) => {
                let identity = files_named(machine, "identity.json").into_iter().next().expect("their copy");
                identity.parent().expect("the copy's directory").to_path_buf()
            }
        }
    }

    /// Makes `who`'s local audit log (rewritten by them) the state's: in a bucket, as someone holding its
    /// credentials can, by deleting the bucket's audit log and anchor and pushing their copy in their place.
    pub fn replace_audit_log_with(&self, who: &Person) {
        let Some(bucket) = &self.bucket else { return };
        let copy = self.local_state(who);
        bucket.run(|store| async move {
            for key in store.list("audit/").await.expect("listed") {
                store.delete(&key).await.expect("deleted");
            }
            escher_state::mirror::Mirror::new(&copy).push(&store).await.expect("pushed");
        })
    }

    /// Whether the organisation's state is in a bucket.
    pub fn in_bucket(&self) -> bool {
        self.bucket.is_some()
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("a file is written");
        path
    }

    /// `escher ARGS --state S --policy P` as `who`, with the shared approvals directory on disk.
    pub fn command(&self, who: &Person, args: &[&str]) -> Command {
        self.command_under(who, &self.policy, args)
    }

    /// [`Org::command`] under another policy file than the organisation's.
    pub fn command_under(&self, who: &Person, policy: &Path, args: &[&str]) -> Command {
        let mut command = escher();
        command.env_remove("ESCHER_POLICY").env_remove("ESCHER_APPROVALS").args(args);
        with_state(&mut command, who, self.bucket.as_ref()).arg("--policy").arg(policy);
        if self.bucket.is_none() {
            command.arg("--approvals").arg(&self.approvals);
        }
        command
    }

    /// `escher ARGS --state S` as `who` (no policy given).
    pub fn plain(&self, who: &Person, args: &[&str]) -> Ran {
        let mut command = escher();
        command.env_remove("ESCHER_POLICY").env_remove("ESCHER_APPROVALS").args(args);
        Ran::of(with_state(&mut command, who, self.bucket.as_ref()).output().expect("escher starts"))
    }

    pub fn escher(&self, who: &Person, args: &[&str]) -> Ran {
        Ran::of(self.command(who, args).output().expect("escher starts"))
    }

    /// `escher run PLAYBOOK ARGS` on the shared estate as `who`.
    pub fn run_command(&self, who: &Person, playbook: Option<&Path>, args: &[&str]) -> Command {
        let mut command = self.command(who, &["run"]);
        if let Some(playbook) = playbook {
            command.arg(playbook);
        }
        command.arg("--estate").arg(&self.estate).arg("--estate-out").arg(&self.estate).args(args);
        command
    }

    pub fn run(&self, who: &Person, playbook: Option<&Path>, args: &[&str]) -> Ran {
        Ran::of(self.run_command(who, playbook, args).output().expect("escher starts"))
    }

    pub fn spawn_run(&self, who: &Person, playbook: &Path, args: &[&str]) -> Child {
        let mut command = self.run_command(who, Some(playbook), args);
        command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        command.spawn().expect("escher starts")
    }

    /// The audit log of `who`, exported as JSON lines.
    pub fn audit(&self, who: &Person) -> String {
        self.plain(who, &["audit", "export"]).stdout
    }

    /// Every record of `who`'s audit log, whatever its kind, is stamped the one way: RFC 3339, UTC, milliseconds.
    pub fn assert_audit_times_in_one_format(&self, who: &Person) {
        for line in self.audit(who).lines() {
            let record: serde_json::Value = serde_json::from_str(line).expect("an exported record is JSON");
            let at = record["at"].as_str().unwrap_or_default();
            let shape: Vec<bool> = at.chars().map(|c| c.is_ascii_digit()).collect();
            let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
            let well_formed =
                at.len() == 24 && digits.iter().all(|&i| shape[i]) && at.as_bytes()[19] == b'.' && at.ends_with('Z');
            assert!(well_formed, "{}: `{at}` is not RFC 3339 UTC with milliseconds: {line}", who.name);
        }
    }

    pub fn assert_audit_intact(&self, who: &Person) {
        let verified = self.plain(who, &["audit", "verify"]);
        assert_eq!(verified.code, Some(0), "{}: audit verify:\n{}", who.name, verified.describe());
    }

    pub fn estate_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.estate).expect("the estate reads")
    }

    /// The names of the documents of one kind (`requests`, `decisions`, `templates`, ...) in the shared
    /// approvals store, sorted.
    pub fn documents(&self, kind: &str) -> Vec<String> {
        match &self.bucket {
            None => files_in(&self.approvals.join(kind))
                .iter()
                .filter_map(|path| path.file_name().map(|name| name.to_string_lossy().into_owned()))
                .collect(),
            Some(bucket) => {
                let prefix = format!("team/approvals/{kind}/");
                let mut names: Vec<String> = super::moto::keys(&bucket.moto, &bucket.name, &prefix)
                    .into_iter()
                    .filter_map(|key| key.strip_prefix(&prefix).map(str::to_string))
                    .filter(|name| name.ends_with(".json") && !name.contains('/'))
                    .collect();
                names.sort();
                names
            }
        }
    }

    /// A document of the shared approvals store.
    pub fn read_document(&self, kind: &str, name: &str) -> Vec<u8> {
        match &self.bucket {
            None => std::fs::read(self.approvals.join(kind).join(name)).expect("the document reads"),
            Some(bucket) => bucket.run(|store| async move {
                let object = store.get(&format!("approvals/{kind}/{name}")).await.expect("read");
                object.expect("the document is in the bucket").bytes.to_vec()
            }),
        }
    }

    /// Writes a document into the shared approvals store, replacing any of that name, as whoever can write the
    /// store can.
    pub fn write_document(&self, kind: &str, name: &str, bytes: &[u8]) {
        match &self.bucket {
            None => {
                std::fs::create_dir_all(self.approvals.join(kind)).expect("the folder");
                std::fs::write(self.approvals.join(kind).join(name), bytes).expect("written");
            }
            Some(bucket) => {
                let bytes = bytes.to_vec();
                bucket.run(|store| async move {
                    let key = format!("approvals/{kind}/{name}");
                    store.put(&key, bytes, escher_state::PutMode::Overwrite).await.expect("written");
                })
            }
        }
    }

    /// Removes a document from the shared approvals store (and, in a bucket, from every machine's copy).
    pub fn remove_document(&self, kind: &str, name: &str) {
        match &self.bucket {
            None => std::fs::remove_file(self.approvals.join(kind).join(name)).expect("removed"),
            Some(bucket) => {
                bucket
                    .run(|store| async move { store.delete(&format!("approvals/{kind}/{name}")).await.expect("gone") });
                for machine in
                    [&self.manager, &self.executor, &self.second_manager].into_iter().filter_map(|p| p.machine.as_ref())
                {
                    for copy in files_named(machine, name) {
                        std::fs::remove_file(copy).expect("removed from a machine's copy");
                    }
                }
            }
        }
    }

    /// The decision files filed so far, by name.
    pub fn decision_files(&self) -> Vec<String> {
        self.documents("decisions")
    }

    pub fn request_files(&self) -> Vec<String> {
        self.documents("requests")
    }

    /// How many instances of the estate are stopped.
    pub fn stopped_instances(&self) -> usize {
        let estate: serde_json::Value = serde_json::from_slice(&self.estate_bytes()).expect("estate JSON");
        estate["accounts"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|account| account["resources"].as_array().into_iter().flatten())
            .filter(|r| r["kind"] == "aws.ec2.Instance" && r["state"] == "stopped")
            .count()
    }
}

impl Bucket {
    /// Runs `work` on the team's state store (its keys are the state's: `approvals/...`).
    fn run<T, F: std::future::Future<Output = T>>(&self, work: impl FnOnce(escher_state::Store) -> F) -> T {
        let url = escher_state::StoreUrl::parse(&self.url).expect("the state URL");
        let store = escher_state::Store::open(&url, &escher_state::StoreOptions::emulator(&self.moto)).expect("opens");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(work(store))
    }
}

/// `name`, with a key made by `escher identity` in the state directory (or on the machine) `label` under `root`.
fn make_person(root: &Path, name: &str, label: &str, bucket: Option<&Bucket>) -> Person {
    let (state, machine) = match bucket {
        None => (root.join(label), None),
        Some(bucket) => (PathBuf::from(&bucket.url), Some(root.join(format!("{label}-machine")))),
    };
    let mut person = Person { name: name.to_string(), state, key: String::new(), machine };
    let mut command = escher();
    command.args(["identity", "--name", name, "--format", "json"]);
    let output = with_state(&mut command, &person, bucket).output().expect("escher starts");
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("escher identity printed no JSON ({e}): {}", Ran::of(output.clone()).describe()));
    person.key = printed["key"].as_str().expect("a key").to_string();
    person
}

/// `--state` for `who`, and for bucket state their machine's cache and moto's credentials.
fn with_state<'c>(command: &'c mut Command, who: &Person, bucket: Option<&Bucket>) -> &'c mut Command {
    command.arg("--state").arg(&who.state);
    if let (Some(bucket), Some(machine)) = (bucket, &who.machine) {
        super::moto::client(command, &bucket.moto).env("XDG_CACHE_HOME", machine);
    }
    command
}

/// Every file named `name` under `dir`, at any depth.
fn files_named(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_named(&path, name));
        } else if path.file_name().is_some_and(|file| file == name) {
            found.push(path);
        }
    }
    found
}

/// A name no other test's bucket has.
fn unique() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{}-{nanos:x}", std::process::id())
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    files.sort();
    files
}
