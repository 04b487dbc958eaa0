//! Comments are not in the syntax tree, so they are found here, in the source text, with what the layout needs
//! to place them: where each starts, whether code precedes it on its line and whether a blank line precedes it.
//! Doc comments (`///`, `//!`) are found too: the layout prints them where they stand, among the other comments.

use std::ops::Range;

use crate::syntax::ast::{Member, PlaybookFile, StepBody};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comment {
    /// Byte offset of the `//`.
    pub start: usize,
    /// From the `//` to the end of the line, without trailing whitespace.
    pub text: String,
    /// Code precedes it on its line, so it annotates that line.
    pub trailing: bool,
    /// An empty line separates it from what precedes it.
    pub blank_before: bool,
}

impl Comment {
    pub fn is_file_doc(&self) -> bool {
        self.text.starts_with("//!")
    }
}

/// Every comment of `src` in source order, except those inside string literals and inside `opaque` ranges
/// (script bodies, which are printed as written).
pub(crate) fn collect_comments(src: &str, opaque: &[Range<usize>]) -> Vec<Comment> {
    let mut opaque = opaque.to_vec();
    opaque.sort_by_key(|range| range.start);
    let mut scanner = Scanner { src, pos: 0, opaque, next_opaque: 0, found: Vec::new() };
    scanner.code(false);
    scanner.found
}

/// The script bodies of a playbook, whose text is the script's own.
pub(crate) fn script_bodies(file: &PlaybookFile) -> Vec<Range<usize>> {
    file.playbook
        .members
        .iter()
        .filter_map(|member| match member {
            Member::Step(step) => match &step.body {
                StepBody::Script(script) => Some(script.body_span.range()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The first byte at or after `pos` that is neither whitespace nor part of a comment.
pub(crate) fn next_code(src: &str, mut pos: usize) -> usize {
    loop {
        let rest = &src[pos.min(src.len())..];
        let trimmed = rest.trim_start();
        pos = src.len() - trimmed.len();
        if !trimmed.starts_with("//") {
            return pos;
        }
        pos = src[pos..].find('\n').map_or(src.len(), |i| pos + i);
    }
}

/// Whether the whitespace right before `pos` holds an empty line.
pub(crate) fn blank_line_before(src: &str, pos: usize) -> bool {
    let before = &src[..pos.min(src.len())];
    let gap = &before[before.trim_end().len()..];
    gap.matches('\n').count() >= 2
}

fn is_doc(comment: &str) -> bool {
    (comment.starts_with("///") && !comment.starts_with("////")) || comment.starts_with("//!")
}

struct Scanner<'s> {
    src: &'s str,
    pos: usize,
    opaque: Vec<Range<usize>>,
    next_opaque: usize,
    found: Vec<Comment>,
}

impl Scanner<'_> {
    /// Reads code up to the end, or, inside an interpolation, up to the `}` that closes it.
    fn code(&mut self, in_interpolation: bool) {
        let bytes = self.src.as_bytes();
        let mut depth = 0usize;
        while self.pos < bytes.len() {
            if let Some(range) = self.opaque.get(self.next_opaque).filter(|r| r.start <= self.pos) {
                self.pos = self.pos.max(range.end);
                self.next_opaque += 1;
                continue;
            }
            match bytes[self.pos] {
                b'"' => self.string(),
                b'/' if bytes.get(self.pos + 1) == Some(&b'/') => self.comment(),
                b'{' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' => {
                    self.pos += 1;
                    if in_interpolation && depth == 0 {
                        return;
                    }
                    depth = depth.saturating_sub(1);
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Reads a string literal from its opening quote; interpolations inside are code again.
    fn string(&mut self) {
        let bytes = self.src.as_bytes();
        self.pos += 1;
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'"' | b'\n' => {
                    self.pos += 1;
                    return;
                }
                b'$' if bytes.get(self.pos + 1) == Some(&b'{') => {
                    self.pos += 2;
                    self.code(true);
                }
                _ => self.pos += 1,
            }
        }
    }

    fn comment(&mut self) {
        let start = self.pos;
        let end = self.src[start..].find('\n').map_or(self.src.len(), |i| start + i);
        let line_start = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        let text = self.src[start..end].trim_end().to_string();
        // A doc comment documents what follows it, so it is never left at the end of a line of code.
        let trailing = !is_doc(&text) && !self.src[line_start..start].trim().is_empty();
        self.found.push(Comment {
            start,
            text,
            trailing,
            blank_before: !trailing && blank_line_before(self.src, start),
        });
        self.pos = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, opaque: &[Range<usize>]) -> Vec<String> {
        collect_comments(src, opaque).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn comments_of_every_kind_are_found_in_order() {
        let src = "//! file\n/// item\nx // end\n//// four\n";
        assert_eq!(texts(src, &[]), ["//! file", "/// item", "// end", "//// four"]);
    }

    #[test]
    fn slashes_inside_a_string_are_not_a_comment() {
        assert_eq!(texts("x = \"http://a\" // real", &[]), ["// real"]);
    }

    #[test]
    fn an_escaped_quote_does_not_end_the_string() {
        assert_eq!(texts(r#"x = "a \" // b" // c"#, &[]), ["// c"]);
    }

    #[test]
    fn a_comment_inside_an_interpolation_is_found_and_the_string_resumes_after_it() {
        let src = "x = \"a${ f({b: 1}) // inner\n }// not\" // after";
        assert_eq!(texts(src, &[]), ["// inner", "// after"]);
    }

    #[test]
    fn comments_inside_a_script_body_belong_to_the_script() {
        let src = "s { // rhai\n } // ours";
        let body: Range<usize> = 3..13;
        assert_eq!(texts(src, &[body]), ["// ours"]);
    }

    #[test]
    fn a_comment_after_code_is_trailing_and_one_after_a_blank_line_says_so() {
        let found = collect_comments("a // t\n\n// own\n// next\n", &[]);
        let flags: Vec<(bool, bool)> = found.iter().map(|c| (c.trailing, c.blank_before)).collect();
        assert_eq!(flags, [(true, false), (false, true), (false, false)]);
    }

    #[test]
    fn a_doc_comment_after_code_is_not_trailing() {
        let found = collect_comments("{ /// doc\n a", &[]);
        assert!(!found[0].trailing);
    }

    #[test]
    fn next_code_skips_whitespace_and_comments() {
        let src = "  // a\n  /// b\n  step";
        assert_eq!(&src[next_code(src, 0)..], "step");
    }
}
