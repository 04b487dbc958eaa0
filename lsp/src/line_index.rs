//! Byte offsets (the compiler's) to LSP positions and back, in the negotiated encoding.
//!
//! LSP counts a position's `character` in UTF-16 code units unless client and server agree on UTF-8 (bytes);
//! the compiler counts bytes. On ASCII they agree; on `é` or `🚀` they do not, so every conversion goes
//! through here.

use escher_compiler::Span;
use lsp_types::{Position, Range};

/// How a position's `character` counts within its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Where each line of one text starts, for conversions in both directions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    encoding: Encoding,
}

impl LineIndex {
    pub fn new(text: &str, encoding: Encoding) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(newline, _)| newline + 1)).collect();
        LineIndex { line_starts, encoding }
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset.min(text.len()));
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let before = &text[self.line_starts[line]..offset];
        let character = match self.encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position { line: line as u32, character: character as u32 }
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range { start: self.position(text, span.start as usize), end: self.position(text, span.end as usize) }
    }

    /// The byte offset of a position. A line past the end is the end of the text; a character past the end of
    /// its line (or inside a character, in UTF-16) is the nearest boundary before it, as the protocol asks.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&line_start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let line_end = self.line_starts.get(position.line as usize + 1).map_or(text.len(), |next| next - 1);
        let line = &text[line_start..line_end];
        let wanted = position.character as usize;
        let within = match self.encoding {
            Encoding::Utf8 => floor_boundary(line, wanted.min(line.len())),
            Encoding::Utf16 => {
                let mut units = 0;
                let mut bytes = line.len();
                for (index, ch) in line.char_indices() {
                    if units + ch.len_utf16() > wanted {
                        bytes = index;
                        break;
                    }
                    units += ch.len_utf16();
                }
                bytes
            }
        };
        line_start + within
    }

    pub fn span(&self, text: &str, range: Range) -> Span {
        Span::new(self.offset(text, range.start), self.offset(text, range.end))
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "let a = \"é🚀\"\nstep b\n";

    #[test]
    fn utf16_counts_a_rocket_as_two_units_and_an_accent_as_one() {
        let index = LineIndex::new(TEXT, Encoding::Utf16);
        let closing_quote = TEXT.rfind('"').expect("present");
        assert_eq!(index.position(TEXT, closing_quote), Position::new(0, 12));
        assert_eq!(index.offset(TEXT, Position::new(0, 12)), closing_quote);
    }

    #[test]
    fn utf8_counts_bytes() {
        let index = LineIndex::new(TEXT, Encoding::Utf8);
        let closing_quote = TEXT.rfind('"').expect("present");
        assert_eq!(index.position(TEXT, closing_quote), Position::new(0, 15));
        assert_eq!(index.offset(TEXT, Position::new(0, 15)), closing_quote);
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_or_past_the_line_end_clamps() {
        let index = LineIndex::new(TEXT, Encoding::Utf16);
        let rocket = TEXT.find('🚀').expect("present");
        assert_eq!(index.offset(TEXT, Position::new(0, 11)), rocket);
        assert_eq!(index.offset(TEXT, Position::new(1, 99)), TEXT.find("b\n").expect("present") + 1);
        assert_eq!(index.offset(TEXT, Position::new(9, 0)), TEXT.len());
    }

    #[test]
    fn the_second_line_starts_after_the_newline() {
        let index = LineIndex::new(TEXT, Encoding::Utf16);
        let step = TEXT.find("step").expect("present");
        assert_eq!(index.position(TEXT, step), Position::new(1, 0));
        assert_eq!(index.offset(TEXT, Position::new(1, 0)), step);
    }
}
