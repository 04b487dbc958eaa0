//! Providers by name on the command line: `--cloud` names them from the engine's registry, a name no build has
//! and a provider that cannot start are refused before anything runs, and a resume makes the providers the run
//! recorded, or refuses. (A provider a build leaves out is named with its feature: `engine/src/registry/tests.rs`.)

mod support;

use std::fs;

use support::cli::{Sandbox, escher};

const TIDY: &str = r#"
playbook tidy {
  let idle = aws.ec2.instances(regions = ["us-east-1"], tags = { env: "dev" }, state = "running")
  step stop = aws.ec2.stop(idle) { max_targets = 10 }
}
"#;

const GCE: &str = r#"
playbook gce {
  let idle = gcp.compute.instances(labels = { env: "dev" }, status = "running")
  step stop = gcp.compute.stop(idle) { max_targets = 10 }
}
"#;

fn runs(sandbox: &Sandbox) -> usize {
    fs::read_dir(sandbox.state.join("runs")).map_or(0, |runs| runs.count())
}

#[test]
fn an_unknown_provider_or_one_without_credentials_is_refused_before_anything_runs() {
    let sandbox = Sandbox::with_demo_estate();
    let refused = sandbox.escher(&["run", "examples/nightly_shutdown.esc", "--cloud", "oracle"]);
    assert_eq!(refused.code, Some(2), "{}", refused.describe());
    assert!(refused.stderr.contains("no provider is named `oracle`"), "{}", refused.describe());

    // GCP with no credential source: one error naming each, and no run.
    let home = sandbox.state.join("home");
    let playbook = sandbox.state.join("gce.esc");
    fs::write(&playbook, GCE).expect("the playbook");
    let mut command = escher();
    command
        .arg("run")
        .arg(&playbook)
        .args(["--cloud", "gcp", "--state"])
        .arg(&sandbox.state)
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .env_remove("CLOUDSDK_CONFIG")
        .env("HOME", &home)
        .env("GCE_METADATA_HOST", "127.0.0.1:9");
    let refused = command.output().expect("runs");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    for source in [
        "GOOGLE_APPLICATION_CREDENTIALS: not set",
        "gcloud application default credentials",
        "metadata server (127.0.0.1:9)",
    ] {
        assert!(stderr.contains(source) && stderr.contains("nothing was run"), "{stderr}");
    }
    assert_eq!(runs(&sandbox), 0, "no run was recorded");

    let mixed = escher().args(["run", "examples/nightly_shutdown.esc", "--cloud", "sim,sim"]).output().expect("runs");
    assert_eq!(mixed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("the provider `sim` is named twice"));
}

#[test]
fn the_simulators_options_need_the_simulator() {
    let sandbox = Sandbox::with_demo_estate();
    let playbook = sandbox.write("tidy.esc", TIDY);
    let (playbook, estate) = (playbook.to_string_lossy(), sandbox.estate.to_string_lossy());
    let refused = sandbox.escher(&["run", &playbook, "--cloud", "aws", "--estate", &estate]);
    assert_eq!(refused.code, Some(2), "{}", refused.describe());
    assert!(
        refused.stderr.contains("--estate, --estate-out and --sim-faults are the simulator's: they need --cloud sim"),
        "{}",
        refused.describe()
    );
    assert_eq!(runs(&sandbox), 0);
}

/// A run records its providers by name with their options; a resume whose record names one this build does
/// not have is refused, touching nothing, never run on the simulator instead. A record from before the engine
/// kept them (the command line's `cli.json`, one `cloud`) still reads.
#[test]
fn a_resume_makes_the_recorded_providers_or_refuses() {
    let sandbox = Sandbox::with_demo_estate();
    let playbook = sandbox.write("tidy.esc", TIDY);
    let ran = sandbox.run(&playbook, &["--approve-up-to", "high"]);
    assert_eq!(ran.code, Some(0), "{}", ran.describe());
    let run_id = ran.run_id();
    let record = sandbox.state.join("runs").join(&run_id).join("providers.json");
    let recorded: serde_json::Value = serde_json::from_slice(&fs::read(&record).expect("the record")).expect("JSON");
    assert_eq!(recorded[0]["name"], "sim", "{recorded}");
    assert!(recorded[0]["options"]["estate_out"].is_string(), "{recorded}");
    let resumed = sandbox.escher(&["resume", &run_id]);
    let finished_code = resumed.code;
    assert!(resumed.stderr.contains("already finished"), "{}", resumed.describe());

    let mut unknown = recorded.clone();
    unknown[0]["name"] = serde_json::json!("oracle");
    fs::write(&record, serde_json::to_vec(&unknown).expect("JSON")).expect("edit the record");
    let journal = sandbox.state.join("runs").join(&run_id).join("journal.jsonl");
    let (journal_before, estate_before) = (fs::read(&journal).expect("the journal"), sandbox.estate_bytes());
    let refused = sandbox.escher(&["resume", &run_id]);
    assert_eq!(refused.code, Some(2), "{}", refused.describe());
    assert!(
        refused.stderr.contains(&format!("run {run_id} cannot resume: no provider is named `oracle`")),
        "{}",
        refused.describe()
    );
    assert_eq!(fs::read(&journal).expect("the journal"), journal_before, "the journal was touched");
    assert_eq!(sandbox.estate_bytes(), estate_before, "the estate was touched");

    // A run recorded before the engine kept its providers: only the command line's cli.json, one `cloud`.
    fs::remove_file(&record).expect("the record goes");
    let old = serde_json::json!({ "cloud": "sim", "estate": sandbox.estate, "estate_out": sandbox.estate });
    let setup_file = sandbox.state.join("runs").join(&run_id).join("cli.json");
    fs::write(&setup_file, serde_json::to_vec(&old).expect("JSON")).expect("an older cli.json");
    let older = sandbox.escher(&["resume", &run_id]);
    assert_eq!(older.code, finished_code, "an older record resumes as before: {}", older.describe());
    assert!(older.stderr.contains("already finished"), "{}", older.describe());
}
