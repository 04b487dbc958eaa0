//! A diagnostic of an extracted playbook, moved into the original text it was extracted from.

use std::fmt;
use std::sync::Arc;

use miette::LabeledSpan;

use super::extract::Extracted;
use crate::diagnostics::{Diagnostic, Fix, PhaseError};
use crate::span::{FileId, Span};

/// `diagnostic`, found in `extracted.text`, as a diagnostic of `original_file`: the same code, severity,
/// message and help, with every label and every fix's edits mapped into the original.
pub fn remap(diagnostic: &Diagnostic, extracted: &Extracted, original_file: FileId) -> Diagnostic {
    let fixes = diagnostic
        .fixes
        .iter()
        .map(|fix| Fix {
            edits: fix.edits.iter().map(|edit| extracted.edit_to_original(edit)).collect(),
            ..fix.clone()
        })
        .collect();
    let remapped = Remapped {
        labels: map_labels(diagnostic.error.as_ref(), extracted),
        related: diagnostic
            .error
            .related()
            .map(|related| related.map(|r| RelatedCopy::new(r, extracted)).collect())
            .unwrap_or_default(),
        inner: Arc::clone(&diagnostic.error),
    };
    Diagnostic { file: original_file, error: Arc::new(remapped), fixes }
}

fn map_labels(error: &dyn miette::Diagnostic, extracted: &Extracted) -> Vec<LabeledSpan> {
    let Some(labels) = error.labels() else {
        return Vec::new();
    };
    labels
        .map(|label| {
            let span = Span::new(label.offset(), label.offset() + label.len());
            let mapped = extracted.span_to_original(span);
            let text = label.label().map(str::to_string);
            if label.primary() {
                LabeledSpan::new_primary_with_span(text, mapped)
            } else {
                LabeledSpan::new_with_span(text, mapped)
            }
        })
        .collect()
}

/// The inner error, delegated to, with its labels moved.
#[derive(Debug)]
struct Remapped {
    inner: Arc<PhaseError>,
    labels: Vec<LabeledSpan>,
    related: Vec<RelatedCopy>,
}

impl fmt::Display for Remapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for Remapped {}

impl miette::Diagnostic for Remapped {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.url()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

/// A related diagnostic, copied because it is only lent by its parent, with its labels moved.
#[derive(Debug)]
struct RelatedCopy {
    message: String,
    code: Option<String>,
    severity: Option<miette::Severity>,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<RelatedCopy>,
}

impl RelatedCopy {
    fn new(error: &dyn miette::Diagnostic, extracted: &Extracted) -> Self {
        RelatedCopy {
            message: error.to_string(),
            code: error.code().map(|c| c.to_string()),
            severity: error.severity(),
            help: error.help().map(|h| h.to_string()),
            labels: map_labels(error, extracted),
            related: error
                .related()
                .map(|related| related.map(|r| RelatedCopy::new(r, extracted)).collect())
                .unwrap_or_default(),
        }
    }
}

impl fmt::Display for RelatedCopy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedCopy {}

impl miette::Diagnostic for RelatedCopy {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.severity
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}
