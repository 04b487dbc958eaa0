//! Checking a request's path and query parameters against its Discovery method.

use std::collections::{BTreeMap, BTreeSet};

use crate::discovery::{Document, Method, Param};

/// Every way the request's parameters depart from the method's: a path parameter off its `pattern`, a query
/// parameter the method and the document's standard parameters do not declare, a required one missing, a value
/// that is not of its type or `enum`, a parameter given twice that is not `repeated`.
pub(crate) fn parameters(
    document: &Document,
    method: &Method,
    path: &BTreeMap<String, String>,
    query: &[(String, String)],
) -> Vec<String> {
    let mut found = Vec::new();
    for (name, value) in path {
        if let Some(param) = method.params.get(name) {
            check_value("path", name, value, param, &mut found);
        }
    }
    let mut seen = BTreeSet::new();
    for (name, value) in query {
        let declared = method.params.get(name).filter(|p| p.location == "query").or(document.standard.get(name));
        let Some(param) = declared else {
            found.push(format!("query parameter `{name}` is not declared by {} nor a standard parameter", method.id));
            continue;
        };
        if !seen.insert(name.as_str()) && !param.repeated {
            found.push(format!("query parameter `{name}` is given twice but is not `repeated`"));
        }
        check_value("query", name, value, param, &mut found);
    }
    for (name, param) in &method.params {
        if param.required && param.location == "query" && !seen.contains(name.as_str()) {
            found.push(format!("required query parameter `{name}` of {} is missing", method.id));
        }
    }
    found
}

fn check_value(location: &str, name: &str, value: &str, param: &Param, found: &mut Vec<String>) {
    let mut complain = |what: String| found.push(format!("{location} parameter `{name}` = `{value}`: {what}"));
    if let Some((text, pattern)) = &param.pattern
        && !pattern.is_match(value)
    {
        complain(format!("does not match its pattern `{text}`"));
    }
    if let Some(allowed) = &param.allowed
        && !allowed.iter().any(|a| a == value)
    {
        complain(format!("is not one of {}", allowed.join("|")));
    }
    let parses = match (param.kind.as_str(), param.format.as_deref()) {
        ("integer", Some("int32")) => value.parse::<i32>().is_ok(),
        ("integer", Some("uint32")) => value.parse::<u32>().is_ok(),
        ("integer", _) | ("string", Some("int64")) => value.parse::<i64>().is_ok(),
        ("string", Some("uint64")) => value.parse::<u64>().is_ok(),
        ("boolean", _) => value == "true" || value == "false",
        _ => true,
    };
    if !parses {
        let format = param.format.as_deref().map(|f| format!(" ({f})")).unwrap_or_default();
        complain(format!("is not a valid {}{format}", param.kind));
    }
}
