//! Errors of the parse phase (codes E01xx).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum ParseError {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(E0101), help("{help}"))]
    Unexpected {
        expected: String,
        found: String,
        help: String,
        #[label("{expected} expected here")]
        span: SourceSpan,
    },

    #[error("this string is never closed")]
    #[diagnostic(code(E0102), help("add a closing `\"` before the end of the line; strings cannot span lines"))]
    UnterminatedString {
        #[label("the string starts here")]
        span: SourceSpan,
    },

    #[error("`{escape}` is not an escape that strings know")]
    #[diagnostic(code(E0103), help("the escapes are \\\" \\\\ \\n \\t \\r and \\$"))]
    InvalidEscape {
        escape: String,
        #[label("unknown escape")]
        span: SourceSpan,
    },

    #[error("the number {text} does not fit in a 64-bit integer")]
    #[diagnostic(code(E0104), help("integers range from -9223372036854775808 to 9223372036854775807"))]
    NumberOutOfRange {
        text: String,
        #[label("too large")]
        span: SourceSpan,
    },

    #[error("a step must call an action, a playbook or a script")]
    #[diagnostic(code(E0105), help("write the step as `step NAME = namespace.action(arguments)`"))]
    StepNotACall {
        #[label("not a call")]
        span: SourceSpan,
    },

    #[error("this `{open}` is never closed")]
    #[diagnostic(code(E0106), help("add the matching `{close}`"))]
    Unclosed {
        open: char,
        close: char,
        #[label("opened here")]
        span: SourceSpan,
        /// Where the text ends, so a reader sees both where the `{open}` should have been matched and how far
        /// the parser looked.
        #[label("the file ends here without `{close}`")]
        end: SourceSpan,
    },

    #[error("brackets nest deeper than {limit} levels")]
    #[diagnostic(code(E0107), help("split the expression into `let` bindings"))]
    TooDeep {
        limit: usize,
        #[label("too deep from here")]
        span: SourceSpan,
    },

    #[error("the duration {text} is too long")]
    #[diagnostic(code(E0108), help("durations are limited to about 584 million years; use a smaller number"))]
    DurationOutOfRange {
        text: String,
        #[label("too long")]
        span: SourceSpan,
    },

    #[error("this expression is too large: more than {limit} operators, field accesses or nested expressions")]
    #[diagnostic(code(E0110), help("split it into `let` bindings; every later pass walks expressions recursively"))]
    ExpressionTooLarge {
        limit: usize,
        #[label("too large")]
        span: SourceSpan,
    },

    #[error("only a dotted name can be called")]
    #[diagnostic(code(E0109), help("call a query, action or function by its name, as in `aws.ec2.instances(...)`"))]
    NotCallable {
        #[label("this is not a name")]
        span: SourceSpan,
    },
}
