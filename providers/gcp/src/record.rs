//! Resource records as the stdlib declares them (`stdlib/declarations/gcp/*.esc`): every record carries `kind`,
//! `id`, `name`, `cloud` (`gcp`), `region`, `tags` (the resource's labels) and `project`, then the fields of its
//! declaration with the declared types.

use escher_compiler::plan::Value;
use escher_runtime::provider::record::Record;
use serde_json::Value as Json;

/// The fields every GCP resource has; `labels` is the resource's `labels` object (or Cloud SQL's `userLabels`).
pub(crate) fn record(kind: &str, id: &str, name: &str, region: &str, project: &str, labels: Option<&Json>) -> Record {
    Record::new(kind, id, name, "gcp", region).str("project", project).map("tags", label_pairs(labels))
}

fn label_pairs(labels: Option<&Json>) -> Vec<(String, String)> {
    labels
        .and_then(Json::as_object)
        .map(|map| map.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

/// The text at `path` in a JSON document, `""` when absent.
pub(crate) fn text_at<'a>(json: &'a Json, path: &[&str]) -> &'a str {
    path.iter().try_fold(json, |at, key| at.get(key)).and_then(Json::as_str).unwrap_or("")
}

/// An int64 as Google's JSON writes it (a string), or a number.
pub(crate) fn int_at(json: &Json, path: &[&str]) -> Option<i64> {
    let value = path.iter().try_fold(json, |at, key| at.get(key))?;
    value.as_i64().or_else(|| value.as_str().and_then(|text| text.parse().ok()))
}

/// The region of a zone: `us-central1-a` is in `us-central1`.
pub(crate) fn region_of_zone(zone: &str) -> &str {
    zone.rsplit_once('-').map_or(zone, |(region, _)| region)
}

/// A string field of a record; `""` when absent.
pub(crate) fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    escher_runtime::provider::resource_field(record, name).unwrap_or("")
}

/// A record with one field changed; whether a record's `tags` hold every wanted key with its value; a record's
/// bool and int fields. The runtime's, shared by every provider.
pub(crate) use escher_runtime::provider::{
    resource_bool as flag, resource_has_tags as has_tags, resource_int as int, resource_tags as tags,
    with_resource_field as with,
};

pub(crate) fn text(value: &str) -> Value {
    Value::String(value.to_string())
}

/// The record with `labels` merged into its `tags`.
pub(crate) fn with_labels(record: &Value, labels: &std::collections::BTreeMap<String, String>) -> Value {
    let mut all = tags(record);
    all.extend(labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    with(record, "tags", Value::Record(all.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_belong_to_regions_and_int64s_are_strings() {
        assert_eq!(region_of_zone("europe-west1-b"), "europe-west1");
        let disk = serde_json::json!({"sizeGb": "200", "n": 3});
        assert_eq!((int_at(&disk, &["sizeGb"]), int_at(&disk, &["n"])), (Some(200), Some(3)));
    }
}
