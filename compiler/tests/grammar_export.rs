//! The grammar exports (`escher grammar`) as reviewed snapshots, and the GBNF's rules all defined. The Lark
//! export is run against pest by llguidance in `decoding/tests/lark_against_pest.rs` (a workspace of its own).

use escher_compiler::grammar_export::{GrammarFormat, export};

/// The exports as committed snapshots: a change to the grammar shows in review as a change to what a model is
/// held to.
#[test]
fn the_exports_are_as_reviewed() {
    insta::assert_snapshot!("lark", export(GrammarFormat::Lark).expect("the grammar exports"));
    insta::assert_snapshot!("gbnf", export(GrammarFormat::Gbnf).expect("the grammar exports"));
    insta::assert_json_snapshot!("envelope_schema", escher_compiler::grammar_export::envelope_schema());
}

#[test]
fn the_gbnf_export_names_every_rule_it_uses() {
    let gbnf = export(GrammarFormat::Gbnf).expect("the grammar exports");
    let defined: std::collections::BTreeSet<&str> =
        gbnf.lines().filter_map(|line| line.split_once(" ::= ").map(|(name, _)| name)).collect();
    let mut undefined = std::collections::BTreeSet::new();
    for line in gbnf.lines().filter(|line| line.contains(" ::= ")) {
        let body = line.split_once(" ::= ").map(|(_, body)| body).unwrap_or_default();
        for name in names_outside_quotes(body) {
            if !defined.contains(name.as_str()) {
                undefined.insert(name);
            }
        }
    }
    assert!(undefined.is_empty(), "the GBNF uses rules it does not define: {undefined:?}");
    assert!(gbnf.contains("\nroot ::= playbook-file\n"));
}

/// The rule names in a GBNF rule body: words outside string literals and character classes.
fn names_outside_quotes(body: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = body.chars().peekable();
    let mut word = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' | '[' => {
                let close = if c == '"' { '"' } else { ']' };
                while let Some(inner) = chars.next() {
                    if inner == '\\' {
                        chars.next();
                    } else if inner == close {
                        break;
                    }
                }
            }
            c if c.is_ascii_alphanumeric() || c == '-' => word.push(c),
            _ => {
                if !word.is_empty() {
                    names.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        names.push(word);
    }
    names
}
