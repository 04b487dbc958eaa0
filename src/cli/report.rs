//! Printing diagnostics: rendered text on stderr, or one rustc-style JSON object per line on stdout (on stderr when
//! stdout carries another JSON document).

use escher_compiler::Compilation;
use escher_compiler::diagnostics::{Severity, render_human, to_json};

use super::Format;

/// Prints a compilation's diagnostics; returns (errors, warnings).
pub fn print_diagnostics(compilation: &Compilation, format: Format, color: bool) -> (usize, usize) {
    print_diagnostics_to(compilation, format, color, JsonTo::Stdout)
}

/// Prints a compilation's diagnostics all on stderr, JSON lines too, for a command whose stdout is one JSON
/// document of its own (`plan --format json`); returns (errors, warnings).
pub fn print_diagnostics_beside_json(compilation: &Compilation, color: bool) -> (usize, usize) {
    print_diagnostics_to(compilation, Format::Json, color, JsonTo::Stderr)
}

/// Where JSON diagnostics go: stdout when they are the command's output, stderr when they are not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JsonTo {
    Stdout,
    Stderr,
}

fn print_diagnostics_to(compilation: &Compilation, format: Format, color: bool, json_to: JsonTo) -> (usize, usize) {
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
                let json = serde_json::to_string(&to_json(diagnostic, &compilation.sources)).unwrap_or_default();
                match json_to {
                    JsonTo::Stdout => outln!("{json}"),
                    JsonTo::Stderr => eprintln!("{json}"),
                }
            }
        }
    }
    (errors, warnings)
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
