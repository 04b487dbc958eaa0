//! The names a playbook defines: parameters, lets and steps, in one namespace.

use std::collections::HashMap;

use crate::syntax::ast::{Member, Playbook};

/// What a name in a playbook's namespace refers to: the index of the defining member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbol {
    Param(usize),
    Let(usize),
    Step(usize),
}

#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Looked up for every name read, so hashed; listed in sorted order.
    pub symbols: HashMap<String, Symbol>,
}

impl Scope {
    /// Collects the definitions of a playbook; the second definition of a name is returned as a duplicate
    /// (its member index and the first one's).
    pub fn collect(playbook: &Playbook) -> (Scope, Vec<(usize, usize)>) {
        let mut scope = Scope { symbols: HashMap::with_capacity(playbook.members.len()) };
        let mut duplicates = Vec::new();
        for (index, member) in playbook.members.iter().enumerate() {
            let (name, symbol) = match member {
                Member::Param(p) => (&p.name.name, Symbol::Param(index)),
                Member::Let(l) => (&l.name.name, Symbol::Let(index)),
                Member::Step(s) => (&s.name.name, Symbol::Step(index)),
                Member::Schedule(_) => continue,
            };
            match scope.symbols.get(name) {
                Some(first) => duplicates.push((index, symbol_index(*first))),
                None => {
                    scope.symbols.insert(name.clone(), symbol);
                }
            }
        }
        (scope, duplicates)
    }

    pub fn get(&self, name: &str) -> Option<Symbol> {
        self.symbols.get(name).copied()
    }

    /// Every name, in sorted order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sorted(|_| true)
    }

    /// The names of steps, in sorted order.
    pub fn step_names(&self) -> impl Iterator<Item = &str> {
        self.sorted(|symbol| matches!(symbol, Symbol::Step(_)))
    }

    fn sorted(&self, keep: impl Fn(Symbol) -> bool) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> =
            self.symbols.iter().filter(|&(_, &symbol)| keep(symbol)).map(|(name, _)| name.as_str()).collect();
        names.sort_unstable();
        names.into_iter()
    }
}

pub fn symbol_index(symbol: Symbol) -> usize {
    match symbol {
        Symbol::Param(i) | Symbol::Let(i) | Symbol::Step(i) => i,
    }
}
