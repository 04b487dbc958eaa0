//! A lexical pest expression (one that calls no production) as one terminal's regular expression.
//!
//! Each expression is translated together with what follows it inside the terminal (its continuation), so that
//! a lookahead constrains what really comes next: `!x ~ rest` is `rest & ~(x .*)`, and an ordered choice
//! `a | b` is `a | (b & ~(a .*))`, as PEG tries `b` only where `a` fails. A lookahead at the terminal's end
//! constrains the next terminal instead; that is the lexer's longest match (`"not" ~ !ident_char` is the
//! terminal `not`, and `nothing` lexes as one identifier).
//!
//! Repetition is not possessive here (PEG's `x*` never gives back what it took); the one repetition whose body
//! has a lookahead, `(!("a" | "bc") ~ ANY)+`, becomes a run of characters no excluded literal starts with, or
//! one first character of a longer excluded literal on its own, so that the lexer's longest match picks `bc`
//! over `b` where both could start.

use std::collections::HashMap;

use pest_meta::ast::{Expr, Rule, RuleType};

use super::ExportError;
use super::rx::{CharClass, Rx};

/// pest's built-in rules that match one character, and those that match none.
pub(super) fn builtin(name: &str) -> Option<Rx> {
    let class = |ranges: &[(char, char)]| {
        Rx::Class(ranges.iter().fold(CharClass::default(), |all, &(low, high)| all.union(&CharClass::range(low, high))))
    };
    Some(match name {
        "ANY" => Rx::Class(CharClass::any()),
        "ASCII_DIGIT" => class(&[('0', '9')]),
        "ASCII_ALPHA" => class(&[('a', 'z'), ('A', 'Z')]),
        "ASCII_ALPHANUMERIC" => class(&[('a', 'z'), ('A', 'Z'), ('0', '9')]),
        "NEWLINE" => Rx::Alt(vec![Rx::Lit("\n".into()), Rx::Lit("\r\n".into()), Rx::Lit("\r".into())]),
        "SOI" | "EOI" => Rx::Empty,
        _ => return None,
    })
}

pub(super) struct Lexical<'g> {
    rules: &'g HashMap<String, &'g Rule>,
    /// The rules being inlined, to report a recursive one rather than loop.
    inlining: Vec<String>,
}

impl<'g> Lexical<'g> {
    pub(super) fn new(rules: &'g HashMap<String, &'g Rule>) -> Self {
        Self { rules, inlining: Vec::new() }
    }

    /// The terminal a whole rule matches.
    pub(super) fn terminal(&mut self, rule: &str) -> Result<Rx, ExportError> {
        self.expr(&Expr::Ident(rule.to_string()), Rx::Empty)
    }

    /// The terminal an expression matches.
    pub(super) fn terminal_of(&mut self, expr: &Expr) -> Result<Rx, ExportError> {
        self.expr(expr, Rx::Empty)
    }

    /// `expr` followed by `rest`.
    fn expr(&mut self, expr: &Expr, rest: Rx) -> Result<Rx, ExportError> {
        Ok(match expr {
            Expr::Str(text) => Rx::seq(Rx::Lit(text.clone()), rest),
            Expr::Insens(text) => {
                let letters = text.chars().map(|c| {
                    let lower = CharClass::one(c.to_ascii_lowercase());
                    Rx::Class(lower.union(&CharClass::one(c.to_ascii_uppercase())))
                });
                letters.rev().fold(rest, |rest, letter| Rx::seq(letter, rest))
            }
            Expr::Range(low, high) => {
                let (Some(low), Some(high)) = (single_char(low), single_char(high)) else {
                    return Err(ExportError::Unsupported { what: format!("the range '{low}'..'{high}'") });
                };
                Rx::seq(Rx::Class(CharClass::range(low, high)), rest)
            }
            Expr::Ident(name) => match builtin(name) {
                Some(rx) => Rx::seq(rx, rest),
                None => self.inline(name, rest)?,
            },
            Expr::Seq(first, second) => {
                let second = self.expr(second, rest)?;
                self.expr(first, second)?
            }
            // Where `a | b` succeeds at all is where either does: no need for the order.
            Expr::Choice(first, second) if rest == Rx::any_string() => {
                Rx::alt(self.expr(first, rest.clone())?, self.expr(second, rest)?)
            }
            Expr::Choice(first, second) => {
                let excluded = self.starts(first)?;
                let tried_first = self.expr(first, rest.clone())?;
                let tried_second = self.expr(second, rest)?.and_not(excluded);
                Rx::alt(tried_first, tried_second)
            }
            Expr::Opt(inner) => {
                let excluded = self.starts(inner)?;
                let taken = self.expr(inner, rest.clone())?;
                Rx::alt(taken, rest.and_not(excluded))
            }
            Expr::Rep(inner) => match self.literal_run(inner, &rest)? {
                Some(run) => Rx::seq(Rx::Opt(Box::new(run)), rest),
                None => Rx::seq(Rx::Star(Box::new(self.expr(inner, Rx::Empty)?)), rest),
            },
            Expr::RepOnce(inner) => match self.literal_run(inner, &rest)? {
                Some(run) => Rx::seq(run, rest),
                None => Rx::seq(Rx::Plus(Box::new(self.expr(inner, Rx::Empty)?)), rest),
            },
            Expr::NegPred(inner) => rest.and_not(self.starts(inner)?),
            Expr::PosPred(inner) => {
                if rest == Rx::Empty {
                    rest
                } else {
                    rest.and(self.starts(inner)?)
                }
            }
            other => return Err(ExportError::Unsupported { what: format!("{other:?}") }),
        })
    }

