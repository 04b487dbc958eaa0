//! Human rendering through miette's graphical handler.

use miette::{GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents, SourceSpan, SpanContents};

use super::model::Diagnostic;
use crate::source::SourceMap;
use crate::span::LineIndex;

/// The line of `text` that holds `offset`.
fn line_around(text: &str, offset: usize) -> &str {
    let offset = crate::span::floor_char_boundary(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    &text[start..end]
}

/// A file's text as miette reads it, placed by its [`LineIndex`]: lines end at `\n` and columns count chars, so the
/// `file:line:col` header says what the JSON says. (miette itself counts bytes, and ends lines at a lone `\r`.)
struct SourceText<'a> {
    name: &'a str,
    text: &'a str,
    lines: &'a LineIndex,
}

impl miette::SourceCode for SourceText<'_> {
    /// miette finds a span's lines by reading the text from its start, once per label: rendering every
    /// diagnostic of a file with thousands of them took quadratic time. It is given only the lines it needs (one
    /// more each side than asked, so it finds the same context), and the line numbers come from the index.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset().min(self.text.len());
        let end = (start + span.len()).min(self.text.len());
        let first = self.lines.line_of(start).saturating_sub(context_lines_before + 1);
        let last = self.lines.line_of(end) + context_lines_after + 1;
        let from = self.lines.line_start(first, self.text);
        let window = &self.text[from..self.lines.line_start(last + 1, self.text)];
        let within = SourceSpan::new((start - from).into(), end - start);
        let contents = window.read_span(&within, context_lines_before, context_lines_after)?;
        let offset = from + contents.span().offset();
        let at = self.lines.line_column(self.text, offset);
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.to_string(),
                contents.data(),
                SourceSpan::new(offset.into(), contents.span().len()),
                at.line - 1,
                at.column - 1,
                contents.line_count(),
            )
            .with_language("escher"),
        ))
    }
}

/// A miette report over one diagnostic and its file's text.
struct WithSource<'a> {
    diagnostic: &'a Diagnostic,
    source: SourceText<'a>,
}

impl std::fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.diagnostic.fmt(f)
    }
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostic.message())
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic.error.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.diagnostic.error.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        let help = self.diagnostic.help();
        let fixes: Vec<String> = self.diagnostic.fixes.iter().map(|f| f.message.clone()).collect();
        match (help, fixes.is_empty()) {
            (None, true) => None,
            (Some(help), true) => Some(Box::new(help)),
            (help, false) => {
                let mut lines: Vec<String> = help.into_iter().collect();
                lines.extend(fixes.into_iter().map(|f| format!("fix: {f}")));
                Some(Box::new(lines.join("\n")))
            }
        }
    }
    /// The first label is the primary one, as in the JSON; miette is told so, since its header would otherwise
    /// give the position of whichever label comes first in the file.
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let labels = self.diagnostic.error.labels()?;
        Some(Box::new(labels.enumerate().map(|(index, label)| match index {
            0 => miette::LabeledSpan::new_primary_with_span(label.label().map(str::to_string), *label.inner()),
            _ => label,
        })))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        self.diagnostic.error.related()
    }
}

/// Lines longer than this are not drawn under a diagnostic: miette cannot pad past 65,535 columns, and nobody
/// reads such a line on a terminal anyway. The location is given instead.
const MAX_DRAWN_LINE: usize = 4096;

/// Renders a diagnostic as text. `color` selects ANSI colours; snapshots and pipes use `false`.
pub fn render_human(diagnostic: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let file = sources.get(diagnostic.file);
    let too_wide =
        diagnostic.labels().iter().any(|(span, _)| line_around(&file.text, span.start as usize).len() > MAX_DRAWN_LINE);
    if too_wide {
        let at = sources.line_column(diagnostic.file, diagnostic.primary_span().start as usize);
        let mut out = format!(
            "{}: {}\n  at {}:{}:{} (the line is too long to show)\n",
            diagnostic.code(),
            diagnostic.message(),
            file.name,
            at.line,
            at.column
        );
        if let Some(help) = diagnostic.help() {
            out.push_str(&format!("  help: {help}\n"));
        }
        return out;
    }
    let lines = sources.lines(diagnostic.file);
    let report = WithSource { diagnostic, source: SourceText { name: &file.name, text: &file.text, lines } };
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diagnostic.code(), diagnostic.message());
    }
    out
}
