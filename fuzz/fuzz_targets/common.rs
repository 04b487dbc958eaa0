//! What every fuzz target asserts of a compilation, whatever it was given: every offset lies inside the file it
//! points into, on char boundaries, and a diagnostic's human rendering names the same line and column as its JSON.

use escher_compiler::diagnostics::{render_human, to_json};
use escher_compiler::{Compilation, Span};

pub fn assert_diagnostics_hold(compilation: &Compilation) {
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
        let json = to_json(diagnostic, &compilation.sources);
        let human = render_human(diagnostic, &compilation.sources, false);
        if let Some(primary) = json.spans.iter().find(|span| span.is_primary) {
            // The header `[file:line:col]`, or `at file:line:col` where the line is too long to show.
            let location = format!("{}:{}:{}", json.file, primary.line_start, primary.column_start);
            assert!(
                human.contains(&location),
                "{}: the JSON says line {} column {}, the human rendering says otherwise:\n{human}",
                diagnostic.code(),
                primary.line_start,
                primary.column_start
            );
        }
    }
}

fn is_sound(text: &str, span: Span) -> bool {
    let (start, end) = (span.start as usize, span.end as usize);
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}
