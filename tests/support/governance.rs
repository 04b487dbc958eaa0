//! An organisation for the governance tests: a manager and an executor (and optionally a second manager), each
//! with their own state directory and key, sharing one approvals directory and one copy of the demo estate, under
//! a policy file written with their public keys.

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
    pub state: PathBuf,
    pub key: String,
}

pub struct Org {
    dir: tempfile::TempDir,
    pub estate: PathBuf,
    pub approvals: PathBuf,
    pub policy: PathBuf,
    pub manager: Person,
    pub executor: Person,
    pub second_manager: Person,
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
    pub fn new(terms: Terms) -> Org {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let estate = dir.path().join("estate.json");
        std::fs::copy(repo_path("examples/estate/demo.json"), &estate).expect("the demo estate is copied");
        let person = |name: &str| {
            let state = dir.path().join(name);
            let output = escher()
                .args(["identity", "--name", name, "--format", "json", "--state"])
                .arg(&state)
                .output()
                .expect("escher starts");
            let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
                panic!("escher identity printed no JSON ({e}): {}", Ran::of(output.clone()).describe())
            });
            let key = printed["key"].as_str().expect("a key").to_string();
            Person { name: name.to_string(), state, key }
        };
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
        Org { dir, estate, approvals, policy, manager, executor, second_manager }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("a file is written");
        path
    }

    /// `escher ARGS --state S --policy P --approvals A` as `who`.
    pub fn command(&self, who: &Person, args: &[&str]) -> Command {
        let mut command = escher();
        command.env_remove("ESCHER_POLICY").env_remove("ESCHER_APPROVALS");
        command.args(args).arg("--state").arg(&who.state).arg("--policy").arg(&self.policy);
        command.arg("--approvals").arg(&self.approvals);
        command
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
        let exported = escher().args(["audit", "export", "--state"]).arg(&who.state).output().expect("escher starts");
        String::from_utf8_lossy(&exported.stdout).into_owned()
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
        let verified = escher().args(["audit", "verify", "--state"]).arg(&who.state).output().expect("escher starts");
        let verified = Ran::of(verified);
        assert_eq!(verified.code, Some(0), "{}: audit verify:\n{}", who.name, verified.describe());
    }

    pub fn estate_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.estate).expect("the estate reads")
    }

    /// The decision files filed so far.
    pub fn decision_files(&self) -> Vec<PathBuf> {
        files_in(&self.approvals.join("decisions"))
    }

    pub fn request_files(&self) -> Vec<PathBuf> {
        files_in(&self.approvals.join("requests"))
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

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    files.sort();
    files
}