    /// Every string on which `expr` succeeds at the start.
    fn starts(&mut self, expr: &Expr) -> Result<Rx, ExportError> {
        self.expr(expr, Rx::any_string())
    }

    fn inline(&mut self, name: &str, rest: Rx) -> Result<Rx, ExportError> {
        let rule = self.rules.get(name).ok_or_else(|| ExportError::UnknownRule { name: name.to_string() })?;
        if self.inlining.iter().any(|open| open == name) {
            return Err(ExportError::RecursiveTerminal { name: name.to_string() });
        }
        if rule.ty == RuleType::NonAtomic {
            return Err(ExportError::Unsupported { what: format!("the non-atomic rule {name} inside a terminal") });
        }
        self.inlining.push(name.to_string());
        let result = self.expr(&rule.expr, rest);
        self.inlining.pop();
        result
    }

    /// `(!(l1 | l2 | ..) ~ ANY)+` at a terminal's end, as the lexer can take it: a run of characters that start
    /// no excluded literal, or alone the first character of a longer one.
    fn literal_run(&mut self, body: &Expr, rest: &Rx) -> Result<Option<Rx>, ExportError> {
        let Expr::Seq(guard, any) = body else { return Ok(None) };
        let (Expr::NegPred(excluded), Expr::Ident(any)) = (guard.as_ref(), any.as_ref()) else { return Ok(None) };
        if any != "ANY" {
            return Ok(None);
        }
        let Some(literals) = literals(excluded) else { return Ok(None) };
        let firsts = literals
            .iter()
            .filter_map(|l| l.chars().next())
            .fold(CharClass::default(), |all, c| all.union(&CharClass::one(c)));
        let run = Rx::Plus(Box::new(Rx::Class(CharClass::any().minus(&firsts))));
        let longer_firsts: Vec<char> = literals
            .iter()
            .filter(|l| l.chars().count() > 1)
            .filter_map(|l| l.chars().next())
            .filter(|c| !literals.iter().any(|l| l.chars().eq(std::iter::once(*c))))
            .collect();
        if longer_firsts.is_empty() {
            return Ok(Some(run));
        }
        if *rest != Rx::Empty {
            // Inside a terminal (`"/*" ~ (!"*/" ~ ANY)* ~ "*/"`): any run of the other characters that holds no
            // longer excluded literal.
            let singles: Vec<&String> = literals.iter().filter(|l| l.chars().count() == 1).collect();
            let single_chars = singles
                .iter()
                .filter_map(|l| l.chars().next())
                .fold(CharClass::default(), |all, c| all.union(&CharClass::one(c)));
            let mut run = Rx::Plus(Box::new(Rx::Class(CharClass::any().minus(&single_chars))));
            for longer in literals.iter().filter(|l| l.chars().count() > 1) {
                let inside = Rx::Seq(vec![Rx::any_string(), Rx::Lit(longer.clone()), Rx::any_string()]);
                run = run.and_not(inside);
            }
            return Ok(Some(run));
        }
        let singles = longer_firsts.into_iter().fold(CharClass::default(), |all, c| all.union(&CharClass::one(c)));
        Ok(Some(Rx::alt(run, Rx::Class(singles))))
    }
}

/// The literals of `"a" | "b" | ..`, or of a rule that is only that.
fn literals(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Str(text) => Some(vec![text.clone()]),
        Expr::Choice(a, b) => {
            let mut all = literals(a)?;
            all.extend(literals(b)?);
            Some(all)
        }
        _ => None,
    }
}

fn single_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}
