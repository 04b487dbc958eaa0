//! A resource record as a stdlib declaration describes it, built field by field. Every provider starts one with
//! its cloud's common fields (`kind`, `id`, `name`, `cloud`, `region`, `tags`, and the account, subscription or
//! project) and adds the fields of the resource's declaration with their declared types. Datetimes are RFC 3339
//! in UTC to the second (`2026-11-24T12:00:00Z`), as the compiler writes them; an absent optional field is
//! `Value::Null`, never missing.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;

/// Builds one record: [`Record::new`], fields, then [`Record::build`].
#[derive(Debug, Clone, Default)]
pub struct Record(BTreeMap<String, Value>);

impl Record {
    /// The fields every resource has; `name` falls back to `id` when empty, and `tags` starts empty.
    pub fn new(kind: &str, id: &str, name: &str, cloud: &str, region: &str) -> Record {
        let name = if name.is_empty() { id } else { name };
        Record::default()
            .str("kind", kind)
            .str("id", id)
            .str("name", name)
            .str("cloud", cloud)
            .str("region", region)
            .value("tags", Value::Record(BTreeMap::new()))
    }

    pub fn str(self, field: &str, value: impl Into<String>) -> Record {
        self.value(field, Value::String(value.into()))
    }

    /// An `optional<string>`: `None` is `null`.
    pub fn opt_str(self, field: &str, value: Option<impl Into<String>>) -> Record {
        self.value(field, value.map_or(Value::Null, |v| Value::String(v.into())))
    }

    pub fn int(self, field: &str, value: i64) -> Record {
        self.value(field, Value::Int(value))
    }

    /// An `optional<int>`: `None` is `null`.
    pub fn opt_int(self, field: &str, value: Option<i64>) -> Record {
        self.value(field, value.map_or(Value::Null, Value::Int))
    }

    pub fn bool(self, field: &str, value: bool) -> Record {
        self.value(field, Value::Bool(value))
    }

    pub fn strings(self, field: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Record {
        self.value(field, Value::List(values.into_iter().map(|v| Value::String(v.into())).collect()))
    }

    /// A `map<string, string>` such as `tags`.
    pub fn map<K: Into<String>, V: Into<String>>(self, field: &str, pairs: impl IntoIterator<Item = (K, V)>) -> Record {
        let map = pairs.into_iter().map(|(k, v)| (k.into(), Value::String(v.into()))).collect();
        self.value(field, Value::Record(map))
    }

    /// A `datetime` from RFC 3339 text; absent or unreadable text is the Unix epoch (the field is not optional).
    pub fn time(self, field: &str, rfc3339: &str) -> Record {
        let secs = chrono::DateTime::parse_from_rfc3339(rfc3339).map(|t| t.timestamp()).unwrap_or(0);
        self.str(field, timestamp(secs))
    }

    pub fn value(mut self, field: &str, value: Value) -> Record {
        self.0.insert(field.into(), value);
        self
    }

    pub fn build(self) -> Value {
        Value::Record(self.0)
    }
}

/// Seconds since the Unix epoch as RFC 3339 in UTC to the second.
pub fn timestamp(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_fields_come_first_and_the_name_falls_back_to_the_id() {
        let record = Record::new("gcp.compute.Instance", "42", "", "gcp", "us-central1").build();
        let Value::Record(fields) = record else { panic!("a record") };
        assert_eq!(fields.get("name"), Some(&Value::String("42".into())));
        assert_eq!(fields.get("tags"), Some(&Value::Record(BTreeMap::new())));
    }

    #[test]
    fn times_are_utc_to_the_second_and_unknown_ones_the_epoch() {
        let record = Record::default().time("a", "2016-12-28T04:41:35.9278721-08:00").time("b", "").build();
        let Value::Record(fields) = record else { panic!("a record") };
        assert_eq!(fields.get("a"), Some(&Value::String("2016-12-28T12:41:35Z".into())));
        assert_eq!(fields.get("b"), Some(&Value::String("1970-01-01T00:00:00Z".into())));
    }
}
