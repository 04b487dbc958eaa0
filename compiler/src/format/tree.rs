//! A file to its syntax tree, and a tree to its canonical text.

use super::{comments, printer, render};
use crate::span::Span;
use crate::syntax::ast::PlaybookFile;
use crate::syntax::{ParseError, parse_playbook};

/// The line width the layout aims for.
pub const MAX_WIDTH: usize = 100;

/// The file's syntax tree, if it parses without a single error.
pub(super) fn parse_cleanly(src: &str) -> Result<PlaybookFile, Vec<ParseError>> {
    let parsed = parse_playbook(src);
    match parsed.tree {
        Some(tree) if parsed.errors.is_empty() => Ok(tree),
        _ if !parsed.errors.is_empty() => Err(parsed.errors),
        // The parser reports why it has no tree; this only keeps that promise visible.
        _ => Err(vec![ParseError::Unexpected {
            expected: "a playbook".into(),
            found: "nothing".into(),
            help: "write `playbook NAME { ... }`".into(),
            span: Span::empty_at(0).into(),
        }]),
    }
}

pub(super) fn format_tree(src: &str, file: &PlaybookFile) -> String {
    let found = comments::collect_comments(src, &comments::script_bodies(file));
    let mut printer = printer::Printer::new(src, found);
    let doc = printer.file(file);
    render::render(&doc, MAX_WIDTH)
}
