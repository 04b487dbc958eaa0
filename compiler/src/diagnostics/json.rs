//! JSON diagnostics in rustc's field names (`message`, `code`, `level`, `spans[]`, `children[]`, `rendered`),
//! plus `fixes` as plain text edits. Byte offsets are the truth; columns count chars and are 1-based.

use serde::Serialize;

use super::model::{Applicability, Diagnostic};
use super::render::render_human;
use crate::source::SourceMap;
use crate::span::Span;

#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    pub message: String,
    pub code: String,
    pub level: &'static str,
    pub file: String,
    pub spans: Vec<JsonSpan>,
    pub help: Option<String>,
    pub children: Vec<JsonChild>,
    pub fixes: Vec<JsonFix>,
    /// The unit of every `column_*` field.
    pub column_unit: &'static str,
    pub rendered: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonSpan {
    pub file_name: String,
    pub byte_start: usize,
    pub byte_end: usize,
    pub line_start: usize,
    pub line_end: usize,
    pub column_start: usize,
    pub column_end: usize,
    pub is_primary: bool,
    pub label: Option<String>,
    pub suggested_replacement: Option<String>,
    pub suggestion_applicability: Option<Applicability>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonChild {
    pub message: String,
    pub level: &'static str,
    pub spans: Vec<JsonSpan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonFix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<JsonSpan>,
}

fn json_span(sources: &SourceMap, diagnostic: &Diagnostic, span: Span) -> JsonSpan {
    let file = sources.get(diagnostic.file);
    let start = sources.line_column(diagnostic.file, span.start as usize);
    let end = sources.line_column(diagnostic.file, span.end as usize);
    JsonSpan {
        file_name: file.name.clone(),
        byte_start: span.start as usize,
        byte_end: span.end as usize,
        line_start: start.line,
        line_end: end.line,
        column_start: start.column,
        column_end: end.column,
        is_primary: false,
        label: None,
        suggested_replacement: None,
        suggestion_applicability: None,
    }
}

/// Converts a diagnostic to its JSON form.
pub fn to_json(diagnostic: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    let spans = diagnostic
        .labels()
        .into_iter()
        .enumerate()
        .map(|(i, (span, label))| JsonSpan { is_primary: i == 0, label, ..json_span(sources, diagnostic, span) })
        .collect();
    let mut children = Vec::new();
    if let Some(help) = diagnostic.help() {
        children.push(JsonChild { message: help.clone(), level: "help", spans: Vec::new() });
    }
    let fixes: Vec<JsonFix> = diagnostic
        .fixes
        .iter()
        .map(|fix| JsonFix {
            message: fix.message.clone(),
            applicability: fix.applicability,
            edits: fix
                .edits
                .iter()
                .map(|edit| JsonSpan {
                    suggested_replacement: Some(edit.replacement.clone()),
                    suggestion_applicability: Some(fix.applicability),
                    ..json_span(sources, diagnostic, edit.span)
                })
                .collect(),
        })
        .collect();
    children.extend(fixes.iter().map(|fix| JsonChild {
        message: fix.message.clone(),
        level: "help",
        spans: fix.edits.clone(),
    }));
    JsonDiagnostic {
        message: diagnostic.message(),
        code: diagnostic.code(),
        level: diagnostic.severity().as_str(),
        file: sources.get(diagnostic.file).name.clone(),
        spans,
        help: diagnostic.help(),
        children,
        fixes,
        column_unit: "char",
        rendered: render_human(diagnostic, sources, false),
    }
}
