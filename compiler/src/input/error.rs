//! Errors of reading AI output before there is a playbook to parse (codes E07xx). Spans point into the
//! original text: the Markdown answer or the JSON envelope (or, for bytes that are not text, a copy of them with
//! each bad sequence replaced by U+FFFD).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum InputError {
    #[error("no fenced code block in this Markdown holds a playbook")]
    #[diagnostic(
        code(E0701),
        help(
            "put the playbook in a fenced block that starts with ```escher and whose text starts with \
             `playbook NAME {{` or `template NAME {{`"
        )
    )]
    NoPlaybookBlock {
        #[label("{detail}")]
        span: SourceSpan,
        detail: String,
    },

    #[error("this is not valid JSON: {message}")]
    #[diagnostic(
        code(E0702),
        help("a response envelope is one JSON object; strings need `\\\"` for quotes and `\\n` for new lines")
    )]
    InvalidJson {
        message: String,
        #[label("{message}")]
        span: SourceSpan,
    },

    #[error("the response envelope has no `playbook` string")]
    #[diagnostic(
        code(E0703),
        help("give the playbook's source as a JSON string: `\"playbook\": \"playbook NAME {{\\n ... \\n}}\"`")
    )]
    MissingPlaybook {
        #[label("{detail}")]
        span: SourceSpan,
        detail: String,
    },

    #[error("a `{response_type}` response carries no playbook to check")]
    #[diagnostic(
        code(E0704),
        help("only responses whose `response_type` is \"execution\" or \"playbook\" hold a playbook")
    )]
    NotAPlaybookResponse {
        response_type: String,
        #[label("this response type")]
        span: SourceSpan,
    },

    #[error("the response envelope must be a JSON object")]
    #[diagnostic(
        code(E0705),
        help("write the envelope as `{{\"response_type\": \"execution\", \"playbook\": \"...\"}}`")
    )]
    EnvelopeNotAnObject {
        #[label("a JSON object `{{ ... }}` was expected here")]
        span: SourceSpan,
    },

    #[error("this is not UTF-8 text: byte 0x{byte:02X} at offset {offset} cannot be read")]
    #[diagnostic(code(E0706), help("{help}"))]
    NotUtf8 {
        /// The first byte that is not part of a UTF-8 char, and its offset in the bytes as given.
        byte: u8,
        offset: usize,
        help: String,
        #[label("not UTF-8")]
        span: SourceSpan,
    },
}
