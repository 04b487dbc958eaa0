//! Applying the fixes a compilation offers that are safe to apply without a person looking
//! ([`Applicability::MachineApplicable`]): what `escher serve`'s `/v1/fix` does before a model is asked again.

use super::model::{Applicability, Diagnostics, TextEdit};
use crate::span::FileId;

/// `text` (the file `file` of a compilation) with every machine-applicable fix for that file applied, and how many
/// fixes were. A fix whose edits overlap one already taken is left for the next round.
pub fn apply_machine_fixes(text: &str, file: FileId, diagnostics: &Diagnostics) -> (String, usize) {
    let mut taken: Vec<&TextEdit> = Vec::new();
    let mut applied = 0;
    for diagnostic in diagnostics.0.iter().filter(|d| d.file == file) {
        for fix in diagnostic.fixes.iter().filter(|f| f.applicability == Applicability::MachineApplicable) {
            let overlaps = |edit: &TextEdit| {
                taken.iter().any(|t| edit.span.start < t.span.end && t.span.start < edit.span.end)
                    || (edit.span.end as usize) > text.len()
            };
            if fix.edits.iter().any(overlaps) {
                continue;
            }
            taken.extend(&fix.edits);
            applied += 1;
        }
    }
    (apply_edits(text, taken), applied)
}

/// `text` with `edits` applied, which must not overlap: from the last to the first, so each edit's span still
/// points where it did.
pub fn apply_edits<'e>(text: &str, edits: impl IntoIterator<Item = &'e TextEdit>) -> String {
    let mut edits: Vec<&TextEdit> = edits.into_iter().collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
    let mut fixed = text.to_string();
    for edit in edits {
        fixed.replace_range(edit.span.range(), &edit.replacement);
    }
    fixed
}
