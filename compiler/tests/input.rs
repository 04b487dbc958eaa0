//! Reading AI output: playbooks found in `.esc` files, Markdown answers and JSON envelopes, and diagnostics
//! of the extracted playbook mapped back onto the text the AI actually sent.

use escher_compiler::diagnostics::{Diagnostic, Fix, TextEdit, render_human, to_json};
use escher_compiler::input::{Extracted, InputError, InputKind, extract, remap};
use escher_compiler::syntax::parse_playbook;
use escher_compiler::{FileId, SourceMap, Span};
use proptest::prelude::*;

/// A playbook whose only error is the unknown escape `\q`, planted after multi-byte chars and quotes.
const PLANTED: &str =
    "//! Café ☕ \"shutdown\" 😀\nplaybook p {\n  let note = \"naïve \\q end\"\n  step s = aws.ec2.stop(note)\n}\n";

const EXTRACTED_FILE: FileId = FileId(0);
const ORIGINAL_FILE: FileId = FileId(1);

fn extracted(name: &str, original: &str) -> Extracted {
    extract(name, original).unwrap_or_else(|error| panic!("{name} should extract: {error}"))
}

fn refused(name: &str, original: &str) -> Diagnostic {
    match extract(name, original) {
        Ok(found) => panic!("{name} should be refused, but gave {:?}", found.text),
        Err(error) => Diagnostic::new(ORIGINAL_FILE, error),
    }
}

/// The one parse error of the extracted playbook, remapped onto the original.
fn planted_error(found: &Extracted) -> Diagnostic {
    let errors = parse_playbook(&found.text).errors;
    assert_eq!(errors.len(), 1, "exactly the planted error: {errors:?}");
    remap(&Diagnostic::new(EXTRACTED_FILE, errors[0].clone()), found, ORIGINAL_FILE)
}

fn apply(text: &str, edit: &TextEdit) -> String {
    let mut out = text.to_string();
    out.replace_range(edit.span.range(), &edit.replacement);
    out
}

fn envelope(playbook: &str) -> String {
    serde_json::json!({
        "response_type": "execution",
        "risk_level": "high",
        "requires_approval": true,
        "explanation": "Stops the dev VMs.",
        "playbook": playbook,
    })
    .to_string()
}

// ---- Kinds ----------------------------------------------------------------------------------------------

#[test]
fn an_esc_file_is_its_own_playbook() {
    let found = extracted("nightly.esc", PLANTED);
    assert_eq!(found.kind, InputKind::Playbook);
    assert_eq!(found.text, PLANTED);
    assert_eq!(found.claims, None);
    assert_eq!(found.span_to_original(Span::new(3, 9)), Span::new(3, 9));
}

#[test]
fn the_extension_decides_and_the_content_decides_without_one() {
    assert_eq!(InputKind::detect("a.ESC", "{"), InputKind::Playbook);
    assert_eq!(InputKind::detect("answer.md", "playbook p {}"), InputKind::Markdown);
    assert_eq!(InputKind::detect("answer.markdown", ""), InputKind::Markdown);
    assert_eq!(InputKind::detect("reply.Json", "playbook p {}"), InputKind::Envelope);
    assert_eq!(InputKind::detect("<stdin>", "  \n{\"playbook\": \"\"}"), InputKind::Envelope);
    assert_eq!(InputKind::detect("<stdin>", "Sure:\n```\nplaybook p {\n}\n```\n"), InputKind::Markdown);
    assert_eq!(InputKind::detect("<stdin>", PLANTED), InputKind::Playbook);
}

#[test]
fn a_markdown_answer_yields_its_escher_block_and_the_error_points_into_the_answer() {
    let original = format!("Here is the playbook:\n\n```escher\n{PLANTED}```\n\nRun it tonight.\n");
    let found = extracted("answer.md", &original);
    assert_eq!(found.kind, InputKind::Markdown);
    assert_eq!(found.text, PLANTED);
    let error = planted_error(&found);
    assert_eq!(error.file, ORIGINAL_FILE);
    assert_eq!(&original[error.primary_span().range()], "\\q");
}

