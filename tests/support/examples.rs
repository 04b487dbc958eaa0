//! The example playbooks as the suite runs them (params, approvals), and the checks every real run must pass.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::cli::{Sandbox, plan_json, repo_path};
use super::estate::Resource;
use super::journal::Journal;

/// How each example is run: the params it needs and whether it needs `--approve-up-to critical`.
pub struct Example {
    pub name: &'static str,
    params: &'static [(&'static str, &'static str)],
    needs_approval: bool,
}

/// A health check id for `production_dr`: the demo estate lists no health checks, and Route 53 takes the id as
/// given, so any well-formed id serves.
pub const HEALTH_CHECK_ID: &str = "0a1b2c3d-0000-4000-8000-123456789abc";

/// The instance `resize` resizes: `dev-build-runner`, a running t3.small in us-east-1 of the demo estate.
pub const RESIZED_INSTANCE: &str = "i-0123456789abcdef0";

pub const EXAMPLES: &[Example] = &[
    Example { name: "cost_report", params: &[], needs_approval: false },
    Example { name: "encryption_enforcement", params: &[], needs_approval: false },
    Example { name: "nightly_shutdown", params: &[], needs_approval: false },
    Example { name: "open_ports_remediation", params: &[], needs_approval: false },
    Example { name: "production_dr", params: &[("health_check_id", HEALTH_CHECK_ID)], needs_approval: true },
    Example { name: "public_storage_lockdown", params: &[], needs_approval: false },
    Example { name: "resize", params: &[("instance_id", RESIZED_INSTANCE)], needs_approval: false },
    Example { name: "tag_compliance", params: &[], needs_approval: false },
    Example { name: "waste_cleanup", params: &[], needs_approval: true },
    // The warm-up is a real wait; the test does not need five minutes of it.
    Example { name: "weekend_startup", params: &[], needs_approval: false },
];

impl Example {
    pub fn named(name: &str) -> &'static Example {
        EXAMPLES.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("no example named {name} in EXAMPLES"))
    }

    pub fn path(&self) -> PathBuf {
        repo_path(&format!("examples/{}.esc", self.name))
    }

    /// `NAME=VALUE` for each param.
    pub fn params(&self) -> Vec<String> {
        self.params.iter().map(|(name, value)| format!("{name}={value}")).collect()
    }

    /// `--param` for each param, `--approve-up-to critical` if needed, then `extra`.
    pub fn args(&self, extra: &[&str]) -> Vec<String> {
        let mut args = Vec::new();
        for param in self.params() {
            args.extend(["--param".to_string(), param]);
        }
        if self.needs_approval {
            args.extend(["--approve-up-to", "critical"].map(String::from));
        }
        args.extend(extra.iter().map(|arg| arg.to_string()));
        args
    }

    pub fn plan(&self) -> Value {
        plan_json(&self.path(), &self.params()).0
    }
}

/// A run that finished, with what `escher show` and the journal say about it.
pub struct Completed {
    pub show: Value,
    pub journal: Journal,
}

impl Completed {
    /// The `id`s in a list field (`changed`, `unchanged`, `failed`) of a step's output.
    pub fn ids(&self, node: &str, list: &str) -> BTreeSet<String> {
        ids_in(&self.show["steps"][node]["output"][list])
    }
}

pub fn ids_in(list: &Value) -> BTreeSet<String> {
    list.as_array().into_iter().flatten().filter_map(|item| item["id"].as_str().map(String::from)).collect()
}

pub fn ids_of(resources: &[&Resource]) -> BTreeSet<String> {
    resources.iter().map(|r| r.id().to_string()).collect()
}

/// Runs an example for real (`--format json`) and checks what every run must show: exit code 0, the plan the
/// command line would print, every step succeeded or skipped by its `when`, approvals recorded before the steps
/// that need them, and an intact audit chain.
pub fn run_cleanly(sandbox: &Sandbox, example: &Example) -> Completed {
    let name = example.name;
    let run = sandbox.run(&example.path(), &example.args(&["--format", "json"]));
    assert_eq!(run.code, Some(0), "{name}: the run did not succeed:\n{}", run.describe());
    let run_id = run.run_id();
    let show = sandbox.show(&run_id);
    let plan = example.plan();
    assert_eq!(show["status"], "succeeded", "{name}: {show:#}");
    assert_eq!(show["dry_run"], false, "{name}: a real run is shown as a dry run");
    assert_eq!(show["in_doubt"], json!([]), "{name}: steps left in doubt");
    assert_eq!(show["plan_hash"], plan["hash"], "{name}: the run's plan is not the plan `escher plan` prints");
    let journal = Journal::read(&sandbox.state, &run_id);
    for node in plan["nodes"].as_array().into_iter().flatten() {
        let id = node["id"].as_str().unwrap_or_default();
        let status = &show["steps"][id]["status"];
        let skipped = show["skipped"].get(id).is_some();
        assert!(status == "succeeded" || skipped, "{name}: step {id} did not finish: {status}, {show:#}");
        if !node["approval"].is_null()
            && let Some(started) = journal.first_start(id)
        {
            let approved = journal.approved_at(id);
            assert!(approved.is_some_and(|at| at < started), "{name}: step {id} started without an approval first");
        }
    }
    sandbox.assert_audit_intact(name);
    Completed { show, journal }
}
