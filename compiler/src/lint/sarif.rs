//! SARIF 2.1.0 (OASIS): one run of one tool, with every lint rule and a result per diagnostic, the format code
//! scanning services read. Columns count chars (`columnKind: unicodeCodePoints`), lines and columns are 1-based
//! and an end column is the column after the region, as SARIF has them.

use serde_json::{Value, json};

use super::RULES;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceMap;
use crate::span::{Span, line_column};

/// The official schema's address, which a log names in `$schema`.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The tool a log says produced it.
#[derive(Debug, Clone, Copy)]
pub struct Tool<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub information_uri: Option<&'a str>,
}

/// The diagnostics of one compilation, with the files they point into.
#[derive(Debug, Clone, Copy)]
pub struct Checked<'a> {
    pub sources: &'a SourceMap,
    pub diagnostics: &'a [Diagnostic],
}

/// A SARIF log of `checked`. `uri` turns a file's name, as the compilation has it, into the relative URI
/// reference the log gives (the host knows where files are; this crate does not). Diagnostics that are not a
/// rule's (compile errors) are results too, with their code as `ruleId`.
pub fn log(tool: Tool<'_>, checked: &[Checked<'_>], uri: &dyn Fn(&str) -> String) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let explanation = rule.explanation();
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": explanation, "markdown": explanation },
                "defaultConfiguration": { "level": rule.default_level.sarif() },
            })
        })
        .collect();
    let mut driver = json!({ "name": tool.name, "version": tool.version, "rules": rules });
    if let Some(information_uri) = tool.information_uri {
        driver["informationUri"] = json!(information_uri);
    }
    let results: Vec<Value> = checked
        .iter()
        .flat_map(|checked| checked.diagnostics.iter().map(move |d| result(d, checked.sources, uri)))
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A relative path (`/`-separated) as a URI reference: every byte but unreserved ones and `/` percent-encoded.
pub fn uri_reference(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn result(diagnostic: &Diagnostic, sources: &SourceMap, uri: &dyn Fn(&str) -> String) -> Value {
    let code = diagnostic.code();
    let level = match diagnostic.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    let file = sources.get(diagnostic.file);
    let artifact = uri(&file.name);
    let location = |span: Span| {
        let start = line_column(&file.text, span.start as usize);
        let end = line_column(&file.text, span.end as usize);
        json!({
            "physicalLocation": {
                "artifactLocation": { "uri": artifact },
                "region": {
                    "startLine": start.line,
                    "startColumn": start.column,
                    "endLine": end.line,
                    "endColumn": end.column,
                },
            },
        })
    };
    let labels = diagnostic.labels();
    let mut message = diagnostic.message();
    if let Some(help) = diagnostic.help() {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let mut result = json!({
        "ruleId": code,
        "level": level,
        "message": { "text": message },
        "locations": [location(diagnostic.primary_span())],
    });
    if let Some(index) = RULES.iter().position(|rule| rule.id == code) {
        result["ruleIndex"] = json!(index);
    }
    let related: Vec<Value> = labels
        .iter()
        .skip(1)
        .enumerate()
        .map(|(id, (span, label))| {
            let mut related = location(*span);
            related["id"] = json!(id);
            if let Some(label) = label {
                related["message"] = json!({ "text": label });
            }
            related
        })
        .collect();
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::uri_reference;

    #[test]
    fn paths_become_uri_references_with_only_unreserved_bytes_left_as_they_are() {
        assert_eq!(uri_reference("examples/nightly_shutdown.esc"), "examples/nightly_shutdown.esc");
        assert_eq!(uri_reference("../my plays/é#1.esc"), "../my%20plays/%C3%A9%231.esc");
    }
}
