//! The parse pass: source text to a syntax tree with spans ([`ast`]).

pub mod ast;
mod calls;
mod error;
pub(crate) mod grammar;
mod lower;
pub(crate) mod parser;

pub use calls::{call_at, calls};
pub use error::ParseError;
pub use lower::{MAX_NESTING, parse_duration};
pub use parser::{Parsed, parse_declarations, parse_playbook};
