//! Words under the cursor, read from the text: they are there even when the member around them does not parse.

use escher_compiler::Span;

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The dotted name (`aws.ec2.stop`) that `offset` is in or right after.
pub fn dotted_word_at(text: &str, offset: usize) -> Option<Span> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let mut start = offset;
    while start > 0 && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'.') {
        start -= 1;
    }
    let mut end = offset;
    while end < bytes.len() && (is_word_byte(bytes[end]) || bytes[end] == b'.') {
        end += 1;
    }
    let word = &text[start..end];
    let trimmed_start = start + (word.len() - word.trim_start_matches('.').len());
    let trimmed_end = end - (word.len() - word.trim_end_matches('.').len());
    (trimmed_start < trimmed_end).then(|| Span::new(trimmed_start, trimmed_end))
}

/// The dotted name that ends at `offset`, dot included (`aws.ec2.` while typing), for completion.
pub fn dotted_prefix_before(text: &str, offset: usize) -> Span {
    let bytes = text.as_bytes();
    let mut start = offset.min(bytes.len());
    while start > 0 && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'.') {
        start -= 1;
    }
    Span::new(start, offset)
}

/// The plain word (no dots) that `offset` is in or right after.
pub fn word_at(text: &str, offset: usize) -> Option<Span> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let mut start = offset;
    while start > 0 && is_word_byte(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset;
    while end < bytes.len() && is_word_byte(bytes[end]) {
        end += 1;
    }
    (start < end).then(|| Span::new(start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dotted_word_is_found_from_any_of_its_segments() {
        let text = "step s = aws.ec2.stop(vms)";
        let ec2 = text.find("ec2").expect("present");
        assert_eq!(dotted_word_at(text, ec2).map(|s| &text[s.range()]), Some("aws.ec2.stop"));
        assert_eq!(word_at(text, ec2 + 1).map(|s| &text[s.range()]), Some("ec2"));
    }

    #[test]
    fn a_prefix_being_typed_keeps_its_trailing_dot() {
        let text = "step s = aws.ec2.";
        assert_eq!(&text[dotted_prefix_before(text, text.len()).range()], "aws.ec2.");
        assert_eq!(dotted_word_at(text, text.len()).map(|s| &text[s.range()]), Some("aws.ec2"));
    }
}
