//! The pest grammar as productions over terminals: the shape both exports print.
//!
//! A rule is a terminal where pest reads it as one: atomic (`@`, `$`, or called from inside one), not recursive,
//! and calling only such rules. Everything else is a production. Between the items of a production pest skips
//! `WHITESPACE` and `COMMENT` unless the rule is atomic; the exports write that skip out as an optional `skip`
//! item where pest would try it, rather than ignoring whitespace everywhere, which would let it into strings.
//! Lookaheads between a production's items are left out (the export accepts a little more there); the
//! export's header names each one.

use std::collections::{HashMap, HashSet};

use pest_meta::ast::{Expr, Rule, RuleType};

use super::ExportError;
use super::lexical::{Lexical, builtin};
use super::rx::Rx;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Node {
    Empty,
    Lit(String),
    /// A terminal, by its index in [`Grammar::terminals`].
    Terminal(usize),
    /// A production, by its index in [`Grammar::productions`].
    Production(usize),
    /// What pest skips between two items of a non-atomic rule: `(WHITESPACE | COMMENT)*`.
    Skip,
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Opt(Box<Node>),
    Star(Box<Node>),
    Plus(Box<Node>),
}

pub(super) struct Terminal {
    /// The pest rule's name, or the rule's name and a number for a terminal inside a production.
    pub(super) name: String,
    pub(super) rx: Rx,
}

pub(super) struct Production {
    pub(super) name: String,
    pub(super) body: Node,
}

pub(super) struct Grammar {
    /// The first is the start.
    pub(super) productions: Vec<Production>,
    pub(super) terminals: Vec<Terminal>,
    /// What pest skips (`WHITESPACE`, as runs, and `COMMENT`), as separate terminals: one terminal for both
    /// would be cut short by the lexer's longest match where a comment's `//` turns out to start a doc line.
    pub(super) skip: Vec<Terminal>,
    /// The lookaheads left out, as `rule: text`.
    pub(super) dropped: Vec<String>,
}

/// How a notation writes a terminal's name, a production's name and a literal: all that Lark and GBNF
/// productions differ in.
pub(super) struct Notation {
    pub(super) terminal: fn(&str) -> String,
    pub(super) production: fn(&str) -> String,
    pub(super) literal: fn(&str) -> String,
}

impl Grammar {
    /// A production's body in `notation`; `nested` wraps an alternation or sequence in parentheses.
    pub(super) fn body(&self, node: &Node, notation: &Notation, nested: bool) -> String {
        let inner = |item: &Node| self.body(item, notation, true);
        match node {
            Node::Empty => "\"\"".to_string(),
            Node::Lit(text) => (notation.literal)(text),
            Node::Terminal(index) => (notation.terminal)(&self.terminals[*index].name),
            Node::Production(index) => (notation.production)(&self.productions[*index].name),
            Node::Skip => "skip?".to_string(),
            Node::Seq(items) => {
                let items: Vec<String> = items.iter().filter(|item| **item != Node::Empty).map(inner).collect();
                match items.as_slice() {
                    [] => "\"\"".to_string(),
                    [one] => one.clone(),
                    _ => group(items.join(" "), nested),
                }
            }
            Node::Alt(items) => group(items.iter().map(inner).collect::<Vec<_>>().join(" | "), nested),
            Node::Opt(item) => format!("{}?", inner(item)),
            Node::Star(item) => format!("{}*", inner(item)),
            Node::Plus(item) => format!("{}+", inner(item)),
        }
    }
}

fn group(text: String, nested: bool) -> String {
    if nested { format!("({text})") } else { text }
}

/// The grammar reachable from `start`.
pub(super) fn build(rules: &[Rule], start: &str) -> Result<Grammar, ExportError> {
    let table: HashMap<String, &Rule> = rules.iter().map(|rule| (rule.name.clone(), rule)).collect();
    let mut builder = Builder {
        table: &table,
        lexical: Lexical::new(&table),
        productions: Vec::new(),
        production_index: HashMap::new(),
        terminals: Vec::new(),
        terminal_index: HashMap::new(),
        dropped: Vec::new(),
        pending: Vec::new(),
    };
    builder.production(start, false)?;
    while let Some((index, name, atomic)) = builder.pending.pop() {
        let rule = table.get(&name).ok_or_else(|| ExportError::UnknownRule { name: name.clone() })?;
        let body = if builder.is_split(&name) {
            builder.split(&rule.expr, &name)?
        } else {
            builder.node(&rule.expr, atomic, &name)?
        };
        builder.productions[index].body = body;
    }
    for ((name, atomic), &index) in &builder.production_index {
        if *atomic && builder.production_index.contains_key(&(name.clone(), false)) {
            builder.productions[index].name = format!("{name}_atomic");
        }
    }
    let mut skip = Vec::new();
    for name in ["WHITESPACE", "COMMENT"] {
        if table.contains_key(name) {
            let rx = builder.lexical.terminal(name)?;
            let rx = if name == "WHITESPACE" { Rx::Plus(Box::new(rx)) } else { rx };
            skip.push(Terminal { name: name.to_string(), rx });
        }
    }
    Ok(Grammar { productions: builder.productions, terminals: builder.terminals, skip, dropped: builder.dropped })
}

