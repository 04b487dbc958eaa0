//! A formatter that checks its own work: the output must parse to the same tree, carry the same comments in the
//! same order and be left unchanged by a second pass. Hosts can call this before writing a file back, and tests
//! over whole directories of playbooks need nothing else.

use super::comments::{collect_comments, script_bodies};
use super::tree::{format_tree, parse_cleanly};
use crate::syntax::ParseError;
use crate::syntax::ast::PlaybookFile;

/// What a self-checked format found wrong. Only the first variant is the input's fault; the others are bugs in
/// the formatter, reported instead of a changed file.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FormatDefect {
    #[error("the file does not parse")]
    Unparsable(Vec<ParseError>),
    #[error("the formatted text does not parse")]
    OutputUnparsable { output: String, errors: Vec<ParseError> },
    #[error("the formatted text means something else")]
    MeaningChanged { output: String },
    #[error("the formatted text does not carry the same comments in the same order")]
    CommentsChanged { before: Vec<String>, after: Vec<String> },
    #[error("formatting the formatted text changes it again")]
    NotIdempotent { first: String, second: String },
}

/// Formats `src` and checks the result; see [`FormatDefect`]. The tree comparison recurses, so unlike
/// [`format_playbook`](super::format_playbook) it is not meant for operator chains thousands of terms long.
pub fn format_verified(src: &str) -> Result<String, FormatDefect> {
    let tree = parse_cleanly(src).map_err(FormatDefect::Unparsable)?;
    let output = format_tree(src, &tree);
    let output_tree = match parse_cleanly(&output) {
        Ok(tree) => tree,
        Err(errors) => return Err(FormatDefect::OutputUnparsable { output, errors }),
    };
    if shape(&tree) != shape(&output_tree) {
        return Err(FormatDefect::MeaningChanged { output });
    }
    let before = comment_texts(src, &tree);
    let after = comment_texts(&output, &output_tree);
    if before != after {
        return Err(FormatDefect::CommentsChanged { before, after });
    }
    let second = format_tree(&output, &output_tree);
    if second != output {
        return Err(FormatDefect::NotIdempotent { first: output, second });
    }
    Ok(output)
}

fn comment_texts(src: &str, tree: &PlaybookFile) -> Vec<String> {
    collect_comments(src, &script_bodies(tree)).into_iter().map(|c| c.text).collect()
}

/// The tree with every span blanked out, so that two trees compare by content alone.
fn shape(tree: &PlaybookFile) -> String {
    without_spans(&format!("{tree:?}"))
}

/// Replaces each `Span { start: N, end: M }` of a tree's debug text with `Span`.
fn without_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        let after = &rest[at + OPEN.len()..];
        rest = match after.find(" }") {
            Some(close) => &after[close + 2..],
            None => after,
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_blanked_out_of_a_debug_text() {
        let debug = "Ident { name: \"a\", span: Span { start: 3, end: 4 } }";
        assert_eq!(without_spans(debug), "Ident { name: \"a\", span: Span }");
    }

    #[test]
    fn trees_that_differ_only_in_layout_have_one_shape() {
        let a = parse_cleanly("playbook p {\n  let x = [1,2]\n}").map(|t| shape(&t));
        let b = parse_cleanly("playbook p { let x =\n [1, 2] }").map(|t| shape(&t));
        assert!(a.is_ok());
        assert_eq!(a.ok(), b.ok());
    }

    #[test]
    fn trees_that_differ_in_content_have_different_shapes() {
        let a = parse_cleanly("playbook p { let x = [1, 2] }").map(|t| shape(&t));
        let b = parse_cleanly("playbook p { let x = [1, 3] }").map(|t| shape(&t));
        assert!(a.is_ok() && b.is_ok());
        assert_ne!(a.ok(), b.ok());
    }
}
