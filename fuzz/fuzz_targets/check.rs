//! Feeds arbitrary bytes to `compile_input` as AI output: it must not panic, and every offset it reports must lie
//! inside the file it points into, on a char boundary.

#![no_main]

use escher_compiler::{Compilation, CompileOptions, NoImports, Span, compile_input};
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
    assert_offsets_are_sound(&compilation);
});

fn assert_offsets_are_sound(compilation: &Compilation) {
    for diagnostic in compilation.diagnostics.iter() {
        let Some((_, file)) = compilation.sources.iter().find(|(id, _)| *id == diagnostic.file) else {
            panic!("{} points into {:?}, which is not among the sources", diagnostic.code(), diagnostic.file);
        };
        let labels = diagnostic.labels().into_iter().map(|(span, _)| span);
        let edits = diagnostic.fixes.iter().flat_map(|fix| &fix.edits).map(|edit| edit.span);
        for span in labels.chain(edits) {
            assert!(
                is_sound(&file.text, span),
                "{} ({}): span {}..{} is not inside {:?} ({} bytes) on char boundaries",
                diagnostic.code(),
                diagnostic.message(),
                span.start,
                span.end,
                file.name,
                file.text.len()
            );
        }
        escher_compiler::diagnostics::to_json(diagnostic, &compilation.sources);
    }
}

fn is_sound(text: &str, span: Span) -> bool {
    let (start, end) = (span.start as usize, span.end as usize);
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}
