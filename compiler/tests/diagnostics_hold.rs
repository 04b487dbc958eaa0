//! Diagnostics hold under any input: a syntax error hides none of the mistakes after it, positions read the same
//! to a person and to a tool, and every message speaks in the language's words.

use escher_compiler::diagnostics::{Diagnostic, render_human, to_json};
use escher_compiler::{Compilation, CompileOptions, MemoryLoader, NoImports, compile};
use proptest::prelude::*;

fn check(text: &str) -> Compilation {
    compile("check.esc", text, &CompileOptions::check(&NoImports))
}

fn codes(compilation: &Compilation) -> Vec<String> {
    compilation.diagnostics.iter().map(Diagnostic::code).collect()
}

fn messages(compilation: &Compilation) -> Vec<String> {
    compilation.diagnostics.iter().map(Diagnostic::message).collect()
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

// ---- One syntax error hides nothing ---------------------------------------------------------------------------

/// Members that do not parse, each on its own line and each reported once; each seems to define `broken`.
const SYNTAX_ERRORS: &[&str] = &[
    "let broken = (1 +",
    "step broken = aws.ec2.stop(",
    "step broken aws.ec2.stop([])",
    "param broken int = 5",
    "let broken = \"never closed",
    "let broken = [1, 2",
    "stpe broken = report.summary(\"typo in the keyword\")",
    "let broken: = 5",
];

/// Members with exactly one semantic error each; `{i}` keeps their names apart.
const SEMANTIC_ERRORS: &[&str] = &[
    "param p{i}: int = \"ten\"",
    "let l{i}: int = \"x\"",
    "let u{i} = nowhere_{i}",
    "step s{i} = nothing.here_{i}()",
    "step r{i} = report.summary(\"x\") {{ retry = 99 }}",
    "param t{i}: strin",
    "step o{i} = report.summary(\"x\") {{ colour_{i} = 2 }}",
];

/// Valid members, some of them using what the broken member would have defined.
const VALID: &[&str] = &[
    "let v{i} = 1",
    "step w{i} = report.summary(\"ok\")",
    "param f{i}: int = 3",
    "step b{i} = report.summary(\"${broken}\")",
    "let c{i} = [x for x in broken]",
];

fn member(template: &str, i: usize) -> String {
    template.replace("{i}", &i.to_string()).replace("{{", "{").replace("}}", "}")
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn one_syntax_error_and_n_semantic_errors_give_n_plus_one_diagnostics(
        semantic in prop::collection::vec(prop::sample::select(SEMANTIC_ERRORS), 0..6),
        valid in prop::collection::vec(prop::sample::select(VALID), 0..6),
        syntax in prop::sample::select(SYNTAX_ERRORS),
        order in any::<u64>(),
    ) {
        let mut members: Vec<String> = semantic.iter().enumerate().map(|(i, m)| member(m, i)).collect();
        members.extend(valid.iter().enumerate().map(|(i, m)| member(m, i)));
        // A seeded shuffle, so the syntax error comes before, between and after the others.
        let mut seed = order;
        for i in (1..members.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            members.swap(i, (seed >> 33) as usize % (i + 1));
        }
        let at = (order as usize) % (members.len() + 1);
        members.insert(at, syntax.to_string());
        let text = format!("playbook p {{\n  {}\n}}\n", members.join("\n  "));
        let compilation = check(&text);
        let found = codes(&compilation);
        let syntax_errors = found.iter().filter(|code| code.starts_with("E01")).count();
        prop_assert_eq!(syntax_errors, 1, "one syntax error in:\n{}\nfound {:?}", text, messages(&compilation));
        prop_assert_eq!(found.len(), semantic.len() + 1, "in:\n{}\nfound {:?}", text, messages(&compilation));
    }
}

#[test]
fn a_member_that_breaks_while_lowering_hides_nothing_and_its_name_is_not_reported() {
    let text = "playbook p {\n  let big = 99999999999999999999\n  let uses = big ++ nowhere\n  \
                param n: int = \"ten\"\n}\n";
    let compilation = check(text);
    let mut found = codes(&compilation);
    found.sort();
    assert_eq!(found, ["E0104", "E0201", "E0301"], "{:?}", messages(&compilation));
}

#[test]
fn an_imported_playbook_with_a_syntax_error_is_checked_and_its_importer_too() {
    let library = "playbook alert {\n  param channel: string\n  let = 1\n  step say = report.summary(3 ++ \"x\")\n}\n";
    let loader = MemoryLoader { files: [("lib.esc".to_string(), library.to_string())].into() };
    let text = "use \"lib.esc\"\nplaybook p {\n  step tell = alert(channel = \"#ops\", colour = 1)\n  \
                let n: int = \"ten\"\n}\n";
    let compilation = compile("main.esc", text, &CompileOptions::check(&loader));
    let mut found = codes(&compilation);
    found.sort();
    // The library's syntax and type errors and the importer's own; its call of the incomplete library is not
    // checked against what the library defines, which may lack what the broken member declared.
    assert_eq!(found, ["E0101", "E0301", "E0308"], "{:?}", messages(&compilation));
    assert!(compilation.plan.is_none());
}

#[test]
fn a_missing_import_hides_nothing_and_its_calls_are_not_reported_again() {
    let text = "use \"missing.esc\" as tell\nplaybook p {\n  step go = tell(x = 1)\n  let n: int = \"ten\"\n}\n";
    let compilation = check(text);
    let mut found = codes(&compilation);
    found.sort();
    assert_eq!(found, ["E0208", "E0301"], "{:?}", messages(&compilation));
}

// ---- Positions ------------------------------------------------------------------------------------------------

/// The `file:line:col` of each snippet header miette drew.
fn headers(rendered: &str) -> Vec<(usize, usize)> {
    let pattern = regex::Regex::new(r"╭─\[[^\]]*:(\d+):(\d+)\]").expect("a valid pattern");
    pattern
        .captures_iter(rendered)
        .map(|c| (c[1].parse().unwrap_or_default(), c[2].parse().unwrap_or_default()))
        .collect()
}

/// The human header of the primary label says the JSON's line and column.
fn positions_agree(compilation: &Compilation) -> Result<(), TestCaseError> {
    for diagnostic in compilation.diagnostics.iter() {
        let json = to_json(diagnostic, &compilation.sources);
        let Some(primary) = json.spans.iter().find(|span| span.is_primary) else { continue };
        let rendered = render_human(diagnostic, &compilation.sources, false);
        prop_assert_eq!(&json.rendered, &rendered);
        let wanted = (primary.line_start, primary.column_start);
        let drawn = headers(&rendered);
        prop_assert!(
            drawn.contains(&wanted) || rendered.contains(&format!(":{}:{} (the line is too long", wanted.0, wanted.1)),
            "JSON says {:?}, the headers say {:?}:\n{}",
            wanted,
            drawn,
            rendered
        );
    }
    Ok(())
}

/// Text for a string literal: multi-byte chars, combining marks, wide chars and carriage returns.
fn multibyte_text() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec!["a", " ", "é", "e\u{301}", "☕", "😀", "漢字", "ß", "\r", "\t", "Ω"]);
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn human_and_json_positions_agree_on_lines_with_multibyte_text(
        before in multibyte_text(),
        after in multibyte_text(),
        mistake in prop::sample::select(vec!["nowhere", "len(1)", "1 ++ \"x\"", "aws.ec2.stpo([])"]),
    ) {
        let text = format!(
            "//! {before}\nplaybook p {{\n  let x = \"{before}\" ++ {mistake} ++ \"{after}\"\n  \
             step s = report.summary(\"{after}\") {{ colour = \"{before}\", retry = 99 }}\n}}\n"
        );
        let compilation = check(&text);
        prop_assert!(compilation.has_errors(), "{}", text);
        positions_agree(&compilation)?;
    }
}

