//! Printing the grammar as llama.cpp's GBNF. GBNF has no lexer, no intersection and no complement: a
//! terminal's `A & ~B` is printed as `A`, so the GBNF accepts a superset of the Lark export.

use std::fmt::Write;

use super::production::{Grammar, Notation};
use super::rx::{CharClass, Rx};

const GBNF: Notation = Notation { terminal: terminal_name, production: name, literal };

pub(super) fn print(grammar: &Grammar) -> String {
    let mut out = String::new();
    for line in super::header(grammar) {
        let _ = writeln!(out, "# {line}");
    }
    let _ = writeln!(out, "# Terminals here keep only what they match, not what they exclude (`A & ~B` is A).");
    let _ = writeln!(out, "\nroot ::= {}", name(&grammar.productions[0].name));
    for production in &grammar.productions {
        let _ = writeln!(out, "{} ::= {}", name(&production.name), grammar.body(&production.body, &GBNF, false));
    }
    for terminal in &grammar.terminals {
        let _ = writeln!(out, "{} ::= {}", terminal_name(&terminal.name), rx(&terminal.rx));
    }
    let skip: Vec<String> = grammar.skip.iter().map(|terminal| terminal_name(&terminal.name)).collect();
    let _ = writeln!(out, "skip ::= ({})+", skip.join(" | "));
    for terminal in &grammar.skip {
        let _ = writeln!(out, "{} ::= {}", terminal_name(&terminal.name), rx(&terminal.rx));
    }
    out
}

/// GBNF names are letters, digits and dashes.
fn name(rule: &str) -> String {
    rule.replace('_', "-")
}

/// Terminals are prefixed so that no terminal's name meets a production's.
fn terminal_name(rule: &str) -> String {
    format!("t-{}", name(&rule.to_lowercase()))
}

fn rx(expr: &Rx) -> String {
    match expr {
        Rx::Empty => "\"\"".to_string(),
        Rx::Lit(text) => literal(text),
        Rx::Class(class) => class_text(class),
        Rx::Seq(items) => format!("({})", items.iter().map(rx).collect::<Vec<_>>().join(" ")),
        Rx::Alt(items) => format!("({})", items.iter().map(rx).collect::<Vec<_>>().join(" | ")),
        Rx::Star(inner) => format!("({})*", rx(inner)),
        Rx::Plus(inner) => format!("({})+", rx(inner)),
        Rx::Opt(inner) => format!("({})?", rx(inner)),
        Rx::And(items) => match items.iter().find(|item| !matches!(item, Rx::Not(_))) {
            Some(kept) => rx(kept),
            None => rx(&Rx::any_string()),
        },
        Rx::Not(_) => rx(&Rx::any_string()),
    }
}

fn literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        out.push_str(&escaped(c, &['"', '\\']));
    }
    out.push('"');
    out
}

fn class_text(class: &CharClass) -> String {
    let (negated, shown) = if class.ranges().first().is_some_and(|(low, _)| *low == '\0') && !class.is_any() {
        (true, class.complement())
    } else {
        (false, class.clone())
    };
    let mut out = String::from(if negated { "[^" } else { "[" });
    for &(low, high) in shown.ranges() {
        out.push_str(&escaped(low, &['\\', ']', '^', '-', '[']));
        if high != low {
            out.push('-');
            out.push_str(&escaped(high, &['\\', ']', '^', '-', '[']));
        }
    }
    out.push(']');
    out
}

fn escaped(c: char, special: &[char]) -> String {
    match c {
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        c if special.contains(&c) => format!("\\{c}"),
        c if (c as u32) < 0x20 || c as u32 == 0x7F => format!("\\x{:02X}", c as u32),
        c if (c as u32) > 0xFFFF => format!("\\U{:08X}", c as u32),
        c if (c as u32) > 0x7E => format!("\\u{:04X}", c as u32),
        c => c.to_string(),
    }
}
