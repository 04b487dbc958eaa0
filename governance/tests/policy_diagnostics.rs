//! Every policy fixture under tests/fixtures/policy: its header names the codes it must produce (or `ok`), and
//! each rendered diagnostic is a snapshot.

use std::path::Path;

use escher_governance::policy::{CODES, check, render};

fn fixtures() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policy");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the fixtures folder exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            (name, std::fs::read_to_string(&path).expect("the fixture reads"))
        })
        .collect()
}

fn expected(text: &str) -> Vec<String> {
    let header = text.lines().next().and_then(|line| line.strip_prefix("# expect: ")).expect("an `# expect:` header");
    header.split(',').map(|code| code.trim().to_string()).filter(|code| code != "ok").collect()
}

#[test]
fn each_fixture_reports_exactly_the_codes_in_its_header_and_renders_as_its_snapshot() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 10, "the fixtures are found");
    for (name, text) in fixtures {
        let found = match check(&text) {
            Ok(_) => Vec::new(),
            Err(errors) => {
                let rendered = render(&format!("{name}.toml"), &text, &errors, false);
                insta::assert_snapshot!(name.clone(), rendered);
                errors.iter().map(|e| e.code().to_string()).collect()
            }
        };
        assert_eq!(found, expected(&text), "{name}.toml");
    }
}

#[test]
fn every_code_has_a_fixture_and_every_code_reported_is_explained() {
    let fixtures = fixtures();
    for info in CODES {
        assert!(fixtures.iter().any(|(name, _)| name.starts_with(info.code)), "no fixture for {}", info.code);
    }
    for (name, text) in &fixtures {
        for code in expected(text) {
            assert!(CODES.iter().any(|info| info.code == code), "{name}.toml reports {code}, which has no explanation");
        }
    }
}

#[test]
fn docs_policy_md_lists_every_code_with_its_title() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/policy.md");
    let docs = std::fs::read_to_string(docs).expect("docs/policy.md reads");
    let listed: Vec<&str> = docs.lines().filter(|line| line.starts_with("| P0")).collect();
    let expected: Vec<String> = CODES.iter().map(|info| format!("| {} | {} |", info.code, info.title)).collect();
    assert_eq!(listed, expected, "the code table of docs/policy.md and governance's CODES differ");
}