#[test]
fn an_indented_fence_in_a_list_loses_its_indentation_and_keeps_its_positions() {
    let indented: String = PLANTED.lines().map(|line| format!("   {line}\n")).collect();
    let original = format!("1. Save this:\n\n   ~~~~\n{indented}   ~~~~\n2. Run `escher check`.\n");
    let found = extracted("answer.md", &original);
    assert_eq!(found.text, PLANTED);
    let error = planted_error(&found);
    let span = error.primary_span();
    assert_eq!(&original[span.range()], "\\q");
    let line_start = original[..span.start as usize].rfind('\n').map_or(0, |i| i + 1);
    assert_eq!(&original[line_start..span.start as usize], "     let note = \"naïve ");
}

#[test]
fn an_unlabelled_fence_counts_when_it_starts_a_template() {
    let original = "```sh\nls\n```\n\n```\ntemplate t {\n}\n```\n";
    assert_eq!(extracted("<stdin>", original).text, "template t {\n}\n");
}

#[test]
fn an_envelope_yields_its_decoded_playbook_and_the_error_points_at_the_escaped_text() {
    let original = envelope(PLANTED);
    let found = extracted("response.json", &original);
    assert_eq!(found.kind, InputKind::Envelope);
    assert_eq!(found.text, PLANTED);
    let error = planted_error(&found);
    assert_eq!(&original[error.primary_span().range()], "\\\\q");
}

#[test]
fn an_envelope_keeps_its_claims_and_where_they_were_made() {
    let original = "{\n  \"response_type\": \"execution\",\n  \"risk_level\": \"high\",\n  \
                    \"requires_approval\": true,\n  \"playbook\": \"playbook p {\\n}\"\n}";
    let claims = extracted("<stdin>", original).claims.expect("an envelope has claims");
    assert_eq!(claims.response_type.as_deref(), Some("execution"));
    assert_eq!(claims.risk_level.as_deref(), Some("high"));
    assert_eq!(claims.requires_approval, Some(true));
    let spans = claims.claims_span;
    let text = |span: Option<Span>| span.map(|s| &original[s.range()]);
    assert_eq!(text(spans.response_type), Some("\"execution\""));
    assert_eq!(text(spans.risk_level), Some("\"high\""));
    assert_eq!(text(spans.requires_approval), Some("true"));
}

#[test]
fn claims_of_the_wrong_type_or_missing_are_absent() {
    let original = r#"{"risk_level": 3, "playbook": "playbook p {}"}"#;
    let claims = extracted("r.json", original).claims.expect("an envelope has claims");
    assert_eq!(claims.risk_level, None);
    assert_eq!(claims.requires_approval, None);
    assert_eq!(claims.response_type, None);
    assert!(claims.claims_span.requires_approval.is_none());
}

// ---- Offsets ----------------------------------------------------------------------------------------------

#[test]
fn offsets_inside_a_multibyte_char_move_to_its_start() {
    let found = extracted("p.esc", "//! é\n");
    assert_eq!(found.to_original(4), 4);
    assert_eq!(found.to_original(5), 4);
    assert_eq!(found.span_to_original(Span::new(5, 5)), Span::new(4, 4));
    assert_eq!(found.span_to_original(Span::new(4, 5)), Span::new(4, 6));
}

#[test]
fn offsets_inside_an_escaped_char_move_to_its_backslash() {
    let original = r#"{"playbook": "a\u00e9\ud83d\ude00\n\"b"}"#;
    let found = extracted("r.json", original);
    assert_eq!(found.text, "aé😀\n\"b");
    let body = original.find("a\\u").expect("the body");
    let e_acute = body + 1;
    let emoji = e_acute + 6;
    for offset in 1..3 {
        assert_eq!(found.to_original(offset), e_acute, "offset {offset} inside é");
    }
    for offset in 3..7 {
        assert_eq!(found.to_original(offset), emoji, "offset {offset} inside the emoji");
    }
    assert_eq!(found.span_to_original(Span::new(2, 4)), Span::new(e_acute, emoji + 12));
    assert_eq!(&original[found.span_to_original(Span::new(7, 9)).range()], "\\n\\\"");
    assert_eq!(found.to_original(found.text.len()), original.len() - 2);
}

