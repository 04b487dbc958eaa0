//! Printing diagnostics: rendered text on stderr, or one rustc-style JSON object per line on stdout.

use escher_compiler::Compilation;
use escher_compiler::diagnostics::{Severity, render_human, to_json};

use super::Format;

/// Prints a compilation's diagnostics; returns (errors, warnings).
pub fn print_diagnostics(compilation: &Compilation, format: Format, color: bool) -> (usize, usize) {
    let mut errors = 0;
    let mut warnings = 0;
    for diagnostic in compilation.diagnostics.iter() {
        match diagnostic.severity() {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Note => {}
        }
        match format {
            Format::Human => eprint!("{}", render_human(diagnostic, &compilation.sources, color)),
            Format::Json => {
                let json = to_json(diagnostic, &compilation.sources);
                outln!("{}", serde_json::to_string(&json).unwrap_or_default());
            }
        }
    }
    (errors, warnings)
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
