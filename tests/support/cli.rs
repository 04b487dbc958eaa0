//! Running the real `escher` binary in a sandbox: a temporary directory with its own copy of the demo estate and
//! its own state directory, so that tests running at the same time never share a file.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::estate::Estate;

/// A path inside the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The binary, with nothing from the developer's environment that could change what it reads: no state
/// directory, no secrets, no colour.
pub fn escher() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_escher"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env_remove("ESCHER_STATE");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ESCHER_SECRET_") {
            command.env_remove(name);
        }
    }
    command
}

/// Every variable through which Azure's credential sources sign in (a service principal, workload and managed
/// identity, another authority): removed, a command signs in only as a test gives it.
pub const AZURE_CREDENTIAL_VARIABLES: [&str; 8] = [
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "AZURE_AUTHORITY_HOST",
];

/// What one invocation of the binary left behind.
#[derive(Debug)]
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    fn of(command: &mut Command) -> Finished {
        let output = command.output().expect("the escher binary starts");
        Finished {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The run id: from the JSON events on stdout (`--format json`), else from the summary's `run id:` line.
    pub fn run_id(&self) -> String {
        let from_events = self.events().into_iter().find_map(|event| event["run_id"].as_str().map(String::from));
        let from_text = || {
            self.stdout
                .lines()
                .find_map(|line| line.strip_prefix("run id: "))
                .and_then(|rest| rest.split_whitespace().next().map(String::from))
        };
        from_events.or_else(from_text).unwrap_or_else(|| panic!("no run id in the output:\n{}", self.describe()))
    }

    /// The JSON objects printed on stdout, one a line; other lines are left out.
    pub fn events(&self) -> Vec<Value> {
        self.stdout.lines().filter_map(|line| serde_json::from_str::<Value>(line).ok()).collect()
    }

    /// The exit code and both streams, for failure messages.
    pub fn describe(&self) -> String {
        format!("exit code {:?}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A temporary directory holding a copy of the demo estate (`estate.json`), a state directory (`state/`) and
/// any playbook a test writes.
pub struct Sandbox {
    dir: tempfile::TempDir,
    pub estate: PathBuf,
    pub state: PathBuf,
}

impl Sandbox {
    pub fn with_demo_estate() -> Sandbox {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let estate = dir.path().join("estate.json");
        std::fs::copy(repo_path("examples/estate/demo.json"), &estate).expect("the demo estate is copied");
        let state = dir.path().join("state");
        Sandbox { dir, estate, state }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file into the sandbox and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("a file is written into the sandbox");
        path
    }

    /// `escher run PLAYBOOK --estate E --estate-out E --state S ARGS...`: the estate file is updated in place.
    pub fn run(&self, playbook: &Path, args: &[impl AsRef<OsStr>]) -> Finished {
        self.run_with(playbook, args, |_| {})
    }

    /// As [`Sandbox::run`], with the command adjusted first (environment variables).
    pub fn run_with(&self, playbook: &Path, args: &[impl AsRef<OsStr>], adjust: impl FnOnce(&mut Command)) -> Finished {
        let mut command = escher();
        command.arg("run").arg(playbook).arg("--estate").arg(&self.estate).arg("--estate-out").arg(&self.estate);
        command.arg("--state").arg(&self.state).args(args);
        adjust(&mut command);
        Finished::of(&mut command)
    }

    /// Any other command, with `--state` pointing at the sandbox's state directory.
    pub fn escher(&self, args: &[&str]) -> Finished {
        Finished::of(escher().args(args).arg("--state").arg(&self.state))
    }

    /// `escher show RUN --format json`, parsed.
    pub fn show(&self, run_id: &str) -> Value {
        let shown = self.escher(&["show", run_id, "--format", "json"]);
        assert_eq!(shown.code, Some(0), "escher show {run_id} failed:\n{}", shown.describe());
        serde_json::from_str(&shown.stdout).unwrap_or_else(|e| panic!("show printed no JSON ({e}):\n{}", shown.stdout))
    }

    /// `escher audit verify` exits 0 and says the chain is intact.
    pub fn assert_audit_intact(&self, context: &str) {
        let verified = self.escher(&["audit", "verify"]);
        assert_eq!(verified.code, Some(0), "{context}: escher audit verify failed:\n{}", verified.describe());
        assert!(verified.stdout.contains("intact"), "{context}: audit verify output:\n{}", verified.describe());
    }

    pub fn estate(&self) -> Estate {
        Estate::load(&self.estate)
    }

    pub fn estate_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.estate).expect("the estate file is readable")
    }
}

/// `escher plan PLAYBOOK --format json` with `--param NAME=VALUE` for each of `params`, parsed.
pub fn plan_json(playbook: &Path, params: &[impl AsRef<OsStr>]) -> (Value, Finished) {
    let mut command = escher();
    command.arg("plan").arg(playbook).args(["--format", "json"]);
    for param in params {
        command.arg("--param").arg(param);
    }
    let planned = Finished::of(&mut command);
    assert_eq!(planned.code, Some(0), "escher plan {} failed:\n{}", playbook.display(), planned.describe());
    let plan = serde_json::from_str(&planned.stdout)
        .unwrap_or_else(|e| panic!("plan printed no JSON ({e}):\n{}", planned.stdout));
    (plan, planned)
}