#[test]
fn every_extracted_offset_maps_to_a_char_boundary_in_order() {
    let original = envelope(PLANTED);
    let found = extracted("r.json", &original);
    let mut previous = 0;
    for offset in 0..=found.text.len() {
        let mapped = found.to_original(offset);
        assert!(original.is_char_boundary(mapped), "offset {offset} maps inside a char");
        assert!(mapped >= previous, "offset {offset} maps backwards");
        previous = mapped;
    }
}

/// A JSON string body for `text`, writing each char plainly or as `\u` escapes as `escaped` says.
fn json_body(text: &[(char, bool)]) -> String {
    let mut body = String::new();
    for &(c, escaped) in text {
        match c {
            '"' => body.push_str("\\\""),
            '\\' => body.push_str("\\\\"),
            '\n' => body.push_str("\\n"),
            c if (c as u32) < 0x20 || escaped => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    body.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => body.push(c),
        }
    }
    body
}

proptest! {
    #[test]
    fn each_char_maps_to_the_json_text_that_spells_it(
        chars in prop::collection::vec((any::<char>(), any::<bool>()), 0..40)
    ) {
        let original = format!("{{\"playbook\":\"{}\"}}", json_body(&chars));
        let found = extract("r.json", &original).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let expected: String = chars.iter().map(|(c, _)| *c).collect();
        prop_assert_eq!(&found.text, &expected);
        for (start, c) in found.text.char_indices() {
            let span = found.span_to_original(Span::new(start, start + c.len_utf8()));
            let spelled: String = serde_json::from_str(&format!("\"{}\"", &original[span.range()]))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(spelled, c.to_string());
        }
    }

    #[test]
    fn each_char_of_an_indented_fence_maps_to_itself(
        lines in prop::collection::vec("[a-z é☕\"]{0,12}", 1..8),
        indent in 0usize..6,
    ) {
        let pad = " ".repeat(indent);
        let body: String = lines.iter().map(|line| format!("{pad}{line}\n")).collect();
        let original = format!("- item\n{pad}```escher\n{pad}playbook p {{\n{body}{pad}```\n");
        let found = extract("a.md", &original).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (start, c) in found.text.char_indices() {
            let span = found.span_to_original(Span::new(start, start + c.len_utf8()));
            prop_assert_eq!(&original[span.range()], c.to_string());
        }
    }
}

/// A char-aligned span of `text` chosen by two fractions.
fn span_within(text: &str, a: f64, b: f64) -> Span {
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
    let pick = |f: f64| boundaries[((boundaries.len() - 1) as f64 * f) as usize];
    let (x, y) = (pick(a), pick(b));
    Span::new(x.min(y), x.max(y))
}

proptest! {
    #[test]
    fn any_edit_through_an_envelope_yields_the_edited_playbook(
        playbook in "[a-z é😀\"\\\n\t]{0,30}",
        replacement in "[a-z é😀\"\\\n\t]{0,10}",
        a in 0.0..1.0f64,
        b in 0.0..1.0f64,
    ) {
        let original = envelope(&playbook);
        let found = extract("r.json", &original).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let edit = TextEdit { span: span_within(&found.text, a, b), replacement };
        let edited = apply(&original, &found.edit_to_original(&edit));
        let reread: serde_json::Value =
            serde_json::from_str(&edited).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let intended = apply(&found.text, &edit);
        prop_assert_eq!(reread["playbook"].as_str(), Some(intended.as_str()));
    }

    #[test]
    fn any_edit_through_an_indented_fence_yields_the_edited_playbook(
        lines in prop::collection::vec(("[a-z é\"]{0,8}", 0usize..=4), 0..6),
        replacement in "[a-z é\n]{0,12}",
        a in 0.0..1.0f64,
        b in 0.0..1.0f64,
    ) {
        // Some lines are indented less than the fence, as models sometimes write them.
        let body: String =
            lines.iter().map(|(line, pad)| format!("{}{line}\n", " ".repeat(*pad))).collect();
        let original = format!("1. Run:\n    ```escher\n    playbook p {{\n{body}    ```\n");
        let found = extract("a.md", &original).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let edit = TextEdit { span: span_within(&found.text, a, b), replacement };
        let edited = apply(&original, &found.edit_to_original(&edit));
        let reread = extract("a.md", &edited).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(reread.text, apply(&found.text, &edit));
    }
}