struct Builder<'g> {
    table: &'g HashMap<String, &'g Rule>,
    lexical: Lexical<'g>,
    productions: Vec<Production>,
    production_index: HashMap<(String, bool), usize>,
    terminals: Vec<Terminal>,
    terminal_index: HashMap<String, usize>,
    dropped: Vec<String>,
    /// Productions named but not yet translated.
    pending: Vec<(usize, String, bool)>,
}

impl Builder<'_> {
    /// Whether a rule called where pest is (or is not) atomic reads as one terminal.
    fn is_lexical_rule(&self, name: &str, atomic: bool, open: &mut HashSet<String>) -> bool {
        if builtin(name).is_some() {
            return true;
        }
        let Some(rule) = self.table.get(name) else { return false };
        let atomic = callee_atomic(rule.ty, atomic);
        if !atomic || rule.ty == RuleType::NonAtomic || !open.insert(name.to_string()) {
            return false;
        }
        let lexical = self.is_lexical_expr(&rule.expr, open);
        open.remove(name);
        lexical
    }

    /// Whether an expression inside an atomic rule calls only lexical rules.
    fn is_lexical_expr(&self, expr: &Expr, open: &mut HashSet<String>) -> bool {
        expr.iter_top_down().all(|inner| match inner {
            Expr::Ident(name) => self.is_lexical_rule(&name, true, open),
            _ => true,
        })
    }

    /// Whether an atomic rule is exported as a production of its parts rather than one terminal: one with a
    /// literal between two parts (`DIGIT+ ~ "." ~ DIGIT+`). As one terminal the lexer, once it has read `1.`,
    /// could not give the `.` back when `..` follows; as parts, `1` ends where `..` begins.
    fn is_split(&self, name: &str) -> bool {
        let Some(rule) = self.table.get(name) else { return false };
        if !matches!(rule.ty, RuleType::Atomic | RuleType::CompoundAtomic) {
            return false;
        }
        let items = flatten_seq(&rule.expr);
        items.iter().skip(1).any(|item| matches!(item, Expr::Str(_)))
    }

    /// A split rule's parts: the literals between parts, and each run of the rest as one terminal (so that the
    /// `-` of `-1.5` stays with its digits, as it does in the terminal for integers).
    fn split(&mut self, expr: &Expr, rule: &str) -> Result<Node, ExportError> {
        let mut items = Vec::new();
        let mut run: Vec<Expr> = Vec::new();
        for item in flatten_seq(expr) {
            match item {
                Expr::Str(text) if !run.is_empty() => {
                    items.push(self.run(std::mem::take(&mut run), rule)?);
                    items.push(Node::Lit(text.clone()));
                }
                Expr::NegPred(_) | Expr::PosPred(_) if run.is_empty() => {
                    self.dropped.push(format!("{rule}: {}", describe(item)));
                }
                other => run.push(other.clone()),
            }
        }
        if !run.is_empty() {
            items.push(self.run(run, rule)?);
        }
        Ok(Node::Seq(items))
    }

    fn run(&mut self, run: Vec<Expr>, rule: &str) -> Result<Node, ExportError> {
        let expr = run.into_iter().reduce(|all, next| Expr::Seq(Box::new(all), Box::new(next)));
        match expr {
            Some(expr) => self.node(&expr, true, rule),
            None => Ok(Node::Empty),
        }
    }

    fn production(&mut self, name: &str, atomic: bool) -> Result<usize, ExportError> {
        let key = (name.to_string(), atomic);
        if let Some(&index) = self.production_index.get(&key) {
            return Ok(index);
        }
        // A plain rule called both inside and outside atomic rules is two productions; the atomic copy is
        // renamed once all are known.
        let index = self.productions.len();
        self.productions.push(Production { name: name.to_string(), body: Node::Empty });
        self.production_index.insert(key, index);
        self.pending.push((index, name.to_string(), atomic));
        Ok(index)
    }

    fn terminal(
        &mut self,
        name: String,
        rx: impl FnOnce(&mut Lexical) -> Result<Rx, ExportError>,
    ) -> Result<usize, ExportError> {
        if let Some(&index) = self.terminal_index.get(&name) {
            return Ok(index);
        }
        let rx = rx(&mut self.lexical)?;
        let index = self.terminals.len();
        self.terminals.push(Terminal { name: name.clone(), rx });
        self.terminal_index.insert(name, index);
        Ok(index)
    }

    fn node(&mut self, expr: &Expr, atomic: bool, rule: &str) -> Result<Node, ExportError> {
        Ok(match expr {
            Expr::Str(text) => Node::Lit(text.clone()),
            Expr::Ident(name) => self.call(name, atomic)?,
            _ if atomic
                && !matches!(expr, Expr::Opt(_) | Expr::Rep(_))
                && self.is_lexical_expr(expr, &mut HashSet::new()) =>
            {
                let name = format!("{rule}_{}", self.terminals.len());
                Node::Terminal(self.terminal(name, |lexical| lexical.terminal_of(expr))?)
            }
            Expr::Seq(..) => {
                let mut items = Vec::new();
                for item in flatten_seq(expr) {
                    if let Expr::NegPred(_) | Expr::PosPred(_) = item {
                        self.dropped.push(format!("{rule}: {}", describe(item)));
                        continue;
                    }
                    if !atomic && !items.is_empty() {
                        items.push(Node::Skip);
                    }
                    items.push(self.node(item, atomic, rule)?);
                }
                Node::Seq(items)
            }
            Expr::Choice(..) => {
                let mut alternatives = Vec::new();
                for alternative in flatten_choice(expr) {
                    alternatives.push(self.node(alternative, atomic, rule)?);
                }
                Node::Alt(alternatives)
            }
            Expr::Opt(inner) => Node::Opt(Box::new(self.node(inner, atomic, rule)?)),
            Expr::Rep(inner) => {
                let once = self.node(inner, atomic, rule)?;
                if atomic { Node::Star(Box::new(once)) } else { Node::Opt(Box::new(separated(once))) }
            }
            Expr::RepOnce(inner) => {
                let once = self.node(inner, atomic, rule)?;
                if atomic { Node::Plus(Box::new(once)) } else { separated(once) }
            }
            Expr::NegPred(_) | Expr::PosPred(_) => {
                self.dropped.push(format!("{rule}: {}", describe(expr)));
                Node::Empty
            }
            Expr::Insens(_) | Expr::Range(..) => {
                let name = format!("{rule}_{}", self.terminals.len());
                Node::Terminal(self.terminal(name, |lexical| lexical.terminal_of(expr))?)
            }
            other => return Err(ExportError::Unsupported { what: format!("{other:?} in {rule}") }),
        })
    }

    fn call(&mut self, name: &str, atomic: bool) -> Result<Node, ExportError> {
        if matches!(name, "SOI" | "EOI") {
            return Ok(Node::Empty);
        }
        if self.is_lexical_rule(name, atomic, &mut HashSet::new()) && !self.is_split(name) {
            let rule_name = name.to_string();
            let index = self.terminal(name.to_string(), |lexical| lexical.terminal(&rule_name))?;
            return Ok(Node::Terminal(index));
        }
        let rule = self.table.get(name).ok_or_else(|| ExportError::UnknownRule { name: name.to_string() })?;
        Ok(Node::Production(self.production(name, callee_atomic(rule.ty, atomic))?))
    }
}

