//! The formatter: one canonical, idempotent layout for playbook files that keeps every comment.
//!
//! [`format_playbook`] parses the file and prints its syntax tree again; a file that does not parse is returned as
//! its parse errors, never half formatted. [`format_verified`] also checks the result (same tree, same comments,
//! stable under a second pass) before anyone writes it back.
//!
//! # The layout
//! - Two spaces per level of indentation; lines of at most 100 columns where the code allows.
//! - `//!` file docs first, then an empty line, the `use` lines, an empty line and the playbook.
//! - Each member on its own line. Members of one kind (schedules, params, lets, steps) form a group and an empty
//!   line separates groups; within a group one empty line is kept wherever the author left one or more.
//! - A bracketed list (call arguments, lists, records, record types, `after (a, b)`, step options) stays on one
//!   line when it fits, otherwise it puts each element on its own line with a trailing comma. A step is
//!   `step NAME after (a, b) = call(args) { opt = v }` on one line when it fits; otherwise its options go one per
//!   line, and its arguments too unless the call fits on the step's first line (`... = f(x) {`).
//! - Records and step options are spaced (`{ a: 1 }`), lists and calls are not (`[a, b]`, `f(x)`).
//! - Operators are spaced, and parenthesised only where precedence needs it (`or`, `and`, `not`,
//!   comparisons and `in`, `++`, from loosest to tightest).
//! - Strings are re-escaped (`\"`, `\\`, `\n`, `\t`, `\r`, and `\$` only before `{`); `${...}` interpolations
//!   are kept. Durations use the largest exact units (`90m` is `1h30m`,
//!   `600000ms` is `10m`), weeks only for whole weeks (`14d` is `2w`, `30d` stays `30d`); floats always show a
//!   decimal point.
//! - Script bodies are printed exactly as written between their braces.
//!
//! # Comments
//! Comments are not in the syntax tree; they are read from the source text (outside strings and script bodies)
//! and each is printed at the first place after it where the layout may break a line: before the next member,
//! argument, option, list element or closing bracket. A comment that followed code on its line stays at the end
//! of the line that code ends; a comment on its own line stays on its own line. Doc comments are placed the same
//! way, so they stay right before what they document. A comment in the middle of an expression that has no such
//! place (`a ++ // why` `b`) moves to the end of that expression's line, or before the next member.

mod comments;
mod doc;
mod exprs;
mod literals;
mod members;
mod printer;
mod render;
mod tree;
mod verify;

pub use verify::{FormatDefect, format_verified};

use crate::syntax::ParseError;
pub use tree::MAX_WIDTH;
use tree::{format_tree, parse_cleanly};

/// Formats a playbook file in the canonical layout, or returns the errors that keep it from parsing.
pub fn format_playbook(src: &str) -> Result<String, Vec<ParseError>> {
    let file = parse_cleanly(src)?;
    Ok(format_tree(src, &file))
}

/// Whether the file is already in the canonical layout.
pub fn is_formatted(src: &str) -> Result<bool, Vec<ParseError>> {
    Ok(format_playbook(src)? == src)
}