#[test]
fn the_header_counts_chars_as_the_json_does() {
    let text = "playbook p {\n  let x = \"☕☕☕\" ++ nowhere\n}\n";
    let compilation = check(text);
    let diagnostic = compilation.diagnostics.iter().next().expect("an unknown name");
    let rendered = render_human(diagnostic, &compilation.sources, false);
    // `nowhere` starts at char 20 of its line, byte 26: each ☕ is three bytes.
    assert!(rendered.contains("check.esc:2:20]"), "{rendered}");
    assert_eq!(to_json(diagnostic, &compilation.sources).spans[0].column_start, 20);
}

#[test]
fn the_header_gives_the_primary_label_even_when_another_comes_first() {
    let text = "playbook p {\n  let twice = 1\n  let twice = 2\n}\n";
    let compilation = check(text);
    let diagnostic = compilation.diagnostics.iter().next().expect("a name defined twice");
    let rendered = render_human(diagnostic, &compilation.sources, false);
    assert_eq!(headers(&rendered), [(3, 7)], "{rendered}");
}

// ---- Messages -------------------------------------------------------------------------------------------------

#[test]
fn expected_alternatives_are_listed_once_each() {
    let compilation = check("playbok nightly {\n}\n");
    let message = messages(&compilation).concat();
    assert_eq!(message, "expected `playbook` or `template`, found `playbok`");
}

