//! A secret passed to an action (`notify(..., webhook = secret("ops-webhook"))`) reaches no output, record or
//! file: not the run's output in either format, the journal, the audit log or its exports, `escher show`,
//! `escher runs`, the plan, the estate, nor any other file of the state directory; not as it is, nor
//! percent-encoded, nor base64-encoded. A secrets file others can read is refused before anything runs.
#![cfg(unix)]

mod support;

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::cli::{Finished, Sandbox, plan_json};
use support::leaks::leaks_in;

/// The webhook's address, a receiver on 127.0.0.1 that takes every delivery: distinctive, and changed by
/// percent-encoding, so each encoded form differs from the raw one.
static SECRET_URL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| support::webhook::start(200, "/services/T0ESCHER/B0LEAK/xq7Zp2Lk9Wm4Rt8Vn3Yb").0);

/// Stops the running dev machines of one region, then tells the channel through the webhook: a run with a
/// change in it, so that "nothing ran" can be seen in the estate.
const PLAYBOOK: &str = r##"//! Stops the running dev machines of one region and tells the ops channel through its webhook.

playbook webhook_notice {
  let dev = aws.ec2.instances(regions = ["us-east-1"], tags = { env: "dev" }, state = "running")

  step stop_dev = aws.ec2.stop(dev) { when = len(dev) > 0, max_targets = 10 }

  step tell = notify(
    channel = "#ops",
    message = "Stopped ${len(stop_dev.changed)} dev machines.",
    webhook = secret("ops-webhook"),
  )
}
"##;

/// Writes `state/secrets.json` holding the secret, created with `mode` from the start.
fn write_secrets_file(state: &Path, mode: u32) -> PathBuf {
    std::fs::create_dir_all(state).expect("the state directory is created");
    let path = state.join("secrets.json");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&path)
        .expect("the secrets file is created");
    let text = serde_json::json!({ "ops-webhook": SECRET_URL.as_str() }).to_string();
    file.write_all(text.as_bytes()).expect("the secrets file is written");
    // The process umask may have narrowed the mode asked for; set it exactly.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("the mode is set");
    path
}

/// Every file under `dir`, depth first.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap_or_else(|e| panic!("cannot list {}: {e}", next.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() { pending.push(path) } else { files.push(path) }
        }
    }
    files
}

/// What the user, an embedder or an auditor can see after the runs, each with where it came from.
fn everything_visible(sandbox: &Sandbox, playbook: &Path, runs: &[&Finished]) -> Vec<(String, Vec<u8>)> {
    let mut seen = Vec::new();
    let mut add_output = |what: String, finished: &Finished| {
        seen.push((format!("{what} (stdout)"), finished.stdout.clone().into_bytes()));
        seen.push((format!("{what} (stderr)"), finished.stderr.clone().into_bytes()));
    };
    for (n, run) in runs.iter().enumerate() {
        add_output(format!("escher run #{}", n + 1), run);
        let run_id = run.run_id();
        for format in ["json", "human"] {
            add_output(
                format!("escher show {run_id} --format {format}"),
                &sandbox.escher(&["show", &run_id, "--format", format]),
            );
        }
    }
    for format in ["jsonl", "csv"] {
        add_output(
            format!("escher audit export --format {format}"),
            &sandbox.escher(&["audit", "export", "--format", format]),
        );
    }
    add_output("escher audit verify".into(), &sandbox.escher(&["audit", "verify"]));
    add_output("escher runs".into(), &sandbox.escher(&["runs"]));
    add_output("escher plan --format json".into(), &plan_json(playbook, &[] as &[&str]).1);
    let secrets_file = sandbox.state.join("secrets.json");
    for file in files_under(sandbox.root()).into_iter().filter(|file| file != &secrets_file) {
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        seen.push((file.display().to_string(), bytes));
    }
    seen
}

fn assert_no_leak(seen: &[(String, Vec<u8>)]) {
    let leaks: Vec<String> = seen
        .iter()
        .flat_map(|(what, bytes)| leaks_in(bytes, &SECRET_URL).into_iter().map(move |form| format!("{what}: {form}")))
        .collect();
    assert!(leaks.is_empty(), "the secret leaked into:\n  {}", leaks.join("\n  "));
}

/// The run used the secret: it succeeded, the notify step ran, and the journal and audit log exist to be searched.
fn assert_ran_with_the_secret(sandbox: &Sandbox, run: &Finished, seen: &[(String, Vec<u8>)]) {
    assert_eq!(run.code, Some(0), "the run failed:\n{}", run.describe());
    let show: Value = sandbox.show(&run.run_id());
    assert_eq!(show["steps"]["tell"]["status"], "succeeded", "the notify step did not run: {show:#}");
    for needed in ["journal.jsonl", "audit.jsonl"] {
        assert!(seen.iter().any(|(what, _)| what.ends_with(needed)), "no {needed} was searched");
    }
}

#[test]
fn a_secret_from_the_environment_leaks_into_no_output_record_or_file() {
    let sandbox = Sandbox::with_demo_estate();
    let playbook = sandbox.write("webhook_notice.esc", PLAYBOOK);
    let with_secret = |command: &mut std::process::Command| {
        command.env("ESCHER_SECRET_OPS_WEBHOOK", SECRET_URL.as_str());
    };
    let json = sandbox.run_with(&playbook, &["--format", "json"], with_secret);
    let human = sandbox.run_with(&playbook, &[] as &[&str], with_secret);
    let seen = everything_visible(&sandbox, &playbook, &[&json, &human]);
    assert_ran_with_the_secret(&sandbox, &json, &seen);
    assert_ran_with_the_secret(&sandbox, &human, &seen);
    assert_no_leak(&seen);
}

#[test]
fn a_secret_from_an_owner_only_secrets_file_leaks_into_no_output_record_or_file() {
    let sandbox = Sandbox::with_demo_estate();
    let playbook = sandbox.write("webhook_notice.esc", PLAYBOOK);
    write_secrets_file(&sandbox.state, 0o600);
    let run = sandbox.run(&playbook, &["--format", "json"]);
    let seen = everything_visible(&sandbox, &playbook, &[&run]);
    assert_ran_with_the_secret(&sandbox, &run, &seen);
    assert_no_leak(&seen);
}

#[test]
fn a_group_readable_secrets_file_is_refused_clearly_and_nothing_runs() {
    let sandbox = Sandbox::with_demo_estate();
    let playbook = sandbox.write("webhook_notice.esc", PLAYBOOK);
    let secrets = write_secrets_file(&sandbox.state, 0o640);
    let pristine = sandbox.estate_bytes();
    let run = sandbox.run(&playbook, &[] as &[&str]);
    assert_ne!(run.code, Some(0), "a run with a group-readable secrets file succeeded:\n{}", run.describe());
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains(&secrets.display().to_string()) && said.contains("chmod 600"),
        "the refusal does not name the file and the fix:\n{}",
        run.describe()
    );
    assert!(sandbox.estate_bytes() == pristine, "steps ran although the secrets file was refused:\n{}", run.describe());
    assert_no_leak(&everything_visible(&sandbox, &playbook, &[]));
}
