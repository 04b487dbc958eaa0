//! The command line's contract: exit codes, output formats, and what each command prints.

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn escher(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_escher"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("escher runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write scratch file");
    let path = path.display().to_string();
    (dir, path)
}

const TYPO: &str = r#"playbook typo {
  let vms = aws.ec2.instances(regions = ["us-east-1"], state = "running")
  step stop = aws.ec2.stpo(vms) { max_targets = 3 }
}
"#;

#[test]
fn check_of_a_valid_example_exits_zero() {
    let output = escher(&["check", "examples/nightly_shutdown.esc"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("ok: examples/nightly_shutdown.esc"));
}

#[test]
fn check_with_errors_exits_one_and_suggests_the_fix() {
    let (_dir, path) = scratch("typo.esc", TYPO);
    let output = escher(&["check", &path]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("E0202"), "{text}");
    assert!(text.contains("did you mean `aws.ec2.stop`?"), "{text}");
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let output = escher(&["check", "no/such/file.esc"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read no/such/file.esc"));
}

#[test]
fn bad_arguments_are_a_usage_error() {
    assert_eq!(escher(&["check"]).status.code(), Some(2));
    assert_eq!(escher(&["plan", "examples/resize.esc", "--param", "novalue"]).status.code(), Some(2));
}

#[test]
fn json_diagnostics_carry_code_location_and_machine_applicable_fix() {
    let (_dir, path) = scratch("typo.esc", TYPO);
    let output = escher(&["check", &path, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let line = stdout(&output).lines().next().expect("one JSON diagnostic per line").to_string();
    let json: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
    assert_eq!(json["code"], "E0202");
    assert_eq!(json["level"], "error");
    let span = &json["spans"][0];
    assert_eq!(span["is_primary"], true);
    assert_eq!(span["line_start"], 3);
    let start = span["byte_start"].as_u64().expect("byte_start") as usize;
    let end = span["byte_end"].as_u64().expect("byte_end") as usize;
    assert_eq!(&TYPO[start..end], "aws.ec2.stpo");
    let edit = &json["fixes"][0]["edits"][0];
    assert_eq!(edit["suggested_replacement"], "aws.ec2.stop");
    assert_eq!(json["fixes"][0]["applicability"], "MachineApplicable");
}

/// An AI envelope claiming low risk and no approval for an irreversible deletion.
fn understating_envelope() -> (tempfile::TempDir, String) {
    let playbook = r#"playbook prune {
  let old = aws.ec2.snapshots(regions = ["us-east-1"], older_than = 90d)
  step prune = aws.ec2.delete_snapshots(old) { max_targets = 5, irreversible = true }
}"#;
    let envelope = serde_json::json!({
        "response_type": "execution",
        "risk_level": "low",
        "requires_approval": false,
        "playbook": playbook,
    });
    scratch("answer.json", &envelope.to_string())
}

#[test]
fn an_envelope_whose_claims_understate_the_risk_gets_a_warning_and_the_computed_risk_stands() {
    let (_dir, path) = understating_envelope();
    let output = escher(&["check", &path, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "warnings do not fail the check: {}", stdout(&output));
    let mut codes: Vec<String> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON")["code"].as_str().unwrap_or("").to_string())
        .collect();
    codes.sort();
    assert_eq!(codes, ["W0701", "W0702"]);
}

/// A playbook saved by an editor in Latin-1: `é` is the single byte 0xE9, at offset 12.
const LATIN1: &[u8] = b"playbook caf\xe9 {\n  step hello = report.summary(\"d\xe9j\xe0 vu\")\n}\n";

fn scratch_bytes(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write scratch file");
    let path = path.display().to_string();
    (dir, path)
}

#[test]
fn check_of_a_file_that_is_not_utf8_reports_a_diagnostic_at_the_first_bad_byte() {
    let (_dir, path) = scratch_bytes("cafe.esc", LATIN1);
    let output = escher(&["check", &path]);
    assert_eq!(output.status.code(), Some(1), "a diagnostic, not an IO error: {}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("E0706"), "{text}");
    assert!(text.contains("byte 0xE9 at offset 12"), "{text}");
    assert!(text.contains("cafe.esc:1:13"), "{text}");
    assert!(!text.contains("cannot read"), "{text}");
}

#[test]
fn check_json_of_a_file_that_is_not_utf8_points_at_the_first_bad_byte() {
    let (_dir, path) = scratch_bytes("cafe.esc", LATIN1);
    let output = escher(&["check", &path, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON diagnostic");
    assert_eq!(json["code"], "E0706");
    assert_eq!(json["spans"][0]["byte_start"], 12);
    assert!(json["help"].as_str().is_some_and(|help| help.contains("UTF-8")), "{json}");
}

#[test]
fn plan_of_a_file_that_is_not_utf8_reports_a_diagnostic() {
    let (_dir, path) = scratch_bytes("cafe.esc", LATIN1);
    let output = escher(&["plan", &path]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("E0706"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
}

#[test]
fn plan_json_of_an_envelope_with_warnings_prints_only_the_plan_on_stdout() {
    let (_dir, path) = understating_envelope();
    let output = escher(&["plan", &path, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("stdout is exactly one JSON document");
    assert_eq!(plan["playbook"], "prune");
    let warnings: Vec<serde_json::Value> =
        stderr(&output).lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    let mut codes: Vec<&str> = warnings.iter().filter_map(|w| w["code"].as_str()).collect();
    codes.sort();
    assert_eq!(codes, ["W0701", "W0702"], "the warnings are on stderr, as JSON lines: {}", stderr(&output));
}

#[test]
fn plan_json_with_errors_prints_nothing_on_stdout_and_json_diagnostics_on_stderr() {
    let (_dir, path) = scratch("typo.esc", TYPO);
    let output = escher(&["plan", &path, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    let first = stderr(&output).lines().next().map(str::to_string).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&first).expect("a JSON diagnostic on stderr");
    assert_eq!(json["code"], "E0202");
}

#[test]
fn plan_prints_steps_risk_and_approvals() {
    let output = escher(&["plan", "examples/waste_cleanup.esc"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("delete_volumes"), "{text}");
    assert!(text.contains("destroy"), "{text}");
    assert!(text.contains("needs approval:"), "{text}");
}

#[test]
fn plan_json_is_the_serialized_plan_and_parameters_change_its_hash() {
    let plan = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["plan", "examples/nightly_shutdown.esc", "--format", "json"];
        args.extend_from_slice(extra);
        let output = escher(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        serde_json::from_str(&stdout(&output)).expect("plan JSON")
    };
    let default = plan(&[]);
    assert_eq!(default["hash"].as_str().map(str::len), Some(64));
    assert_eq!(default, plan(&[]), "the same source and parameters give the same plan");
    let other = plan(&["--param", "env=staging"]);
    assert_ne!(default["hash"], other["hash"]);
    assert_eq!(other["params"]["env"], "staging");
}

#[test]
fn a_parameter_outside_its_constraint_is_refused() {
    let output = escher(&["plan", "examples/nightly_shutdown.esc", "--param", "max_per_cloud=100000"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("E0804"), "{}", stderr(&output));
}

#[test]
fn plan_dot_is_a_graph_of_the_steps() {
    let output = escher(&["plan", "examples/nightly_shutdown.esc", "--format", "dot"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("digraph \"nightly_shutdown\""), "{text}");
    assert!(text.contains("\"ec2\" -> \"stop_ec2\""), "{text}");
}

#[test]
fn fmt_check_lists_unformatted_files_and_fmt_fixes_them() {
    let (_dir, path) = scratch("messy.esc", "playbook   messy{\nstep   w=wait(10m)\n}\n");
    let check = escher(&["fmt", "--check", &path]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("messy.esc"));
    assert_eq!(escher(&["fmt", &path]).status.code(), Some(0));
    assert_eq!(escher(&["fmt", "--check", &path]).status.code(), Some(0));
    let formatted = std::fs::read_to_string(Path::new(&path)).expect("formatted file");
    assert!(formatted.contains("step w = wait(10m)"), "{formatted}");
}

#[test]
fn explain_prints_the_long_form_of_a_code() {
    let output = escher(&["explain", "E0201"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("E0201: "));
    assert_eq!(escher(&["explain", "E9999"]).status.code(), Some(2));
    // Policy files have codes of their own.
    let output = escher(&["explain", "p0105"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("P0105: an approval count that can never be met"), "{}", stdout(&output));
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    // Far more than a pipe holds, so the command is still writing when the reader goes away.
    let steps: String = (0..600).map(|i| format!("  step pause_{i} = wait(1s)\n")).collect();
    let (_dir, path) = scratch("many.esc", &format!("playbook many {{\n{steps}}}\n"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_escher"))
        .args(["plan", &path, "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("escher runs");
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().expect("stdout"), &mut first).expect("some output");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("escher ends");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn actions_lists_every_declared_action_and_query_and_shows_one_in_full() {
    let listed = escher(&["actions", "--format", "json"]);
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
    let names: Vec<String> = stdout(&listed)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("a JSON line")["name"].to_string())
        .collect();
    assert_eq!(names.len(), escher_compiler::stdlib::catalog().callables.len(), "every declared name is listed");
    let stop = escher(&["actions", "aws.ec2.stop"]);
    let text = stdout(&stop);
    assert!(text.starts_with("aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance>"), "{text}");
    assert!(text.contains("undone by aws.ec2.start") && text.contains("implements `compute.stop` on aws"), "{text}");
    let none = escher(&["actions", "no.such.thing"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("no stdlib action or query matching \"no.such.thing\""), "{}", stderr(&none));
}

/// `escher catalog`: the stdlib for a model's prompt. JSON names every action and query once; a narrowed prompt
/// holds only what was asked for and the types it uses; a filter that matches nothing is a usage error.
#[test]
fn catalog_gives_the_stdlib_for_a_prompt_whole_or_narrowed() {
    let whole = escher(&["catalog", "--format", "json"]);
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    let brief: serde_json::Value = serde_json::from_str(&stdout(&whole)).expect("one JSON document");
    assert_eq!(brief["version"], 1);
    let count = |key: &str| brief[key].as_array().map_or(0, Vec::len);
    assert_eq!(count("queries") + count("actions"), escher_compiler::stdlib::catalog().callables.len());

    let narrowed = escher(&["catalog", "--clouds", "gcp", "--only", "compute.stop,gcp.compute.stop"]);
    let text = stdout(&narrowed);
    assert!(text.starts_with("# Escher stdlib\n") && text.contains("\n## Actions\n"), "{text}");
    assert!(text.contains("\ngcp.compute.stop(") && text.contains("\ncompute.stop("), "{text}");
    assert!(!text.contains("aws.") && !text.contains("azure."), "only gcp and the agnostic ones:\n{text}");
    assert!(text.contains("\ngcp.compute.Instance"), "the types they use are defined:\n{text}");

    let none = escher(&["catalog", "--only", "no.such.thing"]);
    assert_eq!(none.status.code(), Some(2), "{}", stderr(&none));
    assert!(stderr(&none).contains("no stdlib action or query matches --only no.such.thing"), "{}", stderr(&none));
}

/// `escher context`: the model sees pseudonyms; the playbook it writes with them is unmasked before it runs, and
/// runs on the real machine. A pseudonym the estate does not have is refused.
#[test]
fn a_playbook_written_against_the_context_runs_on_the_real_resources_once_unmasked() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (state, estate) = (dir.path().join("state"), dir.path().join("estate.json"));
    std::fs::copy(support::cli::repo_path("examples/estate/demo.json"), &estate).expect("the demo estate");
    let (state, estate) = (state.to_string_lossy().into_owned(), estate.to_string_lossy().into_owned());
    let shown = escher(&["context", "--format", "json", "--clouds", "aws", "--estate", &estate, "--state", &state]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let context: serde_json::Value = serde_json::from_str(&stdout(&shown)).expect("JSON");
    let dev = context["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["kind"] == "aws.ec2.Instance" && r["state"] == "running" && r["tags"]["env"] == "dev")
        .expect("a running dev instance");
    let (id, name_tag) = (dev["id"].as_str().expect("an id"), dev["tags"]["Name"].as_str().expect("a Name tag"));
    assert!(id.starts_with("id-") && name_tag.starts_with("tag-"), "{dev}");

    let region = dev["region"].as_str().expect("a region");
    let written = format!(
        "// stops {id}\nplaybook stop_one {{\n  let vms = aws.ec2.instances(regions = [\"{region}\"], tags = {{ Name: \"{name_tag}\" }}, state = \"running\")\n  step stop = aws.ec2.stop(vms) {{ max_targets = 1 }}\n}}\n"
    );
    let answer = dir.path().join("answer.esc");
    std::fs::write(&answer, &written).expect("the model's playbook");
    let unmasked = escher(&["context", "--unmask", &answer.to_string_lossy(), "--estate", &estate, "--state", &state]);
    assert_eq!(unmasked.status.code(), Some(0), "{}", stderr(&unmasked));
    let real = stdout(&unmasked);
    assert!(!real.contains("tag-") && !real.contains("id-"), "every pseudonym is mapped back:\n{real}");
    let real_id = real.lines().next().and_then(|line| line.strip_prefix("// stops ")).expect("the real id").to_string();
    let playbook = dir.path().join("real.esc");
    std::fs::write(&playbook, &real).expect("the unmasked playbook");
    let playbook = playbook.to_string_lossy().into_owned();
    let args = ["run", &playbook, "--estate", &estate, "--estate-out", &estate, "--state", &state];
    let ran = escher(&[&args[..], &["--approve-up-to", "high"]].concat());
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&estate).expect("read")).expect("JSON");
    let instance = after["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|account| account["resources"].as_array().into_iter().flatten())
        .find(|r| r["id"] == real_id.as_str())
        .expect("the instance the model named");
    assert_eq!(instance["state"], "stopped", "{instance}");

    std::fs::write(&answer, written.replace(name_tag, "tag-0123456789")).expect("a made-up pseudonym");
    let refused = escher(&["context", "--unmask", &answer.to_string_lossy(), "--estate", &estate, "--state", &state]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("stand for nothing in this estate: tag-0123456789"), "{}", stderr(&refused));
}

#[test]
fn completions_a_man_page_and_a_version_that_names_the_build() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = escher(&["completions", shell]);
        assert_eq!(script.status.code(), Some(0), "{shell}: {}", stderr(&script));
        assert!(stdout(&script).contains("escher"), "{shell}");
    }
    let man = escher(&["man"]);
    assert!(stdout(&man).starts_with(".ie") && stdout(&man).contains(".TH escher 1"), "{}", stdout(&man));
    let version = stdout(&escher(&["--version"]));
    assert!(version.contains("commit: ") && version.contains("plan format: 1"), "{version}");
    assert!(version.lines().any(|line| line.starts_with("providers: ") && line.contains("sim")), "{version}");
}

const TIDY: &str = r#"playbook tidy {
  param env: string = "dev"
  let vms = aws.ec2.instances(regions = ["us-east-1"], tags = { env: env }, state = "running")
  step stop = aws.ec2.stop(vms) { max_targets = 10 }
}
"#;

#[test]
fn a_saved_plan_runs_exactly_as_reviewed_and_is_refused_once_its_playbook_changes() {
    let (dir, playbook) = scratch("tidy.esc", TIDY);
    let state = dir.path().join("state").display().to_string();
    let saved = dir.path().join("plan.json").display().to_string();
    let planned = escher(&["plan", &playbook, "--param", "env=dev", "--out", &saved, "--state", &state]);
    assert_eq!(planned.status.code(), Some(0), "{}", stderr(&planned));
    let hash = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&saved).expect("saved"))
        .expect("JSON")["plan"]["hash"]
        .as_str()
        .expect("a hash")
        .to_string();

    let ran = escher(&["run", &saved, "--state", &state, "--approve-up-to", "high", "--format", "json"]);
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    let started = stdout(&ran)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|event| event["event"] == "run_started")
        .expect("a run_started event");
    assert_eq!(started["plan_hash"].as_str(), Some(hash.as_str()), "the run is the saved plan: {started}");

    let with_params = escher(&["run", &saved, "--param", "env=prod", "--state", &state]);
    assert_eq!(with_params.status.code(), Some(2), "{}", stderr(&with_params));
    std::fs::write(&playbook, TIDY.replace("max_targets = 10", "max_targets = 500")).expect("edited");
    let refused = escher(&["run", &saved, "--state", &state, "--approve-up-to", "high"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("is not what") && stderr(&refused).contains("plan it again"),
        "{}",
        stderr(&refused)
    );

    let (_other, neither) = scratch("other.json", r#"{ "hello": "world" }"#);
    let confused = escher(&["check", &neither]);
    assert!(stderr(&confused).contains("escher_saved_plan"), "{}", stderr(&confused));
}

#[test]
fn a_runs_reports_are_shown_written_and_printed_again() {
    let state = tempfile::tempdir().expect("a state directory");
    let state_dir = state.path().display().to_string();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/nightly_shutdown.esc");
    let ran = escher(&["run", example, "--state", &state_dir, "--approve-up-to", "high"]);
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    let text = stdout(&ran);
    assert!(text.contains("\nStopped dev VMs (15 rows)\n  id "), "the table follows the summary:\n{text}");
    assert!(text.contains("\nNightly shutdown of dev\n  aws     6\n"), "the summary's values:\n{text}");
    let run_id = text.lines().find_map(|line| line.strip_prefix("run id: ")).and_then(|rest| rest.split(' ').next());
    let run_id = run_id.expect("the run id").to_string();
    let written = state.path().join("reports").join(&run_id);
    for file in ["stopped.csv", "stopped.json", "stopped.md", "summary.csv", "summary.json", "summary.md"] {
        assert!(written.join(file).exists(), "{file} is written");
    }
    let csv = std::fs::read_to_string(written.join("stopped.csv")).expect("the CSV");
    assert_eq!(csv.lines().count(), 16, "a header and every row: {csv}");
    let again = escher(&["report", &run_id, "--step", "summary", "--format", "csv", "--state", &state_dir]);
    assert_eq!(stdout(&again), "name,value\r\naws,6\r\nazure,4\r\nfailed,0\r\ngcp,5\r\n", "{}", stderr(&again));
    let none = escher(&["report", &run_id, "--step", "no_such_step", "--state", &state_dir]);
    assert_eq!(none.status.code(), Some(2));
}

/// The ids a summary lists under a step's line (indented, unlike the plan table's), `~ ID (...)`.
fn listed_under(text: &str, step: &str) -> Vec<String> {
    let heading = format!("  {step} ");
    let mut lines = text.lines().skip_while(|line| !line.starts_with(&heading)).skip(1);
    let mut ids = Vec::new();
    while let Some(line) = lines.next().and_then(|line| line.strip_prefix("      ~ ")) {
        ids.push(line.split(' ').next().unwrap_or_default().to_string());
    }
    ids
}

/// The run report a `--format json` run ends with.
fn run_report(output: &Output) -> serde_json::Value {
    stdout(output)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line["event"] == "run_report")
        .map(|line| line["report"].clone())
        .unwrap_or_else(|| panic!("a run_report line: {}", stdout(output)))
}

#[test]
fn a_dry_run_names_the_resources_it_would_change_and_says_so_in_its_exit_code() {
    let state = tempfile::tempdir().expect("a state directory");
    let state_dir = state.path().display().to_string();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/nightly_shutdown.esc");
    let args = ["run", example, "--state", &state_dir, "--approve-up-to", "high", "--dry-run", "--detailed-exitcode"];
    let dry = escher(&args);
    assert_eq!(dry.status.code(), Some(2), "changes pending: {}", stderr(&dry));
    let text = stdout(&dry);
    assert!(text.contains("aws.ec2.instances    Succeeded: found 6"), "{text}");
    assert!(text.contains("aws.ec2.stop         Succeeded: 6 to stop, 0 unchanged, 0 failed\n      ~ i-"), "{text}");
    assert!(
        text.contains("      ~ i-01e535eede31428f0 (dev-web-1, us-east-1, env=dev) running → stopped\n"),
        "each instance by id, name, region and env, with what changes: {text}"
    );
    assert!(text.contains("\nPlan: 11 to stop, 4 to deallocate, 0 unchanged\n"), "{text}");
    let would_stop = listed_under(&text, "stop_ec2");
    assert_eq!(would_stop.len(), 6, "{text}");

    // The real run changes exactly the instances the dry run listed, and says so in the same words.
    let real = escher(&["run", example, "--state", &state_dir, "--approve-up-to", "high", "--format", "json"]);
    assert_eq!(real.status.code(), Some(0), "{}", stderr(&real));
    let report = run_report(&real);
    let stop = report["steps"].as_array().into_iter().flatten().find(|s| s["node"] == "stop_ec2").expect("stop_ec2");
    let stopped: Vec<&str> = stop["changed"].as_array().into_iter().flatten().filter_map(|id| id.as_str()).collect();
    assert_eq!(stopped, would_stop, "what the dry run listed is what the run stopped");
    let human = escher(&["run", example, "--state", &state_dir, "--approve-up-to", "high"]);
    assert!(
        stdout(&human).contains("\nDone: 11 stopped, 4 deallocated, 0 unchanged, 0 failed\n"),
        "{}",
        stdout(&human)
    );

    let plain = escher(&["run", example, "--state", &state_dir, "--approve-up-to", "high", "--dry-run"]);
    assert_eq!(plain.status.code(), Some(0), "without the flag a dry run that works exits 0");
}

#[test]
fn a_json_run_report_carries_every_changed_target_before_and_after() {
    let state = tempfile::tempdir().expect("a state directory");
    let state_dir = state.path().display().to_string();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/nightly_shutdown.esc");
    let args = ["run", example, "--state", &state_dir, "--approve-up-to", "high", "--dry-run", "--format", "json"];
    let dry = escher(&args);
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    let report = run_report(&dry);
    assert_eq!(report["dry_run"], true);
    let mut seen = 0;
    for step in report["steps"].as_array().into_iter().flatten() {
        let changed = step["changed"].as_array().map_or(0, Vec::len);
        let changes = step["changes"].as_array().cloned().unwrap_or_default();
        assert_eq!(changes.len(), changed, "{}: a change for every changed target", step["node"]);
        for change in changes {
            assert_eq!(change["change"], "update", "{change}");
            assert_eq!(change["before"]["state"], "running", "{change}");
            assert!(
                ["stopped", "deallocated", "terminated"].contains(&change["after"]["state"].as_str().unwrap_or(""))
            );
            assert_eq!(change["tags"]["env"], "dev", "{change}");
            seen += 1;
        }
    }
    assert_eq!(seen, 15, "every machine of the three clouds: {report}");
}

#[test]
fn plan_with_an_estate_lists_what_each_step_would_change_and_records_no_run() {
    let state = tempfile::tempdir().expect("a state directory");
    let state_dir = state.path().display().to_string();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/nightly_shutdown.esc");
    let estate = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/estate/demo.json");
    let before = std::fs::read(estate).expect("the demo estate");
    let planned = escher(&["plan", example, "--state", &state_dir, "--estate", estate]);
    assert_eq!(planned.status.code(), Some(0), "{}", stderr(&planned));
    let text = stdout(&planned);
    assert!(text.contains("stop_ec2                 aws.ec2.stop"), "the plan table first: {text}");
    assert!(text.contains("  stop_ec2 (aws.ec2.stop): 6 to stop, 0 unchanged, 0 failed\n"), "{text}");
    assert!(text.ends_with("Plan: 11 to stop, 4 to deallocate, 0 unchanged\n"), "{text}");
    let dry = escher(&["run", example, "--state", &state_dir, "--approve-up-to", "high", "--dry-run"]);
    assert_eq!(listed_under(&text, "stop_ec2"), listed_under(&stdout(&dry), "stop_ec2"), "{text}");
    assert_eq!(listed_under(&text, "stop_ec2").len(), 6, "{text}");
    let demo = escher(&["plan", example, "--state", &state_dir, "--cloud", "sim"]);
    assert_eq!(
        listed_under(&stdout(&demo), "stop_ec2"),
        listed_under(&text, "stop_ec2"),
        "the demo estate is the same"
    );

    let planned_only = tempfile::tempdir().expect("a state directory");
    let planned_state = planned_only.path().display().to_string();
    let again = escher(&["plan", example, "--state", &planned_state, "--estate", estate]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(!planned_only.path().join("runs").exists(), "a plan records no run");
    assert_eq!(std::fs::read(estate).expect("the demo estate"), before, "nor changes the estate");
    let runs = escher(&["runs", "--state", &planned_state]);
    assert!(!stdout(&runs).contains("nightly_shutdown"), "{}", stdout(&runs));

    // As JSON, one document: the plan, and under `preview` each step's changes with before and after.
    let json = escher(&["plan", example, "--state", &planned_state, "--cloud", "sim", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    assert!(document["nodes"].is_array(), "the plan is there: {document}");
    let stops = document["preview"]["steps"]["stop_ec2"].as_array().expect("stop_ec2's changes");
    assert_eq!(stops.len(), 6, "{document}");
    assert!(stops.iter().all(|change| change["before"]["state"] == "running" && change["after"]["state"] == "stopped"));
}

const NOTIFY: &str = r##"playbook tell {
  step tell = notify(channel = "#ops", message = "Stopped 3 dev machines.", webhook = secret("ops-webhook"))
}
"##;

#[test]
fn a_notification_is_delivered_to_its_webhook_and_an_endpoint_that_refuses_fails_the_step() {
    let (dir, playbook) = scratch("tell.esc", NOTIFY);
    let state = dir.path().join("state").display().to_string();
    let (url, received) = support::webhook::start(200, "/hooks/ops");
    let delivered = std::process::Command::new(env!("CARGO_BIN_EXE_escher"))
        .args(["run", &playbook, "--state", &state])
        .env("ESCHER_SECRET_OPS_WEBHOOK", &url)
        .env_remove("ESCHER_STATE")
        .output()
        .expect("escher runs");
    assert_eq!(delivered.status.code(), Some(0), "{}", stderr(&delivered));
    let delivery = received.recv_timeout(std::time::Duration::from_secs(5)).expect("the webhook got it");
    assert_eq!(delivery.request_line, "POST /hooks/ops HTTP/1.1");
    let body: serde_json::Value = serde_json::from_str(&delivery.body).expect("JSON");
    assert_eq!(body["text"], "Stopped 3 dev machines.");
    assert_eq!(body["blocks"][0]["text"]["text"], "Stopped 3 dev machines.");
    assert_eq!(body["escher"]["channel"], "#ops");

    let (refusing, _received) = support::webhook::start(403, "/hooks/ops");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_escher"))
        .args(["run", &playbook, "--state", &state])
        .env("ESCHER_SECRET_OPS_WEBHOOK", &refusing)
        .env_remove("ESCHER_STATE")
        .output()
        .expect("escher runs");
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let said = format!("{}{}", stdout(&refused), stderr(&refused));
    assert!(said.contains("notify #ops: webhook not delivered: the server answered 403"), "{said}");
    assert!(!said.contains(&refusing), "the webhook's address is a secret: {said}");
}

#[test]
fn init_writes_a_playbook_that_checks_a_policy_that_checks_and_a_readme() {
    let home = tempfile::tempdir().expect("a directory");
    let folder = home.path().join("ops");
    let state = home.path().join("state");
    let (folder_text, state_text) = (folder.display().to_string(), state.display().to_string());
    let made = escher(&["init", &folder_text, "--state", &state_text]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    for file in ["stop_dev.esc", "policy.toml", "README.md"] {
        assert!(folder.join(file).exists(), "{file}");
    }
    let checked = escher(&["check", &folder.join("stop_dev.esc").display().to_string()]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    let policy = escher(&["policy", "check", &folder.join("policy.toml").display().to_string()]);
    assert_eq!(policy.status.code(), Some(0), "{}", stderr(&policy));
    let again = escher(&["init", &folder_text, "--state", &state_text]);
    assert_eq!(again.status.code(), Some(2), "a folder with files in it is left alone");
}

/// `--color` decides colour whatever the terminal (the tests' NO_COLOR is for `auto`), `-q` leaves only results
/// and errors, `-v` adds each step's start.
#[test]
fn color_quiet_and_verbose_say_how_a_run_is_shown() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/nightly_shutdown.esc");
    let run = |flags: &[&str]| {
        let state = tempfile::tempdir().expect("a state directory");
        let state_dir = state.path().display().to_string();
        let mut args = vec!["run", example, "--state", &state_dir];
        args.extend_from_slice(flags);
        let ran = escher(&args);
        assert_eq!(ran.status.code(), Some(0), "{flags:?}: {}", stderr(&ran));
        (stdout(&ran), stderr(&ran))
    };
    const ESCAPE: &str = "\u{1b}[";
    let (out, err) = run(&[]);
    assert!(!out.contains(ESCAPE) && !err.contains(ESCAPE), "auto with NO_COLOR and no terminal: no colour");
    let (out, err) = run(&["--color", "always"]);
    assert!(out.contains(&format!("{ESCAPE}33mmedium")), "the plan's risks are coloured:\n{out}");
    assert!(err.lines().any(|line| line.starts_with(ESCAPE) && line.contains("✓ stop_ec2")), "{err}");

    let (out, err) = run(&["-q"]);
    assert!(!out.contains("plan nightly_shutdown"), "no plan before a quiet run:\n{out}");
    assert!(out.contains("Done: 11 stopped, 4 deallocated"), "the summary stays:\n{out}");
    assert!(!err.contains("✓ ") && !err.contains("running nightly_shutdown"), "no progress:\n{err}");
    let (_, err) = run(&["-v"]);
    assert!(err.contains("→ stop_ec2: 6 target(s)"), "each step's start:\n{err}");
    let both = escher(&["-q", "-v", "check", example]);
    assert_eq!(both.status.code(), Some(2), "quiet and verbose at once is a usage error");
}

/// An import that is not UTF-8 is named with its first bad byte, as the main file would be.
#[test]
fn an_import_that_is_not_utf8_names_its_first_bad_byte() {
    let (dir, _library) = scratch_bytes("lib.esc", LATIN1);
    let main = dir.path().join("main.esc");
    std::fs::write(&main, "use \"lib.esc\" as lib\n\nplaybook main {\n  step go = lib()\n}\n").expect("writes");
    let output = escher(&["check", &main.display().to_string()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("E0208"), "{text}");
    let first_bad = LATIN1.iter().position(|byte| !byte.is_ascii()).expect("a Latin-1 byte");
    assert!(text.contains(&format!("byte 0x{:02X} at offset {first_bad}", LATIN1[first_bad])), "{text}");
}

/// `escher run ... | cat` still asks at the terminal: the prompt goes to the controlling terminal whatever stdout
/// is. `script` (util-linux) gives the run a pseudo-terminal, and the answer is typed into it once the prompt
/// shows.
#[test]
fn a_piped_run_still_prompts_on_its_terminal() {
    use std::io::{Read, Write};
    let (dir, playbook) = scratch(
        "risky.esc",
        "playbook risky {\n  let vms = aws.ec2.instances(regions = [\"us-east-1\"], tags = { env: \"dev\" }, \
         state = \"running\")\n  step stop = aws.ec2.stop(vms) { max_targets = 10, approve = manager }\n}\n",
    );
    let state = dir.path().join("state").display().to_string();
    let command = format!("{} run {playbook} --state {state} | cat", env!("CARGO_BIN_EXE_escher"));
    let mut child = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let mut terminal = child.stdout.take().expect("the terminal's output");
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("Type `yes` to approve") {
        let read = terminal.read(&mut buffer).expect("the terminal reads");
        assert!(read > 0, "the run ended without asking:\n{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buffer[..read]);
    }
    child.stdin.take().expect("the terminal's input").write_all(b"yes\n").expect("the answer is typed");
    terminal.read_to_end(&mut seen).expect("the rest of the output");
    let status = child.wait().expect("the run ends");
    let shown = String::from_utf8_lossy(&seen);
    assert!(status.success(), "{shown}");
    assert!(
        shown.contains("~ i-0123456789abcdef0 (dev-build-runner, us-east-1, env=dev) running → stopped"),
        "{shown}"
    );
    assert!(shown.contains("stop: approved by") && shown.contains("Done: 4 stopped"), "{shown}");
}
