//! Checking a resource record against its kind's declaration, for loaded estates and created resources alike.

use chrono::DateTime;
use escher_compiler::plan::Value;
use escher_compiler::stdlib::catalog;
use escher_compiler::types::Type;

use super::Account;
use super::kinds;
use crate::error::Problem;
use crate::record::{self, Record};

/// Checks a record and fills its absent optional fields with `null` (and `tags` with `{}` on kinds that do not
/// declare tags), so every resource of a kind has the same fields.
pub(crate) fn normalize(resource: &mut Record, accounts: &[Account]) -> Result<(), Vec<Problem>> {
    let name = match resource.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => return Err(vec![problem("a resource", "has no `id`")]),
    };
    let kind = match resource.get("kind") {
        Some(Value::String(kind)) => kind.clone(),
        _ => return Err(vec![problem(&name, "has no `kind`")]),
    };
    let Some(fields) = kinds::fields(&kind) else {
        return Err(vec![problem(&name, &format!("unknown kind `{kind}`"))]);
    };
    let mut problems = Vec::new();
    let cloud = kinds::cloud(&kind);
    if let Some(other) = record::str_of(resource, "cloud").filter(|c| *c != cloud) {
        problems.push(problem(&name, &format!("`cloud` is `{other}` but a `{kind}` is an {cloud} resource")));
    }
    match record::str_of(resource, "account") {
        None => problems.push(problem(&name, "has no `account`")),
        Some(account) if !accounts.iter().any(|a| a.cloud == cloud && a.id == account) => {
            problems.push(problem(&name, &format!("`account` `{account}` is not one of the estate's {cloud} accounts")))
        }
        Some(_) => {}
    }
    for (field, ty) in fields {
        match resource.get(field) {
            None if matches!(ty, Type::Optional(_)) => {
                resource.insert(field.clone(), Value::Null);
            }
            None => problems.push(problem(&name, &format!("`{kind}` needs the field `{field}` ({ty})"))),
            Some(value) if !conforms(value, ty) => {
                problems.push(problem(&name, &format!("field `{field}` should be {ty}, not {}", describe(value))))
            }
            Some(_) => {}
        }
    }
    resource.entry("tags".to_string()).or_insert_with(|| Value::Record(Default::default()));
    if let Some(region) = record::str_of(resource, "region").filter(|r| !kinds::known_region(cloud, r)) {
        problems.push(problem(&name, &format!("`{region}` is not a region of {cloud}")));
    }
    if resource.get("monthly_cost").is_some_and(|c| !matches!(c, Value::Int(_) | Value::Float(_))) {
        problems.push(problem(&name, "`monthly_cost` should be a number"));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn problem(resource: &str, message: &str) -> Problem {
    Problem { resource: resource.to_string(), message: message.to_string() }
}

/// Whether a value has the shape a field type asks for.
pub(crate) fn conforms(value: &Value, ty: &Type) -> bool {
    match (ty, value) {
        (Type::Any, _) => true,
        (Type::Optional(_), Value::Null) => true,
        (Type::Optional(inner), value) => conforms(value, inner),
        (Type::String, Value::String(_)) => true,
        (Type::Enum(name), Value::String(s)) => {
            catalog().enums.get(name).is_some_and(|e| e.values.iter().any(|v| v == s))
        }
        (Type::Datetime, Value::String(s)) => DateTime::parse_from_rfc3339(s).is_ok(),
        (Type::Int, Value::Int(_)) => true,
        (Type::Float, Value::Int(_) | Value::Float(_)) => true,
        (Type::Bool, Value::Bool(_)) => true,
        (Type::Duration, Value::Duration { .. }) => true,
        (Type::List(element), Value::List(items)) => items.iter().all(|item| conforms(item, element)),
        (Type::Map(element), Value::Record(entries)) => entries.values().all(|item| conforms(item, element)),
        (Type::Record(fields), Value::Record(entries)) => {
            fields.iter().all(|(name, field_ty)| match entries.get(name) {
                Some(item) => conforms(item, field_ty),
                None => matches!(field_ty, Type::Optional(_)),
            })
        }
        _ => false,
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Int(_) => "an int",
        Value::Float(_) => "a float",
        Value::String(_) => "a string",
        Value::Duration { .. } => "a duration",
        Value::List(_) => "a list",
        Value::Record(_) => "a record",
    }
}