#[test]
fn no_message_repeats_an_alternative_or_says_or_twice() {
    for text in ["playbok p {\n}\n", "use 3\nplaybook p {\n}\n", "playbook p {\n  let x = \n}\n", "playbook {\n}\n"] {
        for message in messages(&check(text)) {
            let expected = message.split(", found").next().unwrap_or_default();
            assert!(expected.matches(" or ").count() <= 1, "{message}");
            let alternatives: Vec<&str> = expected.trim_start_matches("expected ").split([',']).collect();
            let mut unique = alternatives.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(alternatives.len(), unique.len(), "{message}");
        }
    }
}

#[test]
fn an_unclosed_brace_is_shown_where_it_opens_and_where_the_file_ends() {
    let text = "playbook p {\n  let x = 1\n\n\n";
    let compilation = check(text);
    let diagnostic = compilation.diagnostics.iter().next().expect("an unclosed brace");
    assert_eq!(diagnostic.code(), "E0106");
    let labels = diagnostic.labels();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert_eq!(&text[labels[0].0.range()], "{");
    // The end is shown after the last text, not after the blank lines that follow it.
    assert_eq!(labels[1].0.start as usize, text.trim_end().len());
}

#[test]
fn a_bad_cron_field_is_named_with_its_value_and_range_and_labelled_on_itself() {
    let text = "playbook p {\n  schedule cron(\"0 6 * 13 MON\")\n  step s = report.summary(\"x\")\n}\n";
    let compilation = check(text);
    let diagnostic = compilation.diagnostics.iter().next().expect("a bad cron");
    assert_eq!(diagnostic.code(), "E0315");
    assert_eq!(
        diagnostic.message(),
        "invalid cron expression: the month field is `13`, which is not within 1-12 or JAN-DEC"
    );
    assert_eq!(&text[diagnostic.primary_span().range()], "13");
}

#[test]
fn a_cron_field_in_a_string_with_escapes_is_labelled_on_the_whole_string() {
    let text = "playbook p {\n  schedule cron(\"0\\t25 * * *\")\n  step s = report.summary(\"x\")\n}\n";
    let compilation = check(text);
    let diagnostic = compilation.diagnostics.iter().next().expect("a bad cron");
    assert!(diagnostic.message().contains("the hour field is `25`"), "{}", diagnostic.message());
    assert_eq!(&text[diagnostic.primary_span().range()], "\"0\\t25 * * *\"");
}
