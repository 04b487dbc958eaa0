//! The compiler's diagnostics as LSP diagnostics: code, range, severity, help, and every other label as related
//! information.

use escher_compiler::diagnostics::{Diagnostic as CompilerDiagnostic, Severity};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, PublishDiagnosticsParams,
};

use crate::analysis::Analysis;
use crate::world::Document;

/// What the client is sent for one version of a document.
pub fn publish(document: &Document, analysis: &Analysis) -> PublishDiagnosticsParams {
    let diagnostics = own_diagnostics(analysis).map(|d| to_lsp(document, d)).collect();
    PublishDiagnosticsParams { uri: document.uri.clone(), diagnostics, version: Some(document.version) }
}

/// The diagnostics that point into the document itself; an imported file's are shown when it is open.
pub fn own_diagnostics(analysis: &Analysis) -> impl Iterator<Item = &CompilerDiagnostic> {
    let main = analysis.compilation.main;
    analysis.compilation.diagnostics.iter().filter(move |d| d.file == main)
}

pub fn to_lsp(document: &Document, diagnostic: &CompilerDiagnostic) -> Diagnostic {
    let text = &document.text;
    let labels = diagnostic.labels();
    let related: Vec<DiagnosticRelatedInformation> = labels
        .iter()
        .skip(1)
        .map(|(span, label)| DiagnosticRelatedInformation {
            location: Location { uri: document.uri.clone(), range: document.lines.range(text, *span) },
            message: label.clone().unwrap_or_else(|| "related".to_string()),
        })
        .collect();
    let mut message = diagnostic.message();
    if let Some((_, Some(label))) = labels.first() {
        message.push_str(&format!("\n{label}"));
    }
    if let Some(help) = diagnostic.help() {
        message.push_str(&format!("\nhelp: {help}"));
    }
    Diagnostic {
        range: document.lines.range(text, diagnostic.primary_span()),
        severity: Some(match diagnostic.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(diagnostic.code())),
        source: Some("escher".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}
