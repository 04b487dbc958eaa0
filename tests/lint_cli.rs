//! `escher lint`: findings as text, JSON lines and SARIF, levels from `escher.toml`, `allow` comments, exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn escher_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_escher"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("escher runs")
}

fn escher(args: &[&str]) -> Output {
    escher_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A playbook with one finding of L0104 (a warning) and one of L0108 (a note).
const TWO_FINDINGS: &str = r#"playbook tag_dev {
  schedule cron("0 6 * * *")
  /// Dev machines.
  let dev = aws.ec2.instances(tags = { env: "dev" })
  /// Marks them.
  step mark = aws.ec2.tag(dev, tags = { seen: "yes" }) { max_targets = 50 }
}
"#;

fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("a scratch file");
    }
    dir
}

fn codes_in_json_lines(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("each line is a JSON diagnostic");
            value["code"].as_str().expect("a code").to_string()
        })
        .collect()
}

#[test]
fn human_output_renders_each_finding_and_counts_them_and_warnings_exit_zero() {
    let dir = scratch(&[("tag.esc", TWO_FINDINGS)]);
    let output = escher_in(dir.path(), &["lint", "tag.esc"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("L0104") && text.contains("this cron schedule has no time zone"), "{text}");
    assert!(text.contains("L0108") && text.contains("`mark` changes resources (mutate)"), "{text}");
    assert!(text.contains("tag.esc: 0 errors, 1 warning, 1 note"), "{text}");
}

#[test]
fn a_finding_at_the_error_level_exits_one() {
    let output = escher(&["lint", "tests/fixtures/lint/L0105_credential_in_notify.esc"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("× the message of `tell` carries `notice`"), "{}", stderr(&output));
}

#[test]
fn json_output_is_one_diagnostic_per_line_on_stdout() {
    let dir = scratch(&[("tag.esc", TWO_FINDINGS)]);
    let output = escher_in(dir.path(), &["lint", "--format", "json", "tag.esc"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(codes_in_json_lines(&output), ["L0104", "L0108"]);
    let first: serde_json::Value = serde_json::from_str(stdout(&output).lines().next().expect("a line")).expect("JSON");
    assert_eq!(first["level"], "warning");
    assert_eq!(first["spans"][0]["line_start"], 2);
}

fn sarif_schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the vendored schema")).expect("JSON")
}

#[test]
fn sarif_output_is_one_valid_log_with_relative_uris_and_char_regions() {
    let output = escher(&[
        "lint",
        "--format",
        "sarif",
        "tests/fixtures/lint/L0104_cron_without_tz.esc",
        "tests/fixtures/lint/L0105_credential_in_notify.esc",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let log: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("stdout is one JSON document");
    let validator = jsonschema::options().should_validate_formats(true).build(&sarif_schema()).expect("the schema");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "escher");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let results = run["results"].as_array().expect("results");
    let ids: Vec<&str> = results.iter().filter_map(|r| r["ruleId"].as_str()).collect();
    assert_eq!(ids, ["L0104", "L0105"]);
    assert_eq!(results[1]["level"], "error");
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "tests/fixtures/lint/L0104_cron_without_tz.esc");
    let region = &location["region"];
    let at = |key: &str| region[key].as_u64();
    assert_eq!(
        (at("startLine"), at("startColumn"), at("endLine"), at("endColumn")),
        (Some(6), Some(12), Some(6), Some(36))
    );
}

#[test]
fn escher_toml_in_the_playbooks_directory_or_above_sets_levels() {
    let dir = scratch(&[
        ("escher.toml", "[lint]\nL0104 = \"deny\"\nmutation-without-timeout = \"allow\"\n"),
        ("plays/tag.esc", TWO_FINDINGS),
    ]);
    let output = escher_in(dir.path(), &["lint", "--format", "json", "plays/tag.esc"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(codes_in_json_lines(&output), ["L0104"]);
    let first: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON line");
    assert_eq!(first["level"], "error");
    // A nearer file wins over the one above.
    std::fs::write(dir.path().join("plays/escher.toml"), "[lint]\nL0104 = \"allow\"\n").expect("a nearer file");
    let output = escher_in(dir.path(), &["lint", "--format", "json", "plays/tag.esc"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(codes_in_json_lines(&output), ["L0108"]);
}

#[test]
fn an_invalid_escher_toml_is_a_usage_error_naming_the_file() {
    let dir = scratch(&[("escher.toml", "[lint]\nL0199 = \"deny\"\nL0104 = \"loud\"\n"), ("tag.esc", TWO_FINDINGS)]);
    let output = escher_in(dir.path(), &["lint", "tag.esc"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("escher.toml: "), "{text}");
    assert!(text.contains("`L0199` is not a lint rule"), "{text}");
    assert!(text.contains("`loud` is not a level for L0104"), "{text}");
}

#[test]
fn an_allow_comment_silences_its_rule_on_the_next_line_or_its_own() {
    let allowed = TWO_FINDINGS
        .replace("  schedule", "  // escher: allow(L0104)\n  schedule")
        .replace("max_targets = 50 }", "max_targets = 50 } // escher: allow(L0108)");
    let dir = scratch(&[("tag.esc", &allowed)]);
    let output = escher_in(dir.path(), &["lint", "tag.esc"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("ok: tag.esc"), "{}", stderr(&output));
}

#[test]
fn a_file_that_does_not_compile_gets_its_errors_and_no_lint() {
    let broken = TWO_FINDINGS.replace("aws.ec2.tag(", "aws.ec2.tga(");
    let dir = scratch(&[("broken.esc", &broken), ("tag.esc", TWO_FINDINGS)]);
    let output = escher_in(dir.path(), &["lint", "--format", "json", "broken.esc", "tag.esc"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(codes_in_json_lines(&output), ["E0202", "L0104", "L0108"]);
}

#[test]
fn an_unreadable_file_is_a_usage_error_and_the_others_are_linted() {
    let output = escher(&["lint", "no/such/file.esc", "tests/fixtures/lint/ok_clean.esc"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("cannot read no/such/file.esc"), "{text}");
    assert!(text.contains("ok: tests/fixtures/lint/ok_clean.esc"), "{text}");
}

#[test]
fn every_example_lints_without_a_finding_at_the_error_level() {
    let mut args = vec!["lint".to_string()];
    let mut examples: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
        .expect("the examples folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "esc"))
        .map(|path| format!("examples/{}", path.file_name().and_then(|n| n.to_str()).expect("UTF-8")))
        .collect();
    examples.sort();
    assert!(examples.len() >= 9, "{examples:?}");
    args.extend(examples);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = escher(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains('×'), "{}", stderr(&output));
}

#[test]
fn explain_shows_a_rules_doc_comment() {
    let output = escher(&["explain", "l0103"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("L0103: retry on an action that is not idempotent\n\n## What it does\n"), "{text}");
    assert!(text.contains("```escher\nplaybook backup {"), "{text}");
}

/// An AWS inventory (as `escher inventory --cloud aws` saves it) of 12 running dev instances and 3 prod ones.
fn inventory_of_twelve_dev_machines() -> String {
    let machine = |i: usize, env: &str| {
        serde_json::json!({
            "kind": "aws.ec2.Instance",
            "id": format!("i-{i:017x}"),
            "region": "eu-west-1",
            "state": "running",
            "tags": { "env": env },
        })
    };
    let resources: Vec<serde_json::Value> = (0..15).map(|i| machine(i, if i < 12 { "dev" } else { "prod" })).collect();
    serde_json::json!({
        "cloud": "aws",
        "discovered_at": "2026-12-06T10:00:00Z",
        "accounts": ["111111111111"],
        "regions": ["eu-west-1"],
        "resources": resources,
    })
    .to_string()
}

#[test]
fn with_an_inventory_in_the_state_max_targets_is_judged_against_what_the_estate_holds() {
    let loose = TWO_FINDINGS.replace("max_targets = 50", "max_targets = 500");
    let dir = scratch(&[
        ("tag.esc", loose.as_str()),
        ("close.esc", TWO_FINDINGS),
        ("state/inventory/aws.json", &inventory_of_twelve_dev_machines()),
    ]);
    let lint = |file: &str| {
        Command::new(env!("CARGO_BIN_EXE_escher"))
            .args(["lint", "--format", "json", file])
            .current_dir(dir.path())
            .env("ESCHER_STATE", dir.path().join("state"))
            .output()
            .expect("escher runs")
    };
    let output = lint("tag.esc");
    assert_eq!(codes_in_json_lines(&output), ["L0104", "L0108", "L0110"], "{}", stderr(&output));
    assert!(stdout(&output).contains("far above the 12 its query matches today"), "{}", stdout(&output));
    assert!(stdout(&output).contains("the aws inventory of 2026-12-06T10:00:00Z"), "{}", stdout(&output));
    // 50 is more than twice twelve and ten more: loose too. 20 is not.
    let close = lint("close.esc");
    assert_eq!(codes_in_json_lines(&close), ["L0104", "L0108", "L0110"], "{}", stderr(&close));
    let tight = TWO_FINDINGS.replace("max_targets = 50", "max_targets = 20");
    std::fs::write(dir.path().join("close.esc"), tight).expect("rewritten");
    let tight = lint("close.esc");
    assert_eq!(codes_in_json_lines(&tight), ["L0104", "L0108"], "{}", stderr(&tight));
    // Without the inventory, nothing is judged.
    std::fs::remove_file(dir.path().join("state/inventory/aws.json")).expect("removed");
    assert_eq!(codes_in_json_lines(&lint("tag.esc")), ["L0104", "L0108"]);
}
