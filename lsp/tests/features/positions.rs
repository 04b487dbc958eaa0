//! Positions on lines with multi-byte text, in both encodings.

use serde_json::json;

use crate::support::{Client, URI};

const TEXT: &str =
    "playbook p {\n  step s = report.summary(\"☕🚀 é\", values = { a: len(\"x\") }) { retry = 99 }\n}\n";

fn retry_diagnostic(encodings: &[&str]) -> serde_json::Value {
    let (mut client, _) = Client::start(encodings);
    client.open(URI, TEXT);
    let diagnostics = client.diagnostics(URI)["diagnostics"].clone();
    client.shutdown();
    diagnostics[0]["range"].clone()
}

#[test]
fn utf16_columns_count_a_rocket_as_two_units() {
    let line = TEXT.lines().nth(1).expect("a second line");
    let value = line.find("99").expect("present");
    let utf16: usize = line[..value].chars().map(char::len_utf16).sum();
    assert_eq!(retry_diagnostic(&[])["start"], json!({ "line": 1, "character": utf16 }));
    assert_eq!(utf16, value - 5, "☕ (3 bytes, 1 unit), 🚀 (4 bytes, 2 units) and é (2 bytes, 1 unit)");
}

#[test]
fn utf8_columns_count_bytes() {
    let line = TEXT.lines().nth(1).expect("a second line");
    let value = line.find("99").expect("present");
    assert_eq!(retry_diagnostic(&["utf-8"])["start"], json!({ "line": 1, "character": value }));
}

#[test]
fn a_hover_after_multi_byte_text_finds_the_name_in_either_encoding() {
    let utf16 = |s: &str| s.chars().map(char::len_utf16).sum::<usize>();
    let utf8 = |s: &str| s.len();
    type UnitCount<'a> = &'a dyn Fn(&str) -> usize;
    let cases: [(&[&str], UnitCount); 2] = [(&[], &utf16), (&["utf-8"], &utf8)];
    for (encodings, unit_count) in cases {
        let (mut client, _) = Client::start(encodings);
        client.open(URI, TEXT);
        let line = TEXT.lines().nth(1).expect("a second line");
        let character = unit_count(&line[..line.find("values").expect("present") + 1]);
        let params = json!({ "textDocument": { "uri": URI }, "position": { "line": 1, "character": character } });
        let hover = client.request("textDocument/hover", params);
        assert_eq!(hover["range"]["start"]["character"], json!(character - 1), "{encodings:?}");
        client.shutdown();
    }
}
