//! Resource records as the stdlib declares them (`stdlib/declarations/azure/*.esc`): every record carries `kind`,
//! `id`, `name`, `cloud` (`azure`), `region`, `tags`, `subscription` and `resource_group`, then the fields of its
//! declaration with the declared types. The subscription and resource group come from the resource id, which
//! Resource Manager always returns; datetimes are RFC 3339 in UTC to the second, as the compiler writes them.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;
use serde_json::Value as Json;

/// The parts of a resource id: `/subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME[/TYPE/NAME...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceId<'a> {
    pub subscription: &'a str,
    pub resource_group: &'a str,
    /// The last segment: the resource's own name.
    pub name: &'a str,
}

impl<'a> ResourceId<'a> {
    /// `None` when `id` is not a resource group's resource.
    pub(crate) fn parse(id: &'a str) -> Option<ResourceId<'a>> {
        let segments: Vec<&str> = id.trim_matches('/').split('/').collect();
        let at = |key: &str| {
            segments.iter().position(|s| s.eq_ignore_ascii_case(key)).and_then(|i| segments.get(i + 1)).copied()
        };
        Some(ResourceId {
            subscription: at("subscriptions")?,
            resource_group: at("resourceGroups").unwrap_or(""),
            name: segments.last().copied().filter(|name| !name.is_empty())?,
        })
    }
}

/// Builds one record. Start with [`Rec::new`], add fields, finish with [`Rec::build`].
#[derive(Debug, Clone)]
pub(crate) struct Rec(BTreeMap<String, Value>);

impl Rec {
    /// The fields every Azure resource has, from its ARM JSON: `id`, `name`, `location` and `tags`.
    pub(crate) fn new(kind: &str, resource: &Json) -> Rec {
        let id = text_at(resource, &["id"]);
        let parts = ResourceId::parse(id);
        let name = match text_at(resource, &["name"]) {
            "" => parts.as_ref().map_or(id, |p| p.name),
            name => name,
        };
        let mut fields = BTreeMap::new();
        fields.insert("kind".into(), text(kind));
        fields.insert("id".into(), text(id));
        fields.insert("name".into(), text(name));
        fields.insert("cloud".into(), text("azure"));
        fields.insert("region".into(), text(&region(text_at(resource, &["location"]))));
        fields.insert("tags".into(), tags(resource.get("tags")));
        fields.insert("subscription".into(), text(parts.as_ref().map_or("", |p| p.subscription)));
        fields.insert("resource_group".into(), text(parts.as_ref().map_or("", |p| p.resource_group)));
        Rec(fields)
    }

    pub(crate) fn str(mut self, field: &str, value: impl Into<String>) -> Rec {
        self.0.insert(field.into(), Value::String(value.into()));
        self
    }

    pub(crate) fn opt_str(mut self, field: &str, value: Option<impl Into<String>>) -> Rec {
        self.0.insert(field.into(), value.map_or(Value::Null, |v| Value::String(v.into())));
        self
    }

    pub(crate) fn int(mut self, field: &str, value: i64) -> Rec {
        self.0.insert(field.into(), Value::Int(value));
        self
    }

    pub(crate) fn bool(mut self, field: &str, value: bool) -> Rec {
        self.0.insert(field.into(), Value::Bool(value));
        self
    }

    pub(crate) fn value(mut self, field: &str, value: Value) -> Rec {
        self.0.insert(field.into(), value);
        self
    }

    /// A `datetime` from ARM's RFC 3339 text; an absent or unreadable one is the Unix epoch (the field is not
    /// optional).
    pub(crate) fn time(mut self, field: &str, value: &str) -> Rec {
        let parsed = chrono::DateTime::parse_from_rfc3339(value).map(|t| t.timestamp()).unwrap_or(0);
        self.0.insert(field.into(), text(&timestamp(parsed)));
        self
    }

    pub(crate) fn build(self) -> Value {
        Value::Record(self.0)
    }
}

/// RFC 3339 in UTC to the second.
pub(crate) fn timestamp(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn text(value: &str) -> Value {
    Value::String(value.to_string())
}

/// The text at `path` in an ARM document, `""` when absent.
pub(crate) fn text_at<'a>(json: &'a Json, path: &[&str]) -> &'a str {
    path.iter().try_fold(json, |at, key| at.get(key)).and_then(Json::as_str).unwrap_or("")
}

/// ARM's location, as the stdlib's `azure.location` spells it: `East US` is `eastus`.
pub(crate) fn region(location: &str) -> String {
    location.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase()
}

/// A `tags` object as a `map<string, string>`.
pub(crate) fn tags(json: Option<&Json>) -> Value {
    let mut map = BTreeMap::new();
    if let Some(Json::Object(tags)) = json {
        for (key, value) in tags {
            map.insert(key.clone(), Value::String(value.as_str().unwrap_or_default().to_string()));
        }
    }
    Value::Record(map)
}

/// A string field of a record; `""` when absent.
pub(crate) fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    escher_runtime::provider::resource_field(record, name).unwrap_or("")
}

/// A record with one field changed; whether a record's `tags` hold every wanted key with its value; a record's
/// bool and int fields. The runtime's, shared by every provider.
pub(crate) use escher_runtime::provider::{
    resource_bool as flag, resource_has_tags as has_tags, resource_int as int, with_resource_field as with,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_give_their_subscription_group_and_name() {
        let id = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg/securityRules/r1";
        assert_eq!(ResourceId::parse(id), Some(ResourceId { subscription: "s1", resource_group: "rg1", name: "r1" }));
        // Casing varies between services (`resourcegroups`).
        let id = "/subscriptions/s1/resourcegroups/RG/providers/Microsoft.Web/sites/app";
        assert_eq!(ResourceId::parse(id).map(|p| p.resource_group), Some("RG"));
        assert_eq!(ResourceId::parse("/providers/Microsoft.Web/sites"), None);
    }

    #[test]
    fn the_common_fields_come_from_the_arm_document() {
        let resource = serde_json::json!({
            "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/disks/d1",
            "location": "West Europe", "tags": {"env": "dev"}
        });
        let record = Rec::new("azure.disk.Disk", &resource).build();
        assert_eq!(field(&record, "name"), "d1");
        assert_eq!(field(&record, "region"), "westeurope");
        assert_eq!(field(&record, "subscription"), "s1");
        assert_eq!(field(&record, "resource_group"), "rg1");
        assert!(has_tags(&record, &BTreeMap::from([("env".into(), "dev".into())])));
        assert!(!has_tags(&record, &BTreeMap::from([("env".into(), "prod".into())])));
    }

    #[test]
    fn times_are_utc_to_the_second() {
        let record = Rec::new("k", &serde_json::json!({})).time("created", "2016-12-28T04:41:35.9278721+00:00").build();
        assert_eq!(field(&record, "created"), "2016-12-28T04:41:35Z");
    }
}
