//! Resource records: the fields of a resource by name, as the runtime and playbooks see them.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;

/// One resource: `kind`, `id`, `name`, `cloud`, `account`, `region`, `state`, `tags` and the fields its
/// resource declaration lists, plus `monthly_cost` for cost queries.
pub type Record = BTreeMap<String, Value>;

pub(crate) fn text(value: impl Into<String>) -> Value {
    Value::String(value.into())
}

pub(crate) fn str_of<'a>(record: &'a Record, field: &str) -> Option<&'a str> {
    match record.get(field) {
        Some(Value::String(value)) => Some(value),
        _ => None,
    }
}

/// A string field, or `""` when it is missing: for fields every validated record has.
pub(crate) fn field<'a>(record: &'a Record, name: &str) -> &'a str {
    str_of(record, name).unwrap_or("")
}

pub(crate) fn bool_of(record: &Record, field: &str) -> Option<bool> {
    match record.get(field) {
        Some(Value::Bool(value)) => Some(*value),
        _ => None,
    }
}

pub(crate) fn int_of(record: &Record, field: &str) -> Option<i64> {
    match record.get(field) {
        Some(Value::Int(value)) => Some(*value),
        _ => None,
    }
}

/// A number field read as a float (integers included).
pub(crate) fn number_of(record: &Record, field: &str) -> Option<f64> {
    match record.get(field) {
        Some(Value::Int(value)) => Some(*value as f64),
        Some(Value::Float(value)) => Some(*value),
        _ => None,
    }
}

pub(crate) fn kind(record: &Record) -> &str {
    field(record, "kind")
}

pub(crate) fn id(record: &Record) -> &str {
    field(record, "id")
}

/// The value of one tag (label on GCP).
pub(crate) fn tag<'a>(record: &'a Record, key: &str) -> Option<&'a str> {
    match record.get("tags") {
        Some(Value::Record(tags)) => match tags.get(key) {
            Some(Value::String(value)) => Some(value),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the record carries every wanted tag with its value.
pub(crate) fn has_tags(record: &Record, wanted: &BTreeMap<String, String>) -> bool {
    wanted.iter().all(|(key, value)| tag(record, key) == Some(value.as_str()))
}

/// Sets tags, keeping the others; reports whether anything changed.
pub(crate) fn merge_tags(record: &mut Record, tags: &BTreeMap<String, String>) -> bool {
    let entry = record.entry("tags".to_string()).or_insert_with(|| Value::Record(BTreeMap::new()));
    if !matches!(entry, Value::Record(_)) {
        *entry = Value::Record(BTreeMap::new());
    }
    let Value::Record(current) = entry else { return false };
    let mut changed = false;
    for (key, value) in tags {
        if current.get(key) != Some(&Value::String(value.clone())) {
            current.insert(key.clone(), text(value.clone()));
            changed = true;
        }
    }
    changed
}

pub(crate) fn strings(values: &[&str]) -> Value {
    Value::List(values.iter().map(|v| text(*v)).collect())
}

/// A JSON-like record value from field pairs, for query results.
pub(crate) fn row(pairs: Vec<(&str, Value)>) -> Value {
    Value::Record(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// The cloud of a resource, read from its kind.
pub(crate) fn kinds_cloud(record: &Record) -> &str {
    kind(record).split('.').next().unwrap_or("")
}