// ---- Remapped diagnostics and fixes --------------------------------------------------------------------

#[test]
fn a_remapped_diagnostic_says_what_the_original_said() {
    let original = envelope(PLANTED);
    let found = extracted("r.json", &original);
    let inner = Diagnostic::new(EXTRACTED_FILE, parse_playbook(&found.text).errors[0].clone());
    let outer = remap(&inner, &found, ORIGINAL_FILE);
    assert_eq!(outer.code(), "E0103");
    assert_eq!(outer.message(), inner.message());
    assert_eq!(outer.help(), inner.help());
    assert_eq!(outer.severity(), inner.severity());
    assert_eq!(outer.labels()[0].1, inner.labels()[0].1);
}

#[test]
fn the_json_and_human_renderings_point_into_the_original_file() {
    let original = format!("```escher\n{PLANTED}```\n");
    let found = extracted("answer.md", &original);
    let mut sources = SourceMap::new();
    sources.add("<extracted>", found.text.clone());
    sources.add("answer.md", original.clone());
    let json = to_json(&planted_error(&found), &sources);
    assert_eq!(json.file, "answer.md");
    assert_eq!((json.spans[0].line_start, json.spans[0].column_start), (4, 21));
    let rendered = render_human(&planted_error(&found), &sources, false);
    assert!(rendered.contains("[answer.md:4:"), "{rendered}");
    assert!(rendered.contains("let note = \"naïve \\q end\""), "{rendered}");
}

#[test]
fn a_fix_applied_to_the_envelope_yields_valid_json_with_the_intended_playbook() {
    let original = envelope(PLANTED);
    let found = extracted("r.json", &original);
    let errors = parse_playbook(&found.text).errors;
    let at = Diagnostic::new(EXTRACTED_FILE, errors[0].clone()).primary_span();
    let replacement = "\\\"q\\\" é\\t";
    let fixed = Diagnostic::new(EXTRACTED_FILE, errors[0].clone()).with_fix(Fix::replace("quote it", at, replacement));
    let intended = apply(&found.text, &TextEdit { span: at, replacement: replacement.into() });

    let remapped = remap(&fixed, &found, ORIGINAL_FILE);
    let edited = apply(&original, &remapped.fixes[0].edits[0]);
    let reread: serde_json::Value = serde_json::from_str(&edited).expect("still valid JSON");
    assert_eq!(reread["playbook"].as_str(), Some(intended.as_str()));
    assert!(parse_playbook(&intended).errors.is_empty());
    assert_eq!(reread["explanation"], "Stops the dev VMs.");
}

