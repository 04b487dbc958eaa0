//! Finding the playbook in the text it arrived in, and mapping what is found in it back to that text.

use super::envelope::{self, Claims};
use super::error::InputError;
use super::offset_map::OffsetMap;
use super::{json_string, markdown};

use crate::diagnostics::TextEdit;
use crate::span::{Span, floor_char_boundary};

/// The form a playbook arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Playbook source as it is.
    Playbook,
    /// A Markdown answer with the playbook in a fenced code block.
    Markdown,
    /// The AI server's JSON response envelope, with the playbook in its `playbook` string.
    Envelope,
}

impl InputKind {
    /// The kind named by `name`'s extension (`.esc`; `.md` or `.markdown`; `.json`), else the kind the text
    /// looks like: an object is an envelope, text with a code fence is Markdown, anything else a playbook.
    pub fn detect(name: &str, text: &str) -> InputKind {
        let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
        match extension.as_deref() {
            Some("esc") => InputKind::Playbook,
            Some("md" | "markdown") => InputKind::Markdown,
            Some("json") => InputKind::Envelope,
            _ if text.trim_start().starts_with('{') => InputKind::Envelope,
            _ if markdown::has_fence(text) => InputKind::Markdown,
            _ => InputKind::Playbook,
        }
    }
}

/// How text written into the extracted playbook must be written into the original.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Encoding {
    /// As it is.
    Verbatim,
    /// Inside a fence indented by this whitespace: new lines get it back.
    Indented(String),
    /// Inside a JSON string literal: escaped.
    JsonString,
}

/// A playbook taken out of the text it arrived in.
#[derive(Debug, Clone)]
pub struct Extracted {
    /// The playbook source, ready for the parser.
    pub text: String,
    pub kind: InputKind,
    /// What an envelope claimed about the playbook; `None` for other kinds.
    pub claims: Option<Claims>,
    map: OffsetMap,
    encoding: Encoding,
}

/// Finds the playbook in `original`, of the kind [`InputKind::detect`] gives for `name`.
pub fn extract(name: &str, original: &str) -> Result<Extracted, InputError> {
    match InputKind::detect(name, original) {
        InputKind::Playbook => Ok(Extracted {
            text: original.to_string(),
            kind: InputKind::Playbook,
            claims: None,
            map: OffsetMap::identity(original.len()),
            encoding: Encoding::Verbatim,
        }),
        InputKind::Markdown => {
            let fence = markdown::playbook_block(original)?;
            let encoding = if fence.indent.is_empty() { Encoding::Verbatim } else { Encoding::Indented(fence.indent) };
            Ok(Extracted { text: fence.content, kind: InputKind::Markdown, claims: None, map: fence.map, encoding })
        }
        InputKind::Envelope => {
            let (playbook, claims) = envelope::read(original)?;
            Ok(Extracted {
                text: playbook.text,
                kind: InputKind::Envelope,
                claims: Some(claims),
                map: playbook.map,
                encoding: Encoding::JsonString,
            })
        }
    }
}

impl Extracted {
    /// The original offset of the extracted char at `offset`. An offset inside a char, or inside the escape
    /// that char was written as, moves back to where that char starts in the original.
    pub fn to_original(&self, offset: usize) -> usize {
        self.map.start_of(floor_char_boundary(&self.text, offset))
    }

    /// The original span of an extracted span, widened to whole chars and whole escapes.
    pub fn span_to_original(&self, span: Span) -> Span {
        let start = self.to_original(span.start as usize);
        if span.is_empty() {
            return Span::new(start, start);
        }
        let end = self.map.end_of(ceil_char_boundary(&self.text, span.end as usize));
        Span::new(start, end.max(start))
    }

    /// An edit of the extracted playbook as an edit of the original: applying it there yields a text that
    /// extracts to the edited playbook. Replacements are JSON-escaped inside an envelope and re-indented
    /// inside an indented fence.
    pub fn edit_to_original(&self, edit: &TextEdit) -> TextEdit {
        let start = floor_char_boundary(&self.text, edit.span.start as usize);
        let end = ceil_char_boundary(&self.text, edit.span.end as usize).max(start);
        let original_start = self.map.start_of(start);
        // The end is where the next kept char starts, so a removed line break takes the following line's
        // stripped indentation with it; the replacement puts indentation back after its own line breaks.
        let original_end = if end == start { original_start } else { self.map.start_of(end) };
        let replacement = match &self.encoding {
            Encoding::Verbatim => edit.replacement.clone(),
            Encoding::JsonString => json_string::escape(&edit.replacement),
            Encoding::Indented(indent) => {
                // At a line start, the original already holds whatever indentation was stripped there.
                let at_line_start = start == 0 || self.text[..start].ends_with('\n');
                let missing =
                    if at_line_start { indent.get(self.map.skipped_before(start)..).unwrap_or("") } else { "" };
                let body = reindent(&edit.replacement, indent, end == self.text.len());
                format!("{missing}{body}")
            }
        };
        TextEdit { span: Span::new(original_start, original_end.max(original_start)), replacement }
    }
}

/// `text` with `indent` after each line break, except a final one at the end of the block, where the
/// closing fence brings its own indentation.
fn reindent(text: &str, indent: &str, at_block_end: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i > 0 {
            out.push_str(indent);
        }
        out.push_str(line);
    }
    if text.ends_with('\n') && !at_block_end {
        out.push_str(indent);
    }
    out
}

/// The least char boundary at or above `offset`.
fn ceil_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}
