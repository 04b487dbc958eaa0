//! Feeds arbitrary bytes to `compile_input` as AI output: it must not panic, every offset it reports must lie
//! inside the file it points into, on a char boundary, and human and JSON diagnostics must agree on positions.

#![no_main]

#[path = "common.rs"]
mod common;

use escher_compiler::{CompileOptions, NoImports, compile_input};
use libfuzzer_sys::fuzz_target;

/// The first byte picks how the input is named, so each reader (playbook, Markdown, envelope, sniffing) is reached.
const NAMES: [&str; 4] = ["answer.esc", "answer.md", "answer.json", "answer"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let text = String::from_utf8_lossy(rest);
    let compilation = compile_input(name, &text, &CompileOptions::check(&NoImports));
    common::assert_diagnostics_hold(&compilation);
});
