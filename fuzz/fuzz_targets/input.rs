//! AI answers in the shapes the AI server sends: the fuzzed text wrapped in a Markdown fence (plain, indented or
//! in a list item, with prose around it) or in a JSON envelope, so the extraction and the remapping of positions
//! back into the answer are what is exercised, not the rejection of random bytes. Every diagnostic must point
//! inside the answer, on char boundaries, with the same line and column in its human and JSON forms.

#![no_main]

#[path = "common.rs"]
mod common;

use escher_compiler::{CompileOptions, NoImports, compile_input};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let playbook = String::from_utf8_lossy(rest);
    let (name, answer) = match selector % 5 {
        0 => ("answer.md", format!("Here is the playbook:\n\n```escher\n{playbook}\n```\n\nRun it with care.\n")),
        1 => ("answer.md", format!("Steps:\n\n    ```escher\n{}\n    ```\n", indent(&playbook, "    "))),
        2 => ("answer.md", format!("1. The playbook:\n\n   ```esc\n{}\n   ```\n", indent(&playbook, "   "))),
        3 => ("answer.json", envelope(&playbook, false)),
        _ => ("answer", envelope(&playbook, true)),
    };
    let compilation = compile_input(name, &answer, &CompileOptions::check(&NoImports));
    common::assert_diagnostics_hold(&compilation);
});

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|line| format!("{by}{line}")).collect::<Vec<_>>().join("\n")
}

/// A response envelope holding the playbook as a JSON string, with claims a model might make about it.
fn envelope(playbook: &str, pretty: bool) -> String {
    let escaped = json_string(playbook);
    if pretty {
        format!(
            "{{\n  \"response_type\": \"execution\",\n  \"risk_level\": \"low\",\n  \"requires_approval\": false,\n  \
             \"playbook\": {escaped}\n}}\n"
        )
    } else {
        format!("{{\"response_type\":\"playbook\",\"risk_level\":\"high\",\"playbook\":{escaped}}}")
    }
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
