//! Bytes to text: playbooks, Markdown answers and envelopes are UTF-8, and bytes that are not are answered with a
//! diagnostic at the first bad byte, never with an error of the host's.

use super::error::InputError;
use crate::span::Span;

/// Bytes that are not UTF-8: a copy to show them by (each bad sequence replaced by U+FFFD, so the text before the
/// first one keeps its offsets), and the error pointing at the first.
#[derive(Debug, Clone)]
pub struct NotUtf8 {
    pub text: String,
    pub error: InputError,
}

/// The text of `bytes`, or why they are not text.
pub fn decode_utf8(bytes: &[u8]) -> Result<&str, NotUtf8> {
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(error) => error,
    };
    let offset = error.valid_up_to();
    let byte = bytes[offset];
    let text = String::from_utf8_lossy(bytes).into_owned();
    let replacement = char::REPLACEMENT_CHARACTER.len_utf8();
    let help = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        "the file looks like UTF-16; save it as UTF-8"
    } else {
        "save the file as UTF-8 (a Latin-1 or Windows-1252 `é` is one byte, UTF-8's is two)"
    };
    let error = InputError::NotUtf8 {
        byte,
        offset,
        help: help.to_string(),
        span: Span::new(offset, offset + replacement).into(),
    };
    Err(NotUtf8 { text, error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_its_own_text() {
        assert_eq!(decode_utf8("café ☕".as_bytes()).ok(), Some("café ☕"));
    }

    #[test]
    fn the_first_bad_byte_is_named_and_pointed_at() {
        let Err(NotUtf8 { text, error }) = decode_utf8(b"caf\xe9 \xff!") else { panic!("Latin-1 is not UTF-8") };
        assert_eq!(text, "caf\u{fffd} \u{fffd}!");
        assert_eq!(error.to_string(), "this is not UTF-8 text: byte 0xE9 at offset 3 cannot be read");
        let label = miette::Diagnostic::labels(&error).and_then(|mut labels| labels.next()).expect("a label");
        assert_eq!(&text[label.offset()..label.offset() + label.len()], "\u{fffd}");
    }
}
