//! The playbook inside a Markdown answer: the fenced code block that holds it.
//!
//! Fences follow CommonMark where it matters for model output: backtick or tilde runs of three or more, an
//! info string whose first word is the language, a closing run of the same char at least as long, and a block
//! left open running to the end of the text. A fence may be indented (inside a list item); its content lines
//! lose up to that much indentation, as CommonMark strips it.
//!
//! Which block is the playbook: the first whose text has a line starting with `playbook` or `template`
//! (whatever its label, since models label inconsistently); failing that, the first labelled `escher` or `esc`,
//! so that a broken playbook is reported by the parser rather than as missing.

use super::error::InputError;
use super::offset_map::OffsetMap;
use crate::span::Span;

/// One fenced code block.
#[derive(Debug)]
pub(crate) struct Fence {
    /// The opening fence line, without its line break.
    pub(crate) opening: Span,
    pub(crate) language: String,
    /// The whitespace before the opening run, put back after new lines written into the block.
    pub(crate) indent: String,
    pub(crate) content: String,
    pub(crate) map: OffsetMap,
}

/// The opening run of a fence line: its indentation, char, length and the info string after it.
struct Opening<'a> {
    indent: &'a str,
    fence_char: char,
    run: usize,
    info: &'a str,
}

fn opening(line: &str) -> Option<Opening<'_>> {
    let body = line.trim_start_matches([' ', '\t']);
    let indent = &line[..line.len() - body.len()];
    let fence_char = body.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = body.len() - body.trim_start_matches(fence_char).len();
    let info = body[run..].trim();
    // A backtick in a backtick fence's info string makes the line inline code, not a fence.
    (run >= 3 && !(fence_char == '`' && info.contains('`'))).then_some(Opening { indent, fence_char, run, info })
}

fn closes(line: &str, open: &Opening<'_>) -> bool {
    let body = line.trim_start_matches([' ', '\t']);
    let rest = body.trim_start_matches(open.fence_char);
    body.len() - rest.len() >= open.run && rest.trim().is_empty()
}

/// Lines with their start offsets; each line keeps its line break.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |start, line| {
        let at = *start;
        *start += line.len();
        Some((at, line))
    })
}

/// Every fenced code block of `text`, in order.
pub(crate) fn fences(text: &str) -> Vec<Fence> {
    let mut found = Vec::new();
    let mut rows = lines(text).peekable();
    while let Some((start, line)) = rows.next() {
        let Some(open) = opening(line.trim_end_matches(['\n', '\r'])) else {
            continue;
        };
        let opening_line = line.trim_end_matches(['\n', '\r']);
        let mut content = String::new();
        let mut map = OffsetMap::builder(start + line.len());
        while let Some((at, body)) = rows.next_if(|(_, l)| !closes(l, &open)) {
            let kept = strip_indent(body, open.indent.chars().count());
            map.verbatim(at + body.len() - kept.len(), kept.len());
            content.push_str(kept);
        }
        rows.next(); // The closing fence, if the block is closed at all.
        found.push(Fence {
            opening: Span::new(start, start + opening_line.len()),
            language: open.info.split_whitespace().next().unwrap_or("").to_ascii_lowercase(),
            indent: open.indent.to_string(),
            content,
            map: map.finish(),
        });
    }
    found
}

/// `line` without up to `width` leading spaces or tabs.
fn strip_indent(line: &str, width: usize) -> &str {
    let strip = line.bytes().take(width).take_while(|b| *b == b' ' || *b == b'\t').count();
    &line[strip..]
}

/// Does any line of `content` start a playbook or a template?
fn starts_a_playbook(content: &str) -> bool {
    content.lines().any(|line| {
        let line = line.trim_start();
        ["playbook", "template"]
            .iter()
            .any(|keyword| line.strip_prefix(keyword).is_some_and(|rest| rest.starts_with([' ', '\t'])))
    })
}

fn is_escher_label(language: &str) -> bool {
    matches!(language, "escher" | "esc")
}

/// Does `text` hold a fenced code block at all? Used to recognise Markdown without a file name.
pub(crate) fn has_fence(text: &str) -> bool {
    lines(text).any(|(_, line)| opening(line.trim_end_matches(['\n', '\r'])).is_some())
}

/// The fenced block that holds the playbook.
pub(crate) fn playbook_block(text: &str) -> Result<Fence, InputError> {
    let mut all = fences(text);
    let chosen = all
        .iter()
        .position(|fence| starts_a_playbook(&fence.content))
        .or_else(|| all.iter().position(|fence| is_escher_label(&fence.language)));
    if let Some(index) = chosen {
        return Ok(all.swap_remove(index));
    }
    let (span, detail) = match all.first() {
        Some(first) => (
            first.opening,
            format!(
                "{} fenced block{} here and after, none starting `playbook` or `template`",
                all.len(),
                if all.len() == 1 { "" } else { "s" }
            ),
        ),
        None => {
            let first_line = text.lines().next().unwrap_or("");
            (Span::new(0, first_line.len()), "no fenced code block in the text".to_string())
        }
    };
    Err(InputError::NoPlaybookBlock { span: span.into(), detail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labelled_block_is_found_with_its_content() {
        let text = "Here:\n```escher\nplaybook p {\n}\n```\nDone.\n";
        let fence = playbook_block(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fence.language, "escher");
        assert_eq!(fence.content, "playbook p {\n}\n");
        assert_eq!(&text[fence.opening.range()], "```escher");
    }

    #[test]
    fn a_longer_fence_is_not_closed_by_a_shorter_run() {
        let text = "````\nplaybook p {\n```\n}\n````\n";
        let fence = playbook_block(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fence.content, "playbook p {\n```\n}\n");
    }

    #[test]
    fn tilde_fences_are_closed_only_by_tildes() {
        let text = "~~~\nplaybook p {\n```\n}\n~~~\n";
        let fence = playbook_block(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fence.content, "playbook p {\n```\n}\n");
    }

    #[test]
    fn an_unclosed_block_runs_to_the_end() {
        let fence = playbook_block("```esc\nplaybook p {\n}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fence.content, "playbook p {\n}");
    }

    #[test]
    fn a_block_without_a_playbook_is_passed_over() {
        let text = "```bash\nescher check\n```\n```\n/// Doc.\nplaybook p {\n}\n```\n";
        let fence = playbook_block(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fence.content, "/// Doc.\nplaybook p {\n}\n");
    }

    #[test]
    fn a_snippet_labelled_escher_gives_way_to_a_whole_playbook() {
        let text = "```escher\nstep a = x.y()\n```\n\n```\nplaybook p {\n}\n```\n";
        let fence = playbook_block(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fence.content, "playbook p {\n}\n");
    }

    #[test]
    fn inline_code_with_three_backticks_is_not_a_fence() {
        assert!(!has_fence("use ```a``` here\n"));
        assert!(has_fence("text\n  ~~~~ escher\n"));
    }

    #[test]
    fn a_word_that_merely_begins_with_playbook_does_not_count() {
        assert!(!starts_a_playbook("playbooks are nice\n"));
        assert!(starts_a_playbook("  template t {\n"));
    }
}
