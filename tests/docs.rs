//! The documentation stays true: the grammar it quotes is the grammar, and the playbooks it shows compile.

use escher::FsLoader;
use escher::compiler::{CompileOptions, compile_input};

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The rules of a grammar text, by name, each with its definition stripped of remarks and whitespace, so a rule
/// quoted on one line compares equal to the same rule spread over several.
fn rules(text: &str) -> std::collections::BTreeMap<String, String> {
    let mut rules = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = without_trailing_comment(line);
        if line.trim_start().starts_with("//") || line.trim().is_empty() {
            continue;
        }
        let name: String = line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() && line[name.len()..].trim_start().starts_with('=') {
            rules.insert(name.clone(), String::new());
            current = Some(name);
        }
        if let Some(body) = current.as_ref().and_then(|name| rules.get_mut(name)) {
            body.extend(line.chars().filter(|c| !c.is_whitespace()));
        }
    }
    rules
}

/// A line without a trailing `// ...` remark (set off by two spaces; `"//"` inside a rule is a literal).
fn without_trailing_comment(line: &str) -> &str {
    line.split_once("  //").map_or(line, |(rule, _)| rule).trim_end()
}

#[test]
fn the_grammar_quoted_in_the_language_spec_is_the_grammar() {
    let grammar = rules(&read("grammar/escher.pest"));
    let spec = read("docs/language.md");
    let appendix = spec.split("## 14. Appendix: the grammar").nth(1).expect("the spec has a grammar appendix");
    let quoted = rules(appendix.split("```").nth(1).expect("the appendix quotes the grammar in a code block"));
    assert!(quoted.len() > 40, "the appendix quotes the playbook rules, found {}", quoted.len());
    for (name, body) in quoted {
        assert_eq!(grammar.get(&name), Some(&body), "docs/language.md quotes `{name}` unlike the grammar");
    }
}

#[test]
fn the_playbook_in_the_readme_compiles() {
    let compilation = compile_input("README.md", &read("README.md"), &CompileOptions::check(&FsLoader));
    assert!(compilation.diagnostics.is_empty(), "{:?}", compilation.diagnostics);
    assert!(compilation.plan.is_some());
}

/// The README shows a playbook CI runs, whole, so what it claims is what the binary does.
#[test]
fn the_playbook_in_the_readme_is_one_of_the_examples() {
    let readme = read("README.md");
    let shown = readme.split("```\n").nth(1).expect("the README opens with a fenced playbook");
    let examples = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples")).expect("examples/");
    let matching = examples
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().extension().is_some_and(|extension| extension == "esc"))
        .find(|entry| std::fs::read_to_string(entry.path()).is_ok_and(|text| text == shown));
    assert!(matching.is_some(), "the README's playbook is not any examples/*.esc as it is:\n{shown}");
}
