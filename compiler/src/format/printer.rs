//! The printer's state and how comments are placed: every comment is printed in a gap, a place between two pieces
//! of code where the layout may break the line. The gap before a piece of code takes every comment not yet
//! printed that starts before that code, so comments keep their order and none is lost or printed twice.

use super::comments::{Comment, blank_line_before};
use super::doc::{Doc, concat, group, hardline, if_broken, indent, line, softline, text, trailing_comment};

pub(crate) struct Printer<'s> {
    pub(super) src: &'s str,
    comments: Vec<Comment>,
    /// The first comment not printed yet.
    next_comment: usize,
    /// Inside `${...}` the line cannot break, so comments wait for the first gap after the string.
    flat_depth: usize,
}

/// The break a gap makes when no comment sits in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Break {
    /// Nothing when flat (after `(` and `[`).
    Soft,
    /// A space when flat (between elements, inside `{ }`).
    Space,
    /// Always a new line (between members).
    Hard,
}

/// Whether the first line a gap starts is preceded by an empty line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Blank {
    Never,
    /// Where the author left one.
    Keep,
    Always,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Gap {
    line: Break,
    /// The comments are indented one level deeper than the code after the gap (before a closing bracket).
    comments_inside: bool,
    /// `None` inside brackets, where blank lines are not kept.
    blank_first: Option<Blank>,
    /// The code after the gap may be preceded by an empty line (not a closing brace).
    blank_before_code: bool,
}

impl Gap {
    /// Before an element of a bracketed list.
    pub fn element(line: Break) -> Gap {
        Gap { line, comments_inside: false, blank_first: None, blank_before_code: false }
    }

    /// Before the closing bracket of a list.
    pub fn close(line: Break) -> Gap {
        Gap { line, comments_inside: true, blank_first: None, blank_before_code: false }
    }

    /// Before a member, a `use` or the playbook, each on its own line.
    pub fn member(first: Blank) -> Gap {
        Gap { line: Break::Hard, comments_inside: false, blank_first: Some(first), blank_before_code: true }
    }

    /// Before the brace that closes the playbook.
    pub fn block_end() -> Gap {
        Gap { line: Break::Hard, comments_inside: true, blank_first: Some(Blank::Keep), blank_before_code: false }
    }

    fn blank(self, first_line: bool, in_source: bool) -> bool {
        match self.blank_first {
            None => false,
            Some(Blank::Never) if first_line => false,
            Some(Blank::Always) if first_line => true,
            Some(_) => in_source,
        }
    }

    fn default_break(self) -> Doc {
        match self.line {
            Break::Soft => softline(),
            Break::Space => line(),
            Break::Hard => hardline(false),
        }
    }
}

/// The brackets around a list of items: their text, where the closing one stands in the source, and the flat
/// space just inside them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Brackets {
    pub open: &'static str,
    pub close: &'static str,
    pub close_pos: usize,
    pub pad: Break,
}

impl Brackets {
    /// `( )`, `[ ]` and `< >` hug their items: `f(a, b)`.
    pub fn tight(open: &'static str, close: &'static str, close_pos: usize) -> Brackets {
        Brackets { open, close, close_pos, pad: Break::Soft }
    }

    /// Braces are spaced: `{ a: 1 }`.
    pub fn braces(close_pos: usize) -> Brackets {
        Brackets { open: "{", close: "}", close_pos, pad: Break::Space }
    }
}

impl<'s> Printer<'s> {
    pub fn new(src: &'s str, comments: Vec<Comment>) -> Self {
        Printer { src, comments, next_comment: 0, flat_depth: 0 }
    }

    /// The break before the code at `pos`, with the comments that precede that code.
    pub(super) fn gap(&mut self, pos: usize, gap: Gap) -> Doc {
        let comments = self.take_comments_before(pos);
        if comments.is_empty() && gap.line != Break::Hard {
            return gap.default_break();
        }
        let mut lines = Vec::new();
        let mut first_line = true;
        let mut after_file_docs = false;
        for (i, comment) in comments.iter().enumerate() {
            if i == 0 && comment.trailing {
                lines.push(trailing_comment(&comment.text));
                continue;
            }
            // The file's docs are set apart from what they document by one empty line.
            let blank = (after_file_docs && !comment.is_file_doc()) || gap.blank(first_line, comment.blank_before);
            lines.push(hardline(blank));
            lines.push(text(comment.text.clone()));
            first_line = false;
            after_file_docs = comment.is_file_doc();
        }
        let code_blank =
            after_file_docs || (gap.blank_before_code && gap.blank(first_line, blank_line_before(self.src, pos)));
        let lines = if gap.comments_inside { indent(concat(lines)) } else { concat(lines) };
        concat([lines, hardline(code_blank)])
    }

    /// `sign value`, as in ` = 3` or `: 3`. Comments between the sign and the value go right after the sign,
    /// and the value moves to its own line, indented, after them.
    pub(super) fn assigned(&mut self, sign: &str, value_start: usize, value: impl FnOnce(&mut Self) -> Doc) -> Doc {
        let comments = self.take_comments_before(value_start);
        if comments.is_empty() {
            return concat([text(format!("{sign} ")), value(self)]);
        }
        let mut lines = Vec::new();
        for (i, comment) in comments.iter().enumerate() {
            if i == 0 && comment.trailing {
                lines.push(trailing_comment(&comment.text));
            } else {
                lines.push(hardline(false));
                lines.push(text(comment.text.clone()));
            }
        }
        lines.push(hardline(false));
        lines.push(value(self));
        concat([text(sign.to_string()), indent(concat(lines))])
    }

    /// `open items close` with a gap before each item and before `close`; when broken, one item per line and a
    /// trailing comma. The caller groups the result.
    pub(super) fn delimited<T>(
        &mut self,
        brackets: Brackets,
        items: &[T],
        start_of: impl Fn(&T) -> usize,
        mut item: impl FnMut(&mut Self, &T) -> Doc,
    ) -> Doc {
        let Brackets { open, close, close_pos, pad } = brackets;
        let mut inner = Vec::new();
        for (i, element) in items.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
            }
            let line = if i == 0 { pad } else { Break::Space };
            inner.push(self.gap(start_of(element), Gap::element(line)));
            inner.push(item(self, element));
        }
        if items.is_empty() {
            // Empty brackets break only for a comment inside them, whatever their surroundings do.
            let closing = self.gap(close_pos, Gap::close(Break::Soft));
            return group(concat([text(open), closing, text(close)]));
        }
        inner.push(if_broken(","));
        let closing = self.gap(close_pos, Gap::close(pad));
        concat([text(open), indent(concat(inner)), closing, text(close)])
    }

    /// Builds the inside of a string interpolation, which must stay on one line.
    pub(super) fn on_one_line(&mut self, build: impl FnOnce(&mut Self) -> Doc) -> Doc {
        self.flat_depth += 1;
        let doc = build(self);
        self.flat_depth -= 1;
        doc
    }

    fn take_comments_before(&mut self, pos: usize) -> Vec<Comment> {
        if self.flat_depth > 0 {
            return Vec::new();
        }
        let first = self.next_comment;
        while self.comments.get(self.next_comment).is_some_and(|c| c.start < pos) {
            self.next_comment += 1;
        }
        self.comments[first..self.next_comment].to_vec()
    }
}
