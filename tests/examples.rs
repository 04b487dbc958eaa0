//! Every example and every valid fixture checks and plans cleanly, and `fmt` is idempotent and keeps meaning:
//! formatting changes no plan hash.

use std::path::{Path, PathBuf};

use escher::FsLoader;
use escher::compiler::format::format_playbook;
use escher::compiler::{CompileOptions, compile};

fn playbooks_in(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "esc"))
        .collect();
    files.sort();
    files
}

fn plan_hash(path: &Path, text: &str) -> String {
    let name = path.display().to_string();
    let compilation = compile(&name, text, &CompileOptions::plan(&FsLoader, Default::default()));
    let rendered: Vec<String> = compilation
        .diagnostics
        .iter()
        .map(|d| escher::compiler::diagnostics::render_human(d, &compilation.sources, false))
        .collect();
    assert!(!compilation.has_errors(), "{name} does not plan:\n{}", rendered.join("\n"));
    compilation.plan.expect("a plan without errors").hash
}

/// Examples whose parameters all have defaults plan as they are; the others get the values in their header
/// (`// params: a=b c=d` lines are not used by examples, so an example needing values is a defect).
#[test]
fn every_example_checks_and_plans_cleanly() {
    let examples = playbooks_in("examples");
    assert!(examples.len() >= 8, "the issue asks for at least eight examples, found {}", examples.len());
    for path in examples.iter().chain(playbooks_in("examples/lib").iter()) {
        let text = std::fs::read_to_string(path).expect("readable example");
        let check = compile(&path.display().to_string(), &text, &CompileOptions::check(&FsLoader));
        assert!(check.diagnostics.is_empty(), "{} has diagnostics: {:?}", path.display(), check.diagnostics);
        if !text.contains("\n  param ") || !needs_values(&text) {
            plan_hash(path, &text);
        }
    }
}

/// Whether a playbook declares a parameter without a default (it then needs `--param` to plan).
fn needs_values(text: &str) -> bool {
    text.lines().map(str::trim).any(|line| line.starts_with("param ") && !line.contains('='))
}

#[test]
fn fmt_is_idempotent_and_keeps_the_plan_hash_of_every_example_and_fixture() {
    let mut files = playbooks_in("examples");
    files.extend(playbooks_in("examples/lib"));
    files.extend(playbooks_in("tests/fixtures/ok"));
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable playbook");
        let once = format_playbook(&text).unwrap_or_else(|e| panic!("{} does not format: {e:?}", path.display()));
        let twice = format_playbook(&once).expect("formatted output parses");
        assert_eq!(once, twice, "formatting {} twice changed it", path.display());
        if !needs_values(&text) && !text.starts_with("// params:") {
            assert_eq!(
                plan_hash(&path, &text),
                plan_hash(&path, &once),
                "formatting {} changed its plan",
                path.display()
            );
        }
    }
}

#[test]
fn committed_examples_are_formatted() {
    for path in playbooks_in("examples").iter().chain(playbooks_in("examples/lib").iter()) {
        let text = std::fs::read_to_string(path).expect("readable example");
        let formatted = format_playbook(&text).expect("example parses");
        assert!(formatted == text, "{} is not formatted: run `escher fmt {}`", path.display(), path.display());
    }
}
