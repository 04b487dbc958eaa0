//! Text edits that add an option to a step, with or without an existing options block.

use crate::diagnostics::TextEdit;
use crate::plan::NodeSource;
use crate::span::Span;

/// Inserts `option` (`max_targets = 10`) into the step's options. With options already written it goes right
/// after the last of them, comma-separated, so a trailing comma or a multi-line block stays well formed; into
/// an empty block or a step without one it goes at the insertion point.
pub(super) fn insert_option(source: &NodeSource, option: &str) -> TextEdit {
    if !source.has_options_block {
        return TextEdit {
            span: Span::empty_at(source.options_insert_at.start as usize),
            replacement: format!(" {{ {option} }}"),
        };
    }
    match source.options.values().map(|span| span.end).max() {
        Some(end) => TextEdit { span: Span::empty_at(end as usize), replacement: format!(", {option}") },
        None => TextEdit {
            span: Span::empty_at(source.options_insert_at.start as usize),
            replacement: format!(" {option} "),
        },
    }
}
