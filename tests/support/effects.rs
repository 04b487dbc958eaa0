//! What a run is expected to do to an estate, and the check that it did exactly that: listed fields changed as
//! stated, listed resources gone, each expected new resource present once, and every other record identical.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::estate::{Estate, Resource};
use super::time::epoch_seconds;

/// What a changed field must hold after the run.
pub enum Rule {
    Is(Value),
    /// A timestamp no earlier than this one (a start time the cloud sets).
    NotBefore(String),
    /// A number greater than this one.
    MoreThan(f64),
}

impl Rule {
    fn holds(&self, value: Option<&Value>) -> bool {
        match self {
            Rule::Is(wanted) => value == Some(wanted),
            Rule::NotBefore(earliest) => {
                value.and_then(Value::as_str).is_some_and(|text| epoch_seconds(text) >= epoch_seconds(earliest))
            }
            Rule::MoreThan(floor) => value.and_then(Value::as_f64).is_some_and(|number| number > *floor),
        }
    }

    fn describe(&self) -> String {
        match self {
            Rule::Is(wanted) => wanted.to_string(),
            Rule::NotBefore(earliest) => format!("a time not before {earliest}"),
            Rule::MoreThan(floor) => format!("a number above {floor}"),
        }
    }
}

/// A resource the run must create, recognised by a predicate.
struct Creation {
    what: String,
    matches: Box<dyn Fn(&Resource) -> bool>,
}

#[derive(Default)]
pub struct Effects {
    changes: BTreeMap<String, BTreeMap<String, Rule>>,
    removals: BTreeSet<String>,
    creations: Vec<Creation>,
}

impl Effects {
    /// The resource's `field` must equal `value` after the run.
    pub fn set(&mut self, id: &str, field: &str, value: impl Into<Value>) -> &mut Self {
        self.rule(id, field, Rule::Is(value.into()))
    }

    pub fn rule(&mut self, id: &str, field: &str, rule: Rule) -> &mut Self {
        assert!(!self.removals.contains(id), "{id} is expected both changed and removed");
        self.changes.entry(id.to_string()).or_default().insert(field.to_string(), rule);
        self
    }

    pub fn remove(&mut self, id: &str) -> &mut Self {
        assert!(!self.changes.contains_key(id), "{id} is expected both changed and removed");
        self.removals.insert(id.to_string());
        self
    }

    /// Exactly one new resource must satisfy `matches`.
    pub fn create(&mut self, what: impl Into<String>, matches: impl Fn(&Resource) -> bool + 'static) -> &mut Self {
        self.creations.push(Creation { what: what.into(), matches: Box::new(matches) });
        self
    }

    /// Panics, naming the example and every difference, unless `after` is `before` with exactly these effects.
    pub fn assert_on(&self, example: &str, before: &Estate, after: &Estate) {
        let mut problems = Vec::new();
        for (id, old) in &before.resources {
            let Some(new) = after.resources.get(id) else {
                if !self.removals.contains(id) {
                    problems.push(format!("{} was removed, but should have been kept", old.label()));
                }
                continue;
            };
            if self.removals.contains(id) {
                problems.push(format!("{} is still there, but should have been removed", old.label()));
                continue;
            }
            let rules = self.changes.get(id);
            compare(old, new, rules, &mut problems);
        }
        for id in self.changes.keys().chain(self.removals.iter()) {
            if !before.resources.contains_key(id) {
                problems.push(format!("the test expects a change to {id}, which was not in the estate before"));
            }
        }
        let created: Vec<&Resource> =
            after.resources.values().filter(|r| !before.resources.contains_key(r.id())).collect();
        for creation in &self.creations {
            let found: Vec<String> = created.iter().filter(|r| (creation.matches)(r)).map(|r| r.label()).collect();
            if found.len() != 1 {
                problems.push(format!("expected exactly one new {}, found {}: {found:?}", creation.what, found.len()));
            }
        }
        for resource in &created {
            if !self.creations.iter().any(|creation| (creation.matches)(resource)) {
                problems.push(format!("unexpected new resource {}: {:?}", resource.label(), resource.fields));
            }
        }
        if created.len() != self.creations.len() {
            problems.push(format!("{} resources were created, {} expected", created.len(), self.creations.len()));
        }
        assert!(
            problems.is_empty(),
            "{example}: the estate after the run differs from the expected effect:\n  - {}",
            problems.join("\n  - ")
        );
    }
}

/// Fields with a rule must satisfy it; every other field, and the account, must be as before.
fn compare(old: &Resource, new: &Resource, rules: Option<&BTreeMap<String, Rule>>, problems: &mut Vec<String>) {
    if rules.is_some() && old == new {
        problems.push(format!("{} should have changed, but is exactly as before", old.label()));
    }
    if old.account != new.account {
        problems.push(format!("{} moved from account {} to {}", old.label(), old.account, new.account));
    }
    let fields: BTreeSet<&String> = old.fields.keys().chain(new.fields.keys()).collect();
    for field in fields {
        let (was, is) = (old.fields.get(field), new.fields.get(field));
        match rules.and_then(|rules| rules.get(field)) {
            Some(rule) if !rule.holds(is) => problems.push(format!(
                "{}: `{field}` should be {}, is {} (was {})",
                old.label(),
                rule.describe(),
                shown(is),
                shown(was)
            )),
            Some(_) => {}
            None if was != is => problems.push(format!(
                "{}: `{field}` should not change, but went from {} to {}",
                old.label(),
                shown(was),
                shown(is)
            )),
            None => {}
        }
    }
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_string(), Value::to_string)
}
