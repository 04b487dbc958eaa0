//! Printing the grammar in llguidance's Lark dialect.

use std::fmt::Write;

use super::production::{Grammar, Notation};
use super::rx::{CharClass, Rx};

/// Terminals in capitals, productions as they are named.
const LARK: Notation = Notation { terminal: str::to_uppercase, production: str::to_string, literal };

pub(super) fn print(grammar: &Grammar) -> String {
    let mut out = String::from("%llguidance {}\n\n");
    for line in super::header(grammar) {
        let _ = writeln!(out, "// {line}");
    }
    let _ = writeln!(out, "\nstart: {}", grammar.productions[0].name);
    for production in &grammar.productions {
        let _ = writeln!(out, "{}: {}", production.name, grammar.body(&production.body, &LARK, false));
    }
    out.push('\n');
    for terminal in &grammar.terminals {
        let _ = writeln!(out, "{}: {}", terminal.name.to_uppercase(), rx(&terminal.rx));
    }
    let skip: Vec<String> = grammar.skip.iter().map(|terminal| terminal.name.to_uppercase()).collect();
    let _ = writeln!(out, "skip: ({})+", skip.join(" | "));
    for terminal in &grammar.skip {
        let _ = writeln!(out, "{}: {}", terminal.name.to_uppercase(), rx(&terminal.rx));
    }
    out
}

fn literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

/// A terminal's expression, fully parenthesised where operators meet.
fn rx(expr: &Rx) -> String {
    match expr {
        Rx::Empty => "\"\"".to_string(),
        Rx::Lit(text) => literal(text),
        Rx::Class(class) => format!("/{}/", class_regex(class)),
        Rx::Seq(items) => format!("({})", items.iter().map(rx).collect::<Vec<_>>().join(" ")),
        Rx::Alt(items) => format!("({})", items.iter().map(rx).collect::<Vec<_>>().join(" | ")),
        Rx::Star(inner) => format!("{}*", atom(inner)),
        Rx::Plus(inner) => format!("{}+", atom(inner)),
        Rx::Opt(inner) => format!("{}?", atom(inner)),
        Rx::And(items) => format!("({})", items.iter().map(rx).collect::<Vec<_>>().join(" & ")),
        Rx::Not(inner) => format!("~{}", atom(inner)),
    }
}

fn atom(expr: &Rx) -> String {
    match expr {
        Rx::Lit(text) if text.chars().count() != 1 => format!("({})", literal(text)),
        Rx::Star(_) | Rx::Plus(_) | Rx::Opt(_) | Rx::Not(_) => format!("({})", rx(expr)),
        other => rx(other),
    }
}

/// A character class in the syntax of Rust's regex crate, which llguidance's regexes follow; `/` is written
/// as an escape so that it cannot end the Lark regex.
fn class_regex(class: &CharClass) -> String {
    if class.is_any() {
        return "(?s:.)".to_string();
    }
    let (negated, shown) = if class.ranges().first().is_some_and(|(low, _)| *low == '\0') {
        (true, class.complement())
    } else {
        (false, class.clone())
    };
    let mut out = String::from(if negated { "[^" } else { "[" });
    for &(low, high) in shown.ranges() {
        out.push_str(&class_char(low));
        if high != low {
            out.push('-');
            out.push_str(&class_char(high));
        }
    }
    out.push(']');
    out
}

fn class_char(c: char) -> String {
    match c {
        'a'..='z'
        | 'A'..='Z'
        | '0'..='9'
        | '_'
        | ' '
        | '!'
        | '"'
        | '#'
        | '%'
        | '&'
        | ','
        | ':'
        | ';'
        | '<'
        | '='
        | '>'
        | '@'
        | '`'
        | '\''
        | '{'
        | '}'
        | '~'
        | '$'
        | '('
        | ')'
        | '*'
        | '+'
        | '.'
        | '?'
        | '|' => c.to_string(),
        '\n' => "\\n".to_string(),
        '\t' => "\\t".to_string(),
        '\r' => "\\r".to_string(),
        other => format!("\\x{{{:X}}}", other as u32),
    }
}