/// Whether pest runs a rule atomically when called from a context that is (or is not).
fn callee_atomic(ty: RuleType, caller_atomic: bool) -> bool {
    match ty {
        RuleType::Atomic | RuleType::CompoundAtomic => true,
        RuleType::NonAtomic => false,
        RuleType::Normal | RuleType::Silent => caller_atomic,
    }
}

/// `x (SKIP x)*`: a non-atomic repetition, with pest's skip between the repeats.
fn separated(once: Node) -> Node {
    Node::Seq(vec![once.clone(), Node::Star(Box::new(Node::Seq(vec![Node::Skip, once])))])
}

fn flatten_seq(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Seq(a, b) => {
            let mut items = flatten_seq(a);
            items.extend(flatten_seq(b));
            items
        }
        other => vec![other],
    }
}

fn flatten_choice(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Choice(a, b) => {
            let mut items = flatten_choice(a);
            items.extend(flatten_choice(b));
            items
        }
        other => vec![other],
    }
}

/// A lookahead as the grammar writes it, for the export's header.
fn describe(expr: &Expr) -> String {
    match expr {
        Expr::Str(text) => format!("{text:?}"),
        Expr::Ident(name) => name.clone(),
        Expr::NegPred(inner) => format!("!{}", grouped(inner)),
        Expr::PosPred(inner) => format!("&{}", grouped(inner)),
        Expr::Seq(..) => flatten_seq(expr).into_iter().map(describe).collect::<Vec<_>>().join(" ~ "),
        Expr::Choice(..) => {
            format!("({})", flatten_choice(expr).into_iter().map(describe).collect::<Vec<_>>().join(" | "))
        }
        Expr::Opt(inner) => format!("{}?", describe(inner)),
        Expr::Rep(inner) => format!("{}*", describe(inner)),
        Expr::RepOnce(inner) => format!("{}+", describe(inner)),
        other => format!("{other:?}"),
    }
}

fn grouped(expr: &Expr) -> String {
    match expr {
        Expr::Seq(..) => format!("({})", describe(expr)),
        other => describe(other),
    }
}
