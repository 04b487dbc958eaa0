//! The AI server's JSON response envelope: `{"response_type": "execution", "risk_level": "high",
//! "requires_approval": true, "playbook": "..."}`. Other fields are allowed and ignored.
//!
//! serde_json validates the envelope and types its values; a small scan of the top-level object finds where
//! each value sits, because serde_json keeps no positions. As in serde_json, a repeated key's last value wins.
//!
//! Only `execution` and `playbook` responses (in any letter case) carry a playbook. A response without a
//! `response_type` is read as long as it has a `playbook` string: the compiler checks the playbook itself,
//! so the label adds nothing it would trust.

use serde_json::Value;

use super::error::InputError;
use super::json_string::{self, JsonString};
use crate::span::{Span, floor_char_boundary};

/// What the AI said about its own playbook. Never trusted: the compiler recomputes risk and approvals, and
/// these are kept only so that a warning can point at a claim that disagrees.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Claims {
    pub response_type: Option<String>,
    pub risk_level: Option<String>,
    pub requires_approval: Option<bool>,
    pub claims_span: ClaimSpans,
}

/// Where each claim's value (with its quotes, for strings) sits in the original envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClaimSpans {
    pub response_type: Option<Span>,
    pub risk_level: Option<Span>,
    pub requires_approval: Option<Span>,
}

const PLAYBOOK_RESPONSES: [&str; 2] = ["execution", "playbook"];

/// Reads an envelope: the playbook's decoded text with its offset map, and the claims.
pub(crate) fn read(src: &str) -> Result<(JsonString, Claims), InputError> {
    let value: Value = serde_json::from_str(src).map_err(|error| invalid_json(src, &error))?;
    let Value::Object(object) = value else {
        let start = src.len() - src.trim_start().len();
        return Err(InputError::EnvelopeNotAnObject { span: one_char(src, start).into() });
    };
    let fields = top_level_fields(src).ok_or_else(|| InputError::InvalidJson {
        message: "the object's fields could not be located".to_string(),
        span: one_char(src, 0).into(),
    })?;
    let span_of = |key: &str| fields.iter().rev().find(|f| f.key == key).map(|f| f.value);

    let response_type = object.get("response_type").and_then(Value::as_str).map(str::to_string);
    if let (Some(kind), Some(span)) = (&response_type, span_of("response_type"))
        && !PLAYBOOK_RESPONSES.iter().any(|ok| kind.eq_ignore_ascii_case(ok))
    {
        return Err(InputError::NotAPlaybookResponse { response_type: kind.clone(), span: span.into() });
    }
    let claims = Claims {
        response_type,
        risk_level: object.get("risk_level").and_then(Value::as_str).map(str::to_string),
        requires_approval: object.get("requires_approval").and_then(Value::as_bool),
        claims_span: ClaimSpans {
            response_type: span_of("response_type"),
            risk_level: span_of("risk_level"),
            requires_approval: span_of("requires_approval"),
        },
    };

    let object_start = src.len() - src.trim_start().len();
    let playbook = match (object.get("playbook"), span_of("playbook")) {
        (Some(Value::String(expected)), Some(span)) => {
            json_string::decode(src, span.start as usize).filter(|s| s.text == *expected)
        }
        (Some(other), Some(span)) => {
            return Err(InputError::MissingPlaybook {
                span: span.into(),
                detail: format!("`playbook` is {}, not a string", describe(other)),
            });
        }
        _ => {
            return Err(InputError::MissingPlaybook {
                span: one_char(src, object_start).into(),
                detail: "this object has no `playbook` field (an AI response envelope carries the playbook in \
                         `playbook`; a saved plan, from `escher plan --out`, has `escher_saved_plan`)"
                    .to_string(),
            });
        }
    };
    let playbook = playbook.ok_or_else(|| InputError::InvalidJson {
        message: "the `playbook` string could not be located".to_string(),
        span: one_char(src, object_start).into(),
    })?;
    Ok((playbook, claims))
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json's error at its line and column, which count bytes and point just past the offending one.
fn invalid_json(src: &str, error: &serde_json::Error) -> InputError {
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    let span = if error.is_eof() {
        Span::empty_at(src.trim_end().len())
    } else {
        let line_start: usize = src.split_inclusive('\n').take(error.line().saturating_sub(1)).map(str::len).sum();
        one_char(src, line_start + error.column().saturating_sub(1))
    };
    InputError::InvalidJson { message, span: span.into() }
}

/// The char at `offset` (moved back to a char boundary), or an empty span at the end.
fn one_char(src: &str, offset: usize) -> Span {
    let start = floor_char_boundary(src, offset);
    let len = src[start..].chars().next().map_or(0, char::len_utf8);
    Span::new(start, start + len)
}

/// A field of the top-level object: its decoded key and the span of its raw value.
struct Field {
    key: String,
    value: Span,
}

/// The top-level object's fields in order. The text must already be valid JSON.
fn top_level_fields(src: &str) -> Option<Vec<Field>> {
    let bytes = src.as_bytes();
    let mut pos = skip_whitespace(bytes, 0);
    if bytes.get(pos) != Some(&b'{') {
        return None;
    }
    pos = skip_whitespace(bytes, pos + 1);
    let mut fields = Vec::new();
    if bytes.get(pos) == Some(&b'}') {
        return Some(fields);
    }
    loop {
        let key = json_string::decode(src, pos)?;
        pos = skip_whitespace(bytes, key.end);
        if bytes.get(pos) != Some(&b':') {
            return None;
        }
        let value_start = skip_whitespace(bytes, pos + 1);
        let value_end = skip_value(src, value_start)?;
        fields.push(Field { key: key.text, value: Span::new(value_start, value_end) });
        pos = skip_whitespace(bytes, value_end);
        match bytes.get(pos)? {
            b',' => pos = skip_whitespace(bytes, pos + 1),
            b'}' => return Some(fields),
            _ => return None,
        }
    }
}

fn skip_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The offset just past the JSON value starting at `pos`.
fn skip_value(src: &str, pos: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    match bytes.get(pos)? {
        b'"' => json_string::decode(src, pos).map(|s| s.end),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut at = pos;
            loop {
                match bytes.get(at)? {
                    b'"' => at = json_string::decode(src, at)?.end,
                    b'{' | b'[' => {
                        depth += 1;
                        at += 1;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        at += 1;
                        if depth == 0 {
                            return Some(at);
                        }
                    }
                    _ => at += 1,
                }
            }
        }
        _ => {
            // A number, `true`, `false` or `null`: it runs to the next delimiter.
            let len = src[pos..].find([',', '}', ']', ' ', '\t', '\n', '\r']).unwrap_or(src.len() - pos);
            Some(pos + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_with_the_spans_of_their_raw_values() {
        let src = r#" { "a" : [1, {"b": "]"}] , "k\u0065y": true, "s": "x\"y" }"#;
        let fields = top_level_fields(src).expect("valid JSON");
        let found: Vec<(&str, &str)> = fields.iter().map(|f| (f.key.as_str(), &src[f.value.range()])).collect();
        assert_eq!(found, [("a", r#"[1, {"b": "]"}]"#), ("key", "true"), ("s", r#""x\"y""#)]);
    }

    #[test]
    fn an_empty_object_has_no_fields() {
        assert_eq!(top_level_fields(" {\n} ").map(|f| f.len()), Some(0));
    }

    #[test]
    fn a_repeated_playbook_key_reads_the_last_value_as_serde_json_does() {
        let src = r#"{"playbook": "first", "playbook": "second"}"#;
        let (playbook, _) = read(src).expect("an envelope");
        assert_eq!(playbook.text, "second");
    }
}
