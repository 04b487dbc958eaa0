//! A resource record being built: its identity first, then every declared field with a sensible value.

use escher_compiler::plan::Value;

use crate::record::{Record, text};

/// When resources were made, unless a draft says otherwise.
pub const DEFAULT_TIME: &str = "2025-01-06T09:00:00Z";

/// The fields that say when a resource was made or last changed, by kind.
const TIME_FIELDS: &[&str] = &["created", "launch_time", "last_modified", "updated"];

/// A resource record being built.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft(Record);

impl Draft {
    pub(super) fn new(kind: &str, id: &str, name: &str, account: &str, region: &str) -> Self {
        let mut record = Record::new();
        record.insert("kind".into(), text(kind));
        record.insert("id".into(), text(id));
        record.insert("name".into(), text(name));
        record.insert("cloud".into(), text(kind.split('.').next().unwrap_or("")));
        record.insert("account".into(), text(account));
        record.insert("region".into(), text(region));
        record.insert("tags".into(), Value::Record(Default::default()));
        record.insert("monthly_cost".into(), Value::Float(0.0));
        Draft(record)
    }

    pub fn id(&self) -> &str {
        crate::record::id(&self.0)
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }

    pub fn set(mut self, field: &str, value: Value) -> Self {
        self.0.insert(field.to_string(), value);
        self
    }

    pub fn text(self, field: &str, value: &str) -> Self {
        self.set(field, text(value))
    }

    pub fn flag(self, field: &str, value: bool) -> Self {
        self.set(field, Value::Bool(value))
    }

    pub fn int(self, field: &str, value: i64) -> Self {
        self.set(field, Value::Int(value))
    }

    pub fn state(self, state: &str) -> Self {
        self.text("state", state)
    }

    pub fn tag(mut self, key: &str, value: &str) -> Self {
        if let Some(Value::Record(tags)) = self.0.get_mut("tags") {
            tags.insert(key.to_string(), text(value));
        }
        self
    }

    pub fn tags(self, pairs: &[(&str, &str)]) -> Self {
        pairs.iter().fold(self, |draft, (key, value)| draft.tag(key, value))
    }

    pub fn cost(self, monthly: f64) -> Self {
        self.set("monthly_cost", Value::Float(monthly))
    }

    /// Sets when the resource was made (or launched, or last deployed), an RFC 3339 time.
    pub fn at(mut self, time: &str) -> Self {
        for field in TIME_FIELDS {
            if self.0.contains_key(*field) {
                self.0.insert(field.to_string(), text(time));
            }
        }
        self
    }

    pub fn record(self) -> Record {
        self.0
    }
}

/// A stable number from a string, for addresses and other derived values.
pub(super) fn derived(of: &str, modulo: u64) -> u64 {
    crate::rng::hash(&[of]) % modulo.max(1)
}
