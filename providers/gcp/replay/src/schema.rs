//! Checking a JSON body against a Discovery schema: `$ref`s, types, formats, `enum`s, and no property the
//! schema does not declare.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value as Json;

use crate::discovery::Document;

/// Which way a body travels. Google's JSON parsers are lenient where its printers are not: a request may send an
/// int64 as a number or an int32 as a string, and `null` for "unset" (Storage's patch deletes a label with it); an
/// answer always prints 64-bit integers as strings and leaves unset fields out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Request,
    Response,
}

/// Every way `value` departs from the schema named `schema` in `document`, each as `$.path: what`.
pub(crate) fn check(document: &Document, schema: &str, value: &Json, direction: Direction) -> Vec<String> {
    let mut checker = Checker { document, direction, found: Vec::new() };
    checker.value(&serde_json::json!({ "$ref": schema }), value, "$", 0);
    checker.found
}

struct Checker<'a> {
    document: &'a Document,
    direction: Direction,
    found: Vec<String>,
}

/// Deeper than any Google resource; a guard against a self-referencing schema and a hostile body.
const MAX_DEPTH: usize = 64;

impl Checker<'_> {
    fn value(&mut self, schema: &Json, value: &Json, at: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return self.found.push(format!("{at}: nested deeper than {MAX_DEPTH} levels"));
        }
        if let Some(name) = schema.get("$ref").and_then(Json::as_str) {
            match self.document.schemas.get(name) {
                Some(target) => return self.value(target, value, at, depth + 1),
                None => return self.found.push(format!("{at}: schema `{name}` is not in the Discovery document")),
            }
        }
        let kind = schema.get("type").and_then(Json::as_str).unwrap_or("any");
        if kind == "any" {
            return; // BigQuery's cells (`v`) even hold null
        }
        if value.is_null() {
            if self.direction == Direction::Response {
                self.found.push(format!("{at}: null (Google's answers leave an unset field out)"));
            }
            return;
        }
        match kind {
            "object" => self.object(schema, value, at, depth),
            "array" => match value.as_array() {
                Some(items) => {
                    if let Some(item_schema) = schema.get("items") {
                        for (i, item) in items.iter().enumerate() {
                            self.value(item_schema, item, &format!("{at}[{i}]"), depth + 1);
                        }
                    }
                }
                None => self.mismatch(at, "an array", value),
            },
            "string" => self.string(schema, value, at),
            "integer" => self.integer(schema, value, at),
            "number" => {
                let numeric_text = self.direction == Direction::Request
                    && value.as_str().is_some_and(|text| text.parse::<f64>().is_ok());
                if !value.is_number() && !numeric_text {
                    self.mismatch(at, "a number", value);
                }
            }
            "boolean" if !value.is_boolean() => self.mismatch(at, "a boolean", value),
            "boolean" => {}
            other => self.found.push(format!("{at}: the schema has type `{other}`, which the checker does not know")),
        }
    }

    fn object(&mut self, schema: &Json, value: &Json, at: &str, depth: usize) {
        let Some(fields) = value.as_object() else { return self.mismatch(at, "an object", value) };
        let properties = schema.get("properties").and_then(Json::as_object);
        let additional = schema.get("additionalProperties");
        if properties.is_none() && additional.is_none() {
            return; // a free-form object
        }
        for (key, field) in fields {
            let at = format!("{at}.{key}");
            match properties.and_then(|p| p.get(key)).or(additional) {
                Some(field_schema) => self.value(field_schema, field, &at, depth + 1),
                None => self.found.push(format!("{at}: unknown field (the schema declares no `{key}`)")),
            }
        }
    }

    fn string(&mut self, schema: &Json, value: &Json, at: &str) {
        let format = schema.get("format").and_then(Json::as_str).unwrap_or_default();
        let Some(text) = value.as_str() else {
            let integer_as_number = matches!(format, "int64" | "uint64")
                && self.direction == Direction::Request
                && (value.is_i64() || value.is_u64());
            if !integer_as_number {
                self.mismatch(at, &describe_string(format), value);
            }
            return;
        };
        if !format_holds(format, text) {
            self.found.push(format!("{at}: `{text}` is not a valid {format}"));
        }
        if let Some(allowed) = schema.get("enum").and_then(Json::as_array)
            && !allowed.iter().any(|a| a.as_str() == Some(text))
        {
            self.found.push(format!("{at}: `{text}` is not one of {}", list(allowed)));
        }
    }

    fn integer(&mut self, schema: &Json, value: &Json, at: &str) {
        let number = match value {
            Json::Number(n) => n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)),
            Json::String(text) if self.direction == Direction::Request => text.parse::<i128>().ok(),
            _ => None,
        };
        let Some(number) = number else { return self.mismatch(at, "an integer", value) };
        let in_range = match schema.get("format").and_then(Json::as_str) {
            Some("int32") => i32::try_from(number).is_ok(),
            Some("uint32") => u32::try_from(number).is_ok(),
            _ => i64::try_from(number).is_ok(),
        };
        if !in_range {
            self.found.push(format!("{at}: {number} is out of the field's range"));
        }
    }

    fn mismatch(&mut self, at: &str, expected: &str, value: &Json) {
        self.found.push(format!("{at}: expected {expected}, got {}", kind_of(value)));
    }
}

