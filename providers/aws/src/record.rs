//! Resource records as the stdlib declares them (`stdlib/declarations/aws/*.esc`): every record carries `kind`,
//! `id`, `name`, `cloud` (`aws`), `account`, `region` and `tags`, then the fields of its resource declaration,
//! with the declared types. Datetimes are RFC 3339 strings in UTC to the second (`2026-11-24T12:00:00Z`), as the
//! compiler and the simulator write them; an absent optional field is `Value::Null`, never missing.

use std::collections::BTreeMap;

use aws_smithy_types::DateTime;
use escher_compiler::plan::Value;

/// Builds one record. Start with [`Rec::new`], add fields, finish with [`Rec::build`].
#[derive(Debug, Clone)]
pub(crate) struct Rec(BTreeMap<String, Value>);

impl Rec {
    /// The fields every AWS resource has. `name` falls back to the id when empty.
    pub(crate) fn new(kind: &str, id: &str, name: &str, account: &str, region: &str) -> Rec {
        let mut fields = BTreeMap::new();
        let name = if name.is_empty() { id } else { name };
        fields.insert("kind".into(), text(kind));
        fields.insert("id".into(), text(id));
        fields.insert("name".into(), text(name));
        fields.insert("cloud".into(), text("aws"));
        fields.insert("account".into(), text(account));
        fields.insert("region".into(), text(region));
        fields.insert("tags".into(), Value::Record(BTreeMap::new()));
        Rec(fields)
    }

    pub(crate) fn str(mut self, field: &str, value: impl Into<String>) -> Rec {
        self.0.insert(field.into(), Value::String(value.into()));
        self
    }

    /// An `optional<string>`: `None` is `null`.
    pub(crate) fn opt_str(mut self, field: &str, value: Option<impl Into<String>>) -> Rec {
        self.0.insert(field.into(), value.map_or(Value::Null, |v| Value::String(v.into())));
        self
    }

    pub(crate) fn int(mut self, field: &str, value: i64) -> Rec {
        self.0.insert(field.into(), Value::Int(value));
        self
    }

    pub(crate) fn opt_int(mut self, field: &str, value: Option<i64>) -> Rec {
        self.0.insert(field.into(), value.map_or(Value::Null, Value::Int));
        self
    }

    pub(crate) fn bool(mut self, field: &str, value: bool) -> Rec {
        self.0.insert(field.into(), Value::Bool(value));
        self
    }

    /// A `datetime`; an unknown time is the Unix epoch (never `null`: the field is not optional).
    pub(crate) fn time(mut self, field: &str, value: Option<&DateTime>) -> Rec {
        self.0.insert(field.into(), text(value.map_or_else(|| timestamp_secs(0), |t| timestamp_secs(t.secs()))));
        self
    }

    pub(crate) fn strings(mut self, field: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Rec {
        self.0.insert(field.into(), Value::List(values.into_iter().map(|v| Value::String(v.into())).collect()));
        self
    }

    /// The record's tags, from `(key, value)` pairs. A `Name` tag also becomes the name.
    pub(crate) fn tags<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Rec {
        let tags: BTreeMap<String, Value> =
            pairs.into_iter().map(|(k, v)| (k.as_ref().to_string(), text(v.as_ref()))).collect();
        if let Some(Value::String(name)) = tags.get("Name").filter(|n| !matches!(n, Value::String(s) if s.is_empty())) {
            self.0.insert("name".into(), text(name.clone()));
        }
        self.0.insert("tags".into(), Value::Record(tags));
        self
    }

    pub(crate) fn set(mut self, field: &str, value: Value) -> Rec {
        self.0.insert(field.into(), value);
        self
    }

    pub(crate) fn build(self) -> Value {
        Value::Record(self.0)
    }
}

pub(crate) fn text(value: impl Into<String>) -> Value {
    Value::String(value.into())
}

/// Seconds since the Unix epoch as the compiler's datetime text.
pub(crate) fn timestamp_secs(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Now, as the compiler's datetime text.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A field of a record.
pub(crate) fn field<'a>(record: &'a Value, name: &str) -> Option<&'a Value> {
    match record {
        Value::Record(fields) => fields.get(name),
        _ => None,
    }
}

/// A string field of a record, or `""`.
pub(crate) fn str_field<'a>(record: &'a Value, name: &str) -> &'a str {
    match field(record, name) {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

/// A record's tags: the runtime's, shared by every provider.
pub(crate) use escher_runtime::provider::resource_tags as tags_of;

/// Tags as a record value.
pub(crate) fn tags_value(tags: &BTreeMap<String, String>) -> Value {
    Value::Record(tags.iter().map(|(k, v)| (k.clone(), text(v.clone()))).collect())
}

/// Whether a record carries every wanted tag with its value; a record with one field overwritten (for "the
/// resource as it would be after" in dry runs and results). The runtime's, shared by every provider.
pub(crate) use escher_runtime::provider::{resource_has_tags as has_tags, with_resource_field as with_field};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_comes_from_the_name_tag_else_the_id() {
        let plain = Rec::new("aws.ec2.Instance", "i-1", "", "111", "eu-west-1").build();
        assert_eq!(str_field(&plain, "name"), "i-1");
        let named = Rec::new("aws.ec2.Instance", "i-1", "", "111", "eu-west-1").tags([("Name", "web")]).build();
        assert_eq!(str_field(&named, "name"), "web");
        assert_eq!(str_field(&named, "cloud"), "aws");
    }

    #[test]
    fn datetimes_are_rfc3339_seconds_in_utc() {
        let at = DateTime::from_secs(1_700_000_000);
        let record = Rec::new("aws.ec2.Snapshot", "snap-1", "", "1", "r").time("created", Some(&at)).build();
        assert_eq!(str_field(&record, "created"), "2023-11-14T22:13:20Z");
    }
}
