//! The documentation stays true: the grammar it quotes is the grammar, and the playbooks it shows compile.

use escher::FsLoader;
use escher::compiler::{CompileOptions, compile_input};

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Rule definitions (`name = ...` lines) quoted in the spec's appendix.
fn quoted_rules(spec: &str) -> Vec<String> {
    let appendix = spec.split("## 14. Appendix: the grammar").nth(1).expect("the spec has a grammar appendix");
    let block = appendix.split("```").nth(1).expect("the appendix quotes the grammar in a code block");
    block
        .lines()
        .filter(|line| {
            let name: String = line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            !name.is_empty() && line[name.len()..].trim_start().starts_with('=')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn the_grammar_quoted_in_the_language_spec_is_the_grammar() {
    let grammar = read("grammar/escher.pest");
    let rules = quoted_rules(&read("docs/language.md"));
    assert!(rules.len() > 40, "the appendix quotes the playbook rules, found {}", rules.len());
    for rule in rules {
        assert!(
            grammar.lines().any(|line| line == rule),
            "docs/language.md quotes a rule the grammar does not have:\n{rule}"
        );
    }
}

#[test]
fn the_playbook_in_the_readme_compiles() {
    let compilation = compile_input("README.md", &read("README.md"), &CompileOptions::check(&FsLoader));
    assert!(compilation.diagnostics.is_empty(), "{:?}", compilation.diagnostics);
    assert!(compilation.plan.is_some());
}
