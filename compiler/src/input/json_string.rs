//! JSON string literals read with their offsets, and text written as a JSON string body.
//!
//! serde_json decodes strings but forgets where each char came from; this scanner keeps that, one
//! [`OffsetMap`] piece per escape, so a diagnostic in a playbook carried inside an envelope can point at the
//! envelope's own bytes.

use super::offset_map::{OffsetMap, OffsetMapBuilder};

/// A decoded JSON string literal.
#[derive(Debug)]
pub(crate) struct JsonString {
    pub(crate) text: String,
    pub(crate) map: OffsetMap,
    /// The original offset just past the closing quote.
    pub(crate) end: usize,
}

/// Decodes the string literal whose opening quote is at `start`, or `None` if it is not a well-formed one.
pub(crate) fn decode(src: &str, start: usize) -> Option<JsonString> {
    let bytes = src.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut text = String::new();
    let mut map = OffsetMap::builder(start + 1);
    let mut pos = start + 1;
    loop {
        let plain_end = pos + src.get(pos..)?.find(['"', '\\'])?;
        let plain = &src[pos..plain_end];
        if plain.bytes().any(|b| b < 0x20) {
            return None; // JSON forbids raw control characters inside strings.
        }
        text.push_str(plain);
        map.verbatim(pos, plain.len());
        pos = plain_end;
        if bytes[pos] == b'"' {
            return Some(JsonString { text, map: map.finish(), end: pos + 1 });
        }
        pos = decode_escape(src, pos, &mut text, &mut map)?;
    }
}

/// Decodes the escape whose backslash is at `pos`, returning the offset after it.
fn decode_escape(src: &str, pos: usize, text: &mut String, map: &mut OffsetMapBuilder) -> Option<usize> {
    let simple = match src.as_bytes().get(pos + 1)? {
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'u' => None,
        _ => return None,
    };
    let (c, len) = match simple {
        Some(c) => (c, 2),
        None => decode_unicode_escape(src, pos)?,
    };
    text.push(c);
    map.escape(pos, len, c.len_utf8());
    Some(pos + len)
}

/// Decodes `\uXXXX` at `pos`, or a surrogate pair `\uD83D\uDE00` as one char; returns the char and the
/// number of original bytes it took. Lone surrogates are not chars, so they are refused, as serde_json does.
fn decode_unicode_escape(src: &str, pos: usize) -> Option<(char, usize)> {
    let first = hex4(src, pos + 2)?;
    match first {
        0xD800..=0xDBFF => {
            if src.get(pos + 6..pos + 8)? != "\\u" {
                return None;
            }
            let second = hex4(src, pos + 8)?;
            if !(0xDC00..=0xDFFF).contains(&second) {
                return None;
            }
            let scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            Some((char::from_u32(scalar)?, 12))
        }
        _ => Some((char::from_u32(first)?, 6)),
    }
}

fn hex4(src: &str, at: usize) -> Option<u32> {
    let digits = src.get(at..at + 4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// `text` as the body of a JSON string literal (without the quotes).
pub(crate) fn escape(text: &str) -> String {
    let quoted = serde_json::Value::String(text.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(src: &str) -> String {
        decode(src, 0).map(|s| s.text).unwrap_or_else(|| panic!("{src} should decode"))
    }

    #[test]
    fn every_simple_escape_decodes_to_its_char() {
        assert_eq!(decoded(r#""\"\\\/\b\f\n\r\t""#), "\"\\/\u{8}\u{c}\n\r\t");
    }

    #[test]
    fn unicode_escapes_and_surrogate_pairs_decode_to_one_char_each() {
        assert_eq!(decoded(r#""caf\u00e9 \ud83d\ude00""#), "café 😀");
    }

    #[test]
    fn raw_multibyte_chars_are_copied() {
        assert_eq!(decoded("\"naïve ☃\""), "naïve ☃");
    }

    #[test]
    fn the_end_is_just_past_the_closing_quote() {
        let src = r#"  "a\nb" , 1"#;
        assert_eq!(decode(src, 2).map(|s| s.end), Some(8));
    }

    #[test]
    fn malformed_literals_are_refused() {
        for src in [r#""open"#, r#""\x""#, r#""\u12""#, r#""\ud83d""#, r#""\ud83d\u0041""#, "\"a\nb\""] {
            assert!(decode(src, 0).is_none(), "{src} should be refused");
        }
    }

    #[test]
    fn escaping_then_decoding_gives_the_text_back() {
        let text = "line \"one\"\n\ttab \\ é 😀 \u{1}";
        assert_eq!(decoded(&format!("\"{}\"", escape(text))), text);
    }
}
