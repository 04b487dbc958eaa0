//! Where each byte of an extracted playbook came from in the original text.
//!
//! The extracted text is a sequence of pieces. A verbatim piece was copied byte for byte, so offsets inside it
//! map linearly. An escape piece (`\n`, `\u00e9`, a surrogate pair) decodes to one char of the extracted text
//! from several bytes of the original, so it is indivisible. Original bytes that no piece covers (the
//! indentation stripped from an indented fence's lines) are simply skipped.

/// One run of extracted text and the original bytes it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    text: usize,
    text_len: usize,
    original: usize,
    original_len: usize,
}

impl Piece {
    fn is_verbatim(self) -> bool {
        self.text_len == self.original_len
    }

    fn text_end(self) -> usize {
        self.text + self.text_len
    }

    fn original_end(self) -> usize {
        self.original + self.original_len
    }
}

/// Maps byte offsets of an extracted text back to byte offsets of the text it was extracted from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OffsetMap {
    pieces: Vec<Piece>,
    /// The original offset where the extracted text begins.
    original_start: usize,
    /// The original offset of the end of the extracted text (or of its start, when it is empty).
    original_end: usize,
}

impl OffsetMap {
    /// Starts a map whose extracted text begins at `original_start`.
    pub(crate) fn builder(original_start: usize) -> OffsetMapBuilder {
        OffsetMapBuilder {
            map: OffsetMap { pieces: Vec::new(), original_start, original_end: original_start },
            text_len: 0,
        }
    }

    /// The map of a text that is its own original.
    pub(crate) fn identity(len: usize) -> OffsetMap {
        let mut builder = OffsetMap::builder(0);
        builder.verbatim(0, len);
        builder.finish()
    }

    /// The original position of the extracted char at `offset`: the start of that char's piece when `offset`
    /// falls inside an escape, the end of the last piece at or past the end. `offset` must be a char boundary
    /// of the extracted text, which keeps a verbatim result on a char boundary of the original.
    pub(crate) fn start_of(&self, offset: usize) -> usize {
        let index = self.pieces.partition_point(|piece| piece.text_end() <= offset);
        match self.pieces.get(index) {
            Some(piece) if piece.is_verbatim() => piece.original + (offset - piece.text),
            Some(piece) => piece.original,
            None => self.original_end,
        }
    }

    /// The original position just after the extracted byte before `offset`: the end of the piece holding it,
    /// so a span that ends on a line's end does not swallow the next line's stripped indentation.
    pub(crate) fn end_of(&self, offset: usize) -> usize {
        if offset == 0 {
            return self.start_of(0);
        }
        let index = self.pieces.partition_point(|piece| piece.text_end() < offset);
        match self.pieces.get(index) {
            Some(piece) if piece.is_verbatim() => piece.original + (offset - piece.text),
            Some(piece) => piece.original_end(),
            None => self.original_end,
        }
    }

    /// How many original bytes were skipped just before the extracted char at `offset` (the indentation
    /// stripped from the line it starts); zero inside a piece and at the end.
    pub(crate) fn skipped_before(&self, offset: usize) -> usize {
        let index = self.pieces.partition_point(|piece| piece.text < offset);
        match self.pieces.get(index) {
            Some(piece) if piece.text == offset => {
                let previous_end = match index {
                    0 => self.original_start,
                    _ => self.pieces[index - 1].original_end(),
                };
                piece.original - previous_end
            }
            _ => 0,
        }
    }
}

/// Builds an [`OffsetMap`] piece by piece, in order.
#[derive(Debug)]
pub(crate) struct OffsetMapBuilder {
    map: OffsetMap,
    text_len: usize,
}

impl OffsetMapBuilder {
    /// Records `len` bytes copied unchanged from `original`.
    pub(crate) fn verbatim(&mut self, original: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.map.pieces.last_mut() {
            // Contiguous copies merge, so a long plain run stays one piece.
            if last.is_verbatim() && last.original_end() == original {
                last.text_len += len;
                last.original_len += len;
                self.advance(original + len, len);
                return;
            }
        }
        self.push(Piece { text: self.text_len, text_len: len, original, original_len: len });
    }

    /// Records one char of `text_len` bytes decoded from the `original_len` bytes at `original`.
    pub(crate) fn escape(&mut self, original: usize, original_len: usize, text_len: usize) {
        self.push(Piece { text: self.text_len, text_len, original, original_len });
    }

    pub(crate) fn finish(self) -> OffsetMap {
        self.map
    }

    fn push(&mut self, piece: Piece) {
        self.map.pieces.push(piece);
        self.advance(piece.original_end(), piece.text_len);
    }

    fn advance(&mut self, original_end: usize, text_len: usize) {
        self.map.original_end = original_end;
        self.text_len += text_len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ab\ncd` extracted from the JSON literal body `ab\\ncd` starting at byte 10.
    fn escaped_newline() -> OffsetMap {
        let mut builder = OffsetMap::builder(10);
        builder.verbatim(10, 2);
        builder.escape(12, 2, 1);
        builder.verbatim(14, 2);
        builder.finish()
    }

    #[test]
    fn verbatim_offsets_move_by_the_start() {
        let map = escaped_newline();
        assert_eq!(map.start_of(0), 10);
        assert_eq!(map.start_of(1), 11);
        assert_eq!(map.start_of(4), 15);
    }

    #[test]
    fn an_escape_starts_at_its_backslash_and_ends_after_its_last_byte() {
        let map = escaped_newline();
        assert_eq!(map.start_of(2), 12);
        assert_eq!(map.end_of(3), 14);
        assert_eq!(map.start_of(3), 14);
    }

    #[test]
    fn the_end_of_the_text_maps_to_the_end_of_the_last_piece() {
        let map = escaped_newline();
        assert_eq!(map.start_of(5), 16);
        assert_eq!(map.end_of(5), 16);
        assert_eq!(map.start_of(99), 16);
    }

    #[test]
    fn stripped_bytes_belong_to_neither_neighbour() {
        // "a\n" then "b\n" whose two spaces of indentation were stripped.
        let mut builder = OffsetMap::builder(4);
        builder.verbatim(4, 2);
        builder.verbatim(8, 2);
        let map = builder.finish();
        assert_eq!(map.end_of(2), 6, "a span ending on the line end stops before the indentation");
        assert_eq!(map.start_of(2), 8, "the char after it is found after the indentation");
    }

    #[test]
    fn only_a_piece_after_stripped_bytes_reports_them() {
        let mut builder = OffsetMap::builder(4);
        builder.verbatim(6, 2);
        builder.verbatim(11, 2);
        let map = builder.finish();
        assert_eq!(map.skipped_before(0), 2);
        assert_eq!(map.skipped_before(1), 0);
        assert_eq!(map.skipped_before(2), 3);
        assert_eq!(map.skipped_before(4), 0);
    }

    #[test]
    fn an_empty_text_maps_to_where_it_would_have_started() {
        let map = OffsetMap::builder(7).finish();
        assert_eq!(map.start_of(0), 7);
        assert_eq!(map.end_of(0), 7);
    }

    #[test]
    fn contiguous_copies_merge_into_one_piece() {
        let mut builder = OffsetMap::builder(0);
        builder.verbatim(0, 3);
        builder.verbatim(3, 4);
        assert_eq!(builder.finish(), OffsetMap::identity(7));
    }
}
