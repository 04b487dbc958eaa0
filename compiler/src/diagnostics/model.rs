//! A diagnostic: a phase's error with the file it points into, its severity and its fixes.

use std::sync::Arc;

use crate::span::{FileId, Span};

/// How sure a fix is, in rustc's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Applicability {
    MachineApplicable,
    MaybeIncorrect,
    HasPlaceholders,
    Unspecified,
}

/// One replacement of a byte range of the diagnostic's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub replacement: String,
}

/// A suggested change that would resolve a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<TextEdit>,
    pub applicability: Applicability,
}

impl Fix {
    /// A single machine-applicable replacement.
    pub fn replace(message: impl Into<String>, span: Span, replacement: impl Into<String>) -> Self {
        Fix {
            message: message.into(),
            edits: vec![TextEdit { span, replacement: replacement.into() }],
            applicability: Applicability::MachineApplicable,
        }
    }

    pub fn with_applicability(mut self, applicability: Applicability) -> Self {
        self.applicability = applicability;
        self
    }
}

/// The error type every phase enum converts into.
pub type PhaseError = dyn miette::Diagnostic + Send + Sync + 'static;

/// A diagnostic from any phase, located in one file.
#[derive(Clone)]
pub struct Diagnostic {
    pub file: FileId,
    pub error: Arc<PhaseError>,
    pub fixes: Vec<Fix>,
}

impl std::fmt::Debug for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Diagnostic")
            .field("code", &self.code())
            .field("message", &self.message())
            .field("file", &self.file)
            .finish()
    }
}

impl Diagnostic {
    pub fn new(file: FileId, error: impl miette::Diagnostic + Send + Sync + 'static) -> Self {
        Diagnostic { file, error: Arc::new(error), fixes: Vec::new() }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    pub fn with_fixes(mut self, fixes: impl IntoIterator<Item = Fix>) -> Self {
        self.fixes.extend(fixes);
        self
    }

    /// The stable code, such as `E0201`.
    pub fn code(&self) -> String {
        self.error.code().map(|c| c.to_string()).unwrap_or_default()
    }

    pub fn message(&self) -> String {
        self.error.to_string()
    }

    pub fn severity(&self) -> Severity {
        match self.error.severity() {
            Some(miette::Severity::Warning) => Severity::Warning,
            Some(miette::Severity::Advice) => Severity::Note,
            _ => Severity::Error,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    pub fn help(&self) -> Option<String> {
        self.error.help().map(|h| h.to_string())
    }

    /// The labelled spans; the first one is the primary span.
    pub fn labels(&self) -> Vec<(Span, Option<String>)> {
        self.error
            .labels()
            .map(|labels| {
                labels.map(|l| (Span::new(l.offset(), l.offset() + l.len()), l.label().map(str::to_string))).collect()
            })
            .unwrap_or_default()
    }

    pub fn primary_span(&self) -> Span {
        self.labels().first().map_or(Span::default(), |(span, _)| *span)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Diagnostics collected over a compilation, in the order they were found.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Orders by file and position so output is stable whatever order the passes found things in.
    pub fn sort(&mut self) {
        self.0.sort_by_key(|d| (d.file, d.primary_span().start, d.primary_span().end));
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
