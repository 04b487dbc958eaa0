//! The lint registry is in step with its fixtures, snapshots and documentation, and its SARIF is valid SARIF.

mod support {
    pub mod inventory;
}

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use escher_compiler::diagnostics::Diagnostic;
use escher_compiler::lint::{Level, LintSettings, RULES, lint, sarif};
use escher_compiler::{Compilation, CompileOptions, NoImports, compile};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lint_fixtures() -> Vec<(String, String)> {
    let folder = repository().join("tests/fixtures/lint");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&folder)
        .expect("the lint fixtures folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "esc"))
        .map(|path| {
            let name = format!("tests/fixtures/lint/{}", path.file_name().and_then(|n| n.to_str()).expect("UTF-8"));
            (name, std::fs::read_to_string(&path).expect("a readable fixture"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_rule_has_a_fixture_named_by_its_id_and_a_snapshot_of_it() {
    let fixtures: Vec<String> = lint_fixtures().into_iter().map(|(name, _)| name).collect();
    let snapshots = repository().join("compiler/tests/snapshots");
    for rule in RULES {
        let prefix = format!("tests/fixtures/lint/{}_", rule.id);
        let fixture = fixtures.iter().find(|name| name.starts_with(&prefix));
        let fixture = fixture.unwrap_or_else(|| panic!("{}: no fixture {prefix}*.esc", rule.id));
        let stem = fixture.trim_start_matches("tests/fixtures/").trim_end_matches(".esc").replace('/', "__");
        let snapshot = snapshots.join(format!("fixtures__{stem}.snap"));
        let text =
            std::fs::read_to_string(&snapshot).unwrap_or_else(|_| panic!("{}: no {}", rule.id, snapshot.display()));
        assert!(text.contains(&format!("\"code\": \"{}\"", rule.id)), "{}: its snapshot does not show it", rule.id);
    }
}

// ---- docs/lint.md --------------------------------------------------------------------------------------

const BEGIN: &str = "<!-- The rules below are generated from compiler/src/lint/ by compiler/tests/lint.rs. -->";
const END: &str = "<!-- End of the generated rules. -->";

/// The part of `docs/lint.md` generated from the registry: a table, then each rule's explanation.
fn generated_rules() -> String {
    let mut out = String::from("| Id | Name | Default level | Title |\n|----|------|---------------|-------|\n");
    for rule in RULES {
        let level = match rule.default_level {
            Level::Allow => "allow",
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        };
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {level} | {} |\n",
            rule.id,
            rule.id.to_lowercase(),
            rule.name,
            rule.title
        ));
    }
    for rule in RULES {
        out.push_str(&format!("\n## {}\n\n`{}`: {}\n\n", rule.id, rule.name, rule.title));
        // The rule's own headings sit one level below its section.
        let explanation = rule.explanation().replace("\n## ", "\n### ");
        let explanation = explanation.strip_prefix("## ").map_or(explanation.clone(), |rest| format!("### {rest}"));
        out.push_str(&explanation);
        out.push('\n');
    }
    out
}

/// `ESCHER_UPDATE_DOCS=1` rewrites the generated part; otherwise it must be what the registry generates.
#[test]
fn the_documentation_lists_every_rule_as_the_registry_has_it() {
    let path = repository().join("docs/lint.md");
    let doc = std::fs::read_to_string(&path).expect("docs/lint.md exists");
    let (head, rest) = doc.split_once(BEGIN).expect("docs/lint.md has the generated rules' start marker");
    let (_, tail) = rest.split_once(END).expect("docs/lint.md has the generated rules' end marker");
    let expected = format!("{head}{BEGIN}\n{}{END}{tail}", generated_rules());
    if std::env::var_os("ESCHER_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("docs/lint.md is writable");
    }
    assert!(doc == expected, "docs/lint.md differs from the registry; run with ESCHER_UPDATE_DOCS=1 and read the diff");
}

// ---- SARIF ---------------------------------------------------------------------------------------------

fn compile_fixture(name: &str, text: &str) -> Compilation {
    compile(name, text, &CompileOptions::check(&NoImports))
}

/// Every lint fixture's findings, plus a playbook that does not compile, in one log.
fn sarif_log() -> serde_json::Value {
    let mut compiled: Vec<(Compilation, Vec<Diagnostic>)> = Vec::new();
    for (name, text) in lint_fixtures() {
        let compilation = compile_fixture(&name, &text);
        let mut settings = LintSettings::default();
        if let Some(targets) = support::inventory::inventory_from_header(&text).expect("a valid inventory line") {
            settings = settings.with_targets_today(targets);
        }
        let findings: Vec<Diagnostic> = lint(&compilation, &settings).into_iter().collect();
        compiled.push((compilation, findings));
    }
    let broken = compile_fixture("broken é.esc", "playbook p {\n  step s = report.summary(nope)\n}\n");
    let errors: Vec<Diagnostic> = broken.diagnostics.iter().cloned().collect();
    compiled.push((broken, errors));
    let checked: Vec<sarif::Checked<'_>> = compiled
        .iter()
        .map(|(compilation, diagnostics)| sarif::Checked { sources: &compilation.sources, diagnostics })
        .collect();
    let tool = sarif::Tool { name: "escher", version: "0.1.0", information_uri: Some("https://example.org/escher") };
    sarif::log(tool, &checked, &sarif::uri_reference)
}

fn schema() -> serde_json::Value {
    let path = repository().join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the vendored schema")).expect("the schema is JSON")
}

fn schema_errors(instance: &serde_json::Value) -> Vec<String> {
    let validator =
        jsonschema::options().should_validate_formats(true).build(&schema()).expect("the SARIF schema compiles");
    validator.iter_errors(instance).map(|error| format!("{} at {}", error, error.instance_path())).collect()
}

#[test]
fn the_sarif_log_is_valid_against_the_official_schema() {
    let log = sarif_log();
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "the log breaks the SARIF 2.1.0 schema:\n{}", errors.join("\n"));
}

#[test]
fn the_schema_check_can_fail() {
    let mut log = sarif_log();
    log["runs"][0]["results"][0]["level"] = serde_json::json!("loud");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = serde_json::json!(0);
    assert_eq!(schema_errors(&log).len(), 2, "{:?}", schema_errors(&log));
}

#[test]
fn the_sarif_log_lists_every_rule_and_a_result_per_finding_and_error() {
    let log = sarif_log();
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "escher");
    assert_eq!(driver["informationUri"], "https://example.org/escher");
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), RULES.len());
    for (rule, sarif_rule) in RULES.iter().zip(rules) {
        assert_eq!(sarif_rule["id"], rule.id);
        assert_eq!(sarif_rule["shortDescription"]["text"], rule.title);
        assert_eq!(sarif_rule["fullDescription"]["text"], rule.explanation());
        assert_eq!(sarif_rule["defaultConfiguration"]["level"], rule.default_level.sarif());
    }
    let results = run["results"].as_array().expect("results");
    let ids: BTreeSet<&str> = results.iter().filter_map(|r| r["ruleId"].as_str()).collect();
    for rule in RULES {
        assert!(ids.contains(rule.id), "no result for {}", rule.id);
    }
    let error = results.iter().find(|r| r["ruleId"] == "E0201").expect("the compile error is a result");
    assert_eq!(error["level"], "error");
    assert!(error.get("ruleIndex").is_none());
    let location = &error["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "broken%20%C3%A9.esc");
    let region = &location["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(2), Some(27)));
    assert_eq!((region["endLine"].as_u64(), region["endColumn"].as_u64()), (Some(2), Some(31)));
    let cron = results.iter().find(|r| r["ruleId"] == "L0104").expect("the L0104 finding");
    let index = cron["ruleIndex"].as_u64().expect("a lint result names its rule's index") as usize;
    assert_eq!(rules[index]["id"], "L0104");
    assert_eq!(cron["level"], "warning");
}
