//! The names a playbook defines: parameters, lets and steps, in one namespace.

use std::collections::BTreeMap;

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
    pub symbols: BTreeMap<String, Symbol>,
}

impl Scope {
    /// Collects the definitions of a playbook; the second definition of a name is returned as a duplicate
    /// (its member index and the first one's).
    pub fn collect(playbook: &Playbook) -> (Scope, Vec<(usize, usize)>) {
        let mut scope = Scope::default();
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

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.symbols.keys().map(String::as_str)
    }

    pub fn step_names(&self) -> impl Iterator<Item = &str> {
        self.symbols.iter().filter(|(_, s)| matches!(s, Symbol::Step(_))).map(|(n, _)| n.as_str())
    }
}

pub fn symbol_index(symbol: Symbol) -> usize {
    match symbol {
        Symbol::Param(i) | Symbol::Let(i) | Symbol::Step(i) => i,
    }
}
