//! What a rule reports, and the diagnostic it becomes once its rule and level are known.

use std::fmt;

use miette::LabeledSpan;

use super::Rule;
use crate::diagnostics::Severity;
use crate::span::Span;

/// One finding of a rule: where, what, and what to do about it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub span: Span,
    pub message: String,
    /// The primary label, under the span.
    pub label: String,
    pub help: String,
    /// Other places worth showing, each with its label.
    pub also: Vec<(Span, String)>,
}

impl Finding {
    pub fn new(span: Span, message: impl Into<String>, label: impl Into<String>, help: impl Into<String>) -> Self {
        Finding { span, message: message.into(), label: label.into(), help: help.into(), also: Vec::new() }
    }

    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.also.push((span, label.into()));
        self
    }
}

/// A finding as a diagnostic: its rule's id is its code, its level its severity.
#[derive(Debug)]
pub struct LintDiagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub finding: Finding,
}

impl fmt::Display for LintDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for LintDiagnostic {}

impl miette::Diagnostic for LintDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.rule.id))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.finding.help))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(Some(self.finding.label.clone()), self.finding.span);
        let others =
            self.finding.also.iter().map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}