fn describe_string(format: &str) -> String {
    match format {
        "int64" | "uint64" => format!("a string holding an {format} (64-bit integers travel as strings)"),
        "" => "a string".to_string(),
        other => format!("a string ({other})"),
    }
}

fn format_holds(format: &str, text: &str) -> bool {
    static FORMATS: OnceLock<[Regex; 4]> = OnceLock::new();
    let [base64, datetime, date, duration] = FORMATS.get_or_init(|| {
        [
            r"^[A-Za-z0-9+/_-]*={0,2}$",
            r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$",
            r"^\d{4}-\d{2}-\d{2}$",
            r"^-?\d+(\.\d{1,9})?s$",
        ]
        .map(|pattern| Regex::new(pattern).expect("a format regex"))
    });
    match format {
        "int64" | "int32" => text.parse::<i64>().is_ok(),
        "uint64" | "uint32" => text.parse::<u64>().is_ok(),
        "byte" => base64.is_match(text),
        "google-datetime" | "date-time" => datetime.is_match(text),
        "date" => date.is_match(text),
        "google-duration" => duration.is_match(text),
        _ => true,
    }
}

fn kind_of(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => format!("the boolean {b}"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) => format!("the string {s:?}"),
        Json::Array(_) => "an array".into(),
        Json::Object(_) => "an object".into(),
    }
}

/// An enum's values for a message, the first few only: Cloud SQL's `databaseVersion` has over a hundred.
fn list(values: &[Json]) -> String {
    const SHOWN: usize = 8;
    let mut names: Vec<&str> = values.iter().filter_map(Json::as_str).take(SHOWN).collect();
    if values.len() > SHOWN {
        names.push("...");
    }
    names.join("|")
}

/// Whether the dotted field path (an update mask's `serviceConfig.maxInstanceCount`) names a field of `schema`;
/// a path into a map (`labels.env`) names one of its entries.
pub(crate) fn has_field(document: &Document, schema: &str, dotted: &str) -> bool {
    let mut current = serde_json::json!({ "$ref": schema });
    for key in dotted.split('.') {
        let mut depth = 0;
        while let Some(name) = current.get("$ref").and_then(Json::as_str) {
            let Some(target) = document.schemas.get(name) else { return false };
            current = target.clone();
            depth += 1;
            if depth > MAX_DEPTH {
                return false;
            }
        }
        if let Some(field) = current.get("properties").and_then(|p| p.get(key)) {
            current = field.clone();
        } else {
            return current.get("additionalProperties").is_some();
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::Api;
    use crate::discovery::discovery;

    fn compute() -> &'static Document {
        discovery().document(Api::Compute, "v1").expect("compute v1")
    }

    #[test]
    fn a_problem_deep_in_a_referenced_schema_is_found_with_its_path() {
        let instance =
            json!({"name": "web-1", "networkInterfaces": [{"name": "nic0", "accessConfigs": [{"tier": "x"}]}]});
        let problems = check(compute(), "Instance", &instance, Direction::Response);
        assert_eq!(
            problems,
            ["$.networkInterfaces[0].accessConfigs[0].tier: unknown field (the schema declares no `tier`)"]
        );
    }

    #[test]
    fn an_int64_as_a_number_is_a_request_leniency_not_an_answer_form() {
        let disk = json!({"sizeGb": 10});
        assert!(check(compute(), "Disk", &disk, Direction::Request).is_empty());
        let problems = check(compute(), "Disk", &disk, Direction::Response);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("$.sizeGb: expected a string holding an int64"), "{problems:?}");
    }

    #[test]
    fn null_unsets_a_field_in_a_request_and_never_appears_in_an_answer() {
        let labels = json!({"labels": {"env": null}, "labelFingerprint": "AAAAAAAAAAA="});
        assert!(check(compute(), "InstancesSetLabelsRequest", &labels, Direction::Request).is_empty());
        assert_eq!(check(compute(), "InstancesSetLabelsRequest", &labels, Direction::Response).len(), 1);
    }

    #[test]
    fn field_paths_follow_refs_and_enter_maps() {
        let functions = discovery().document(Api::Functions, "v2").expect("functions v2");
        assert!(has_field(functions, "Function", "serviceConfig.maxInstanceCount"));
        assert!(has_field(functions, "Function", "labels.env"));
        assert!(!has_field(functions, "Function", "serviceConfig.maxInstances"));
    }
}