#[test]
fn fixes_in_an_indented_fence_keep_the_block_indented() {
    let indented: String = PLANTED.lines().map(|line| format!("    {line}\n")).collect();
    let original = format!("* Here:\n\n    ```escher\n{indented}    ```\n");
    let found = extracted("a.md", &original);
    let text = &found.text;
    let line_two = text.find("  let").expect("the let line");
    let after_let = text[line_two..].find('\n').expect("its end") + line_two + 1;
    let edits = [
        TextEdit { span: Span::empty_at(line_two), replacement: "  let a = 1\n".into() },
        TextEdit { span: Span::new(line_two, after_let), replacement: "  let b = 2\n  let c = 3\n".into() },
        TextEdit { span: Span::new(after_let - 1, after_let), replacement: " ".into() },
        TextEdit { span: Span::empty_at(text.len()), replacement: "// end\n".into() },
    ];
    for edit in edits {
        let intended = apply(text, &edit);
        let edited = apply(&original, &found.edit_to_original(&edit));
        assert_eq!(extracted("a.md", &edited).text, intended, "after {edit:?}");
        assert!(edited.lines().skip(3).all(|l| l.is_empty() || l.starts_with("    ")), "{edited}");
    }
}

// ---- Refusals -----------------------------------------------------------------------------------------

fn label_text<'a>(diagnostic: &Diagnostic, original: &'a str) -> &'a str {
    &original[diagnostic.primary_span().range()]
}

#[test]
fn markdown_without_any_fence_is_refused() {
    let original = "I could not write that playbook.\nSorry.";
    let error = refused("a.md", original);
    assert_eq!(error.code(), "E0701");
    assert_eq!(label_text(&error, original), "I could not write that playbook.");
}

#[test]
fn markdown_whose_fences_hold_no_playbook_points_at_the_first_fence() {
    let original = "Try:\n```bash\nescher check x.esc\n```\n";
    let error = refused("a.md", original);
    assert_eq!(error.code(), "E0701");
    assert_eq!(label_text(&error, original), "```bash");
    assert!(error.labels()[0].1.as_deref().is_some_and(|l| l.contains("1 fenced block here")));
}

#[test]
fn invalid_json_is_refused_at_the_offending_char() {
    let original = "{\n  \"playbook\": \"p\",\n  \"risk_level\": é\n}";
    let error = refused("r.json", original);
    assert_eq!(error.code(), "E0702");
    assert_eq!(label_text(&error, original), "é");
    assert!(!error.message().contains("line 3"), "the position is in the span: {}", error.message());
}

#[test]
fn json_that_ends_early_is_refused_at_its_end() {
    let original = "{\"playbook\": \"playbook p {\\n}\"  \n";
    let error = refused("r.json", original);
    assert_eq!(error.code(), "E0702");
    assert_eq!(error.primary_span(), Span::empty_at(original.trim_end().len()));
}

#[test]
fn an_envelope_without_a_playbook_is_refused_at_its_brace() {
    let original = "  {\"response_type\": \"execution\"}";
    let error = refused("r.json", original);
    assert_eq!(error.code(), "E0703");
    assert_eq!(error.primary_span(), Span::new(2, 3));
}

#[test]
fn a_playbook_that_is_not_a_string_is_refused_at_its_value() {
    let original = r#"{"playbook": {"name": "p"}}"#;
    let error = refused("r.json", original);
    assert_eq!(error.code(), "E0703");
    assert_eq!(label_text(&error, original), r#"{"name": "p"}"#);
    assert!(error.labels()[0].1.as_deref().is_some_and(|l| l.contains("an object")));
}

#[test]
fn a_response_of_another_type_is_refused_at_its_type() {
    let original = r#"{"response_type": "clarification", "message": "Which region?"}"#;
    let error = refused("r.json", original);
    assert_eq!(error.code(), "E0704");
    assert_eq!(label_text(&error, original), "\"clarification\"");
    assert!(matches!(extract("r.json", original), Err(InputError::NotAPlaybookResponse { .. })));
}

#[test]
fn playbook_responses_in_any_case_are_read() {
    let original = r#"{"response_type": "Playbook", "playbook": "playbook p {}"}"#;
    assert_eq!(extracted("r.json", original).text, "playbook p {}");
}

#[test]
fn json_that_is_not_an_object_is_refused() {
    let original = " [\"playbook p {}\"]";
    let error = refused("r.json", original);
    assert_eq!(error.code(), "E0705");
    assert_eq!(label_text(&error, original), "[");
}
