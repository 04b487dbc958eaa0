//! The table of diagnostic codes is complete and in step with the compiler, its documentation and its snapshots.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use escher_compiler::diagnostics::{CODES, Severity, explain};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a readable source folder") {
        let path = entry.expect("a readable directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The codes the compiler's error enums declare with `#[diagnostic(code(...))]`.
fn codes_in_source() -> BTreeSet<String> {
    let pattern = regex::Regex::new(r"code\(([EW][0-9]{4})\)").expect("a valid pattern");
    rust_files(&crate_dir().join("src"))
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).expect("a readable source file");
            pattern.captures_iter(&text).map(|c| c[1].to_string()).collect::<Vec<_>>()
        })
        .collect()
}

fn codes_in_table() -> BTreeSet<String> {
    CODES.iter().map(|info| info.code.to_string()).collect()
}

/// The table of `docs/diagnostics.md`, as generated from [`CODES`].
fn markdown_table() -> String {
    let mut table = String::from("| Code | Level | Title |\n|------|-------|-------|\n");
    for info in CODES {
        table.push_str(&format!("| {} | {} | {} |\n", info.code, info.level().as_str(), info.title));
    }
    table
}

#[test]
fn every_code_the_compiler_declares_is_in_the_table() {
    let missing: Vec<String> = codes_in_source().difference(&codes_in_table()).cloned().collect();
    assert!(missing.is_empty(), "codes declared in compiler/src but missing from CODES: {missing:?}");
}

#[test]
fn every_code_in_the_table_is_declared_by_the_compiler() {
    let stale: Vec<String> = codes_in_table().difference(&codes_in_source()).cloned().collect();
    assert!(stale.is_empty(), "codes in CODES that no error enum declares: {stale:?}");
}

#[test]
fn codes_are_listed_once_and_in_order() {
    let listed: Vec<&str> = CODES.iter().map(|info| info.code).collect();
    let mut sorted = listed.clone();
    // By phase (the first two digits), errors before warnings, then by number: E0705 before W0701.
    sorted.sort_by_key(|code| (&code[1..3], &code[..1], &code[3..]));
    sorted.dedup();
    assert_eq!(listed, sorted, "CODES must be sorted by phase, then E before W, then number, without repeats");
}

#[test]
fn the_documentation_holds_the_table_generated_from_the_codes() {
    let doc_path = crate_dir().join("../docs/diagnostics.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/diagnostics.md exists");
    let table = markdown_table();
    assert!(doc.contains(&table), "docs/diagnostics.md must contain exactly this table:\n\n{table}");
}

#[test]
fn every_code_has_a_snapshot_that_shows_it() {
    let mut shown = BTreeSet::new();
    let pattern = regex::Regex::new(r#""code": "([EW][0-9]{4})""#).expect("a valid pattern");
    for entry in std::fs::read_dir(crate_dir().join("tests/snapshots")).expect("a snapshots folder") {
        let path = entry.expect("a readable directory entry").path();
        if path.extension().is_some_and(|e| e == "snap") {
            let text = std::fs::read_to_string(&path).expect("a readable snapshot");
            shown.extend(pattern.captures_iter(&text).map(|c| c[1].to_string()));
        }
    }
    let unshown: Vec<String> = codes_in_table().difference(&shown).cloned().collect();
    assert!(unshown.is_empty(), "codes with no snapshot in compiler/tests/snapshots: {unshown:?}");
}

/// Each error variant that declares a code, as (code, its attributes and fields): the text from its
/// `#[error(...)]` up to the next variant's.
fn coded_variants() -> Vec<(String, String)> {
    let code = regex::Regex::new(r"code\(([EW][0-9]{4})\)").expect("a valid pattern");
    let mut variants = Vec::new();
    for path in rust_files(&crate_dir().join("src")) {
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        for variant in text.split("#[error(").skip(1) {
            if let Some(found) = code.captures(variant) {
                variants.push((found[1].to_string(), variant.to_string()));
            }
        }
    }
    variants
}

#[test]
fn every_coded_variant_always_has_help() {
    // Help in the `#[diagnostic(...)]` attribute, or a `#[help]` field that is a `String`, never an `Option`: the
    // type system then keeps every constructor from leaving it out.
    let attribute_help = regex::Regex::new(r"(?s)#\[diagnostic\(.*?\bhelp\(").expect("a valid pattern");
    let field_help = regex::Regex::new(r"#\[help\]\s*\w+:\s*String\s*,").expect("a valid pattern");
    let variants = coded_variants();
    assert!(variants.len() > 90, "the variants were not found: {}", variants.len());
    let without: Vec<String> = variants
        .iter()
        .filter(|(_, text)| !attribute_help.is_match(text) && !field_help.is_match(text))
        .map(|(code, text)| format!("{code}: {}", text.lines().next().unwrap_or_default()))
        .collect();
    assert!(without.is_empty(), "variants that may have no help:\n{}", without.join("\n"));
}

#[test]
fn every_explanation_shows_a_wrong_and_a_corrected_example() {
    for info in CODES {
        let fences = info.explanation.matches("```").count();
        // The internal E0502 has no playbook to show; every other code shows the mistake and its correction.
        if info.code != "E0502" {
            assert!(fences >= 2, "{}: the explanation shows no example", info.code);
        }
        assert!(fences % 2 == 0, "{}: a code fence is not closed", info.code);
        assert!(!info.explanation.ends_with('\n'), "{}: trailing new line", info.code);
    }
}

#[test]
fn titles_are_short_lowercase_phrases() {
    for info in CODES {
        assert!(info.title.len() <= 60, "{}: the title is longer than 60 bytes", info.code);
        assert!(!info.title.ends_with('.'), "{}: a title is a phrase, not a sentence", info.code);
        assert!(!info.title.starts_with(char::is_uppercase), "{}: titles start in lower case", info.code);
    }
}

#[test]
fn warnings_are_the_w_codes() {
    assert_eq!(explain("W0701").map(|info| info.level()), Some(Severity::Warning));
    assert_eq!(explain("E0201").map(|info| info.level()), Some(Severity::Error));
}

#[test]
fn a_code_is_explained_whatever_its_case() {
    assert_eq!(explain("e0201").map(|info| info.code), Some("E0201"));
    assert!(explain("E9999").is_none());
}
