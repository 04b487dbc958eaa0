//! Parameter values given on the command line or by an embedder, converted by the parameter's type.

use std::collections::BTreeMap;

use crate::plan::Value;
use crate::stdlib::Catalog;
use crate::syntax::parse_duration;
use crate::types::Type;

/// A parameter value as given: text from a command line, or an already-typed value from an embedder.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamInput {
    Text(String),
    Value(Value),
}

/// Converts a given value to the parameter's type, or says why it does not fit.
pub fn convert(input: &ParamInput, ty: &Type, catalog: &Catalog) -> Result<Value, String> {
    match input {
        ParamInput::Value(value) => Ok(value.clone()),
        ParamInput::Text(text) => from_text(text, ty, catalog),
    }
}

fn from_text(text: &str, ty: &Type, catalog: &Catalog) -> Result<Value, String> {
    let trimmed = text.trim();
    match ty {
        Type::String => Ok(Value::String(text.to_string())),
        Type::Enum(name) => enum_value(text, name, catalog),
        Type::Int => trimmed.parse().map(Value::Int).map_err(|_| format!("\"{text}\" is not an integer")),
        Type::Float => trimmed.parse().map(Value::Float).map_err(|_| format!("\"{text}\" is not a number")),
        Type::Bool => match trimmed {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("\"{text}\" is not true or false")),
        },
        Type::Duration => parse_duration(trimmed)
            .filter(|_| trimmed.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .map(|duration_ms| Value::Duration { duration_ms })
            .ok_or_else(|| format!("\"{text}\" is not a duration such as 10m or 1h30m")),
        Type::Datetime => chrono::DateTime::parse_from_rfc3339(trimmed)
            .map(|_| Value::String(trimmed.to_string()))
            .map_err(|e| format!("\"{text}\" is not an RFC 3339 date and time ({e})")),
        Type::Optional(inner) => {
            if trimmed == "none" {
                Ok(Value::Null)
            } else {
                from_text(text, inner, catalog)
            }
        }
        Type::List(element) if !trimmed.starts_with('[') => {
            if trimmed.is_empty() {
                return Ok(Value::List(Vec::new()));
            }
            trimmed
                .split(',')
                .map(|item| from_text(item.trim(), element, catalog))
                .collect::<Result<_, _>>()
                .map(Value::List)
        }
        _ => {
            let json: serde_json::Value =
                serde_json::from_str(trimmed).map_err(|e| format!("\"{text}\" is not valid JSON ({e})"))?;
            from_json(&json, ty, catalog)
        }
    }
}

fn enum_value(text: &str, name: &str, catalog: &Catalog) -> Result<Value, String> {
    match catalog.enums.get(name) {
        Some(decl) if !decl.values.iter().any(|v| v == text) => {
            let hint = crate::diagnostics::did_you_mean(text, decl.values.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            Err(format!("\"{text}\" is not one of the values of {name}{hint}"))
        }
        _ => Ok(Value::String(text.to_string())),
    }
}

fn from_json(json: &serde_json::Value, ty: &Type, catalog: &Catalog) -> Result<Value, String> {
    use serde_json::Value as J;
    match (json, ty) {
        (J::Null, Type::Optional(_)) => Ok(Value::Null),
        (_, Type::Optional(inner)) => from_json(json, inner, catalog),
        (J::String(s), _) => from_text(s, ty, catalog),
        (J::Bool(b), Type::Bool) => Ok(Value::Bool(*b)),
        (J::Number(n), Type::Int) => n.as_i64().map(Value::Int).ok_or_else(|| format!("{n} is not an integer")),
        (J::Number(n), Type::Float) => n.as_f64().map(Value::Float).ok_or_else(|| format!("{n} is not a number")),
        (J::Array(items), Type::List(element)) => {
            items.iter().map(|i| from_json(i, element, catalog)).collect::<Result<_, _>>().map(Value::List)
        }
        (J::Object(map), Type::Map(value)) => map
            .iter()
            .map(|(k, v)| from_json(v, value, catalog).map(|v| (k.clone(), v)))
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Value::Record),
        (J::Object(map), Type::Record(fields)) => {
            let mut out = BTreeMap::new();
            for (name, field_ty) in fields {
                match map.get(name) {
                    Some(v) => {
                        out.insert(name.clone(), from_json(v, field_ty, catalog)?);
                    }
                    None if matches!(field_ty, Type::Optional(_)) => {}
                    None => return Err(format!("the field `{name}` is missing")),
                }
            }
            Ok(Value::Record(out))
        }
        _ => Err(format!("{json} is not of type {ty}")),
    }
}
