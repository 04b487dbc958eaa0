//! Google's Discovery documents (the committed subsets in `providers/gcp/tests/fixtures/discovery/`): which
//! method a request calls, its parameters and its body schemas.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value as Json};

use crate::api::Api;

/// The documents each API is served from, compiled into the crate so tests never read files.
const SOURCES: [(Api, &str); 6] = [
    (Api::Compute, include_str!("../../tests/fixtures/discovery/compute.v1.json")),
    (Api::SqlAdmin, include_str!("../../tests/fixtures/discovery/sqladmin.v1.json")),
    (Api::Functions, include_str!("../../tests/fixtures/discovery/cloudfunctions.v1.json")),
    (Api::Functions, include_str!("../../tests/fixtures/discovery/cloudfunctions.v2.json")),
    (Api::Storage, include_str!("../../tests/fixtures/discovery/storage.v1.json")),
    (Api::BigQuery, include_str!("../../tests/fixtures/discovery/bigquery.v2.json")),
];

/// Every document, parsed once per process (every [`crate::Replay`] shares them).
pub(crate) fn discovery() -> &'static Discovery {
    static DISCOVERY: OnceLock<Discovery> = OnceLock::new();
    DISCOVERY.get_or_init(|| Discovery {
        documents: SOURCES.iter().map(|(api, text)| (*api, Document::parse(text))).collect(),
    })
}

pub(crate) struct Discovery {
    documents: Vec<(Api, Document)>,
}

impl Discovery {
    /// The method `http_method` on `path` (as sent: no leading `/`, still percent-encoded) calls. When several
    /// templates match, the one with the most literal text wins, as a literal segment is more specific than a
    /// parameter.
    pub(crate) fn find(&self, api: Api, http_method: &str, path: &str) -> Option<(&Document, &Method)> {
        self.documents
            .iter()
            .filter(|(a, _)| *a == api)
            .flat_map(|(_, document)| document.methods.iter().map(move |method| (document, method)))
            .filter(|(_, method)| method.http_method == http_method && method.route.is_match(path))
            .max_by_key(|(_, method)| method.literal_len)
    }

    /// How many documents serve `api` (Cloud Functions: v1 and v2).
    pub(crate) fn versions(&self, api: Api) -> usize {
        self.documents.iter().filter(|(a, _)| *a == api).count()
    }

    /// The document of `api` whose `version` is `version`.
    pub(crate) fn document(&self, api: Api, version: &str) -> Option<&Document> {
        self.documents.iter().find(|(a, d)| *a == api && d.version == version).map(|(_, d)| d)
    }
}

pub(crate) struct Document {
    pub(crate) version: String,
    pub(crate) service_path: String,
    pub(crate) schemas: Map<String, Json>,
    /// The standard query parameters every method accepts (`alt`, `fields`, `prettyPrint`, ...).
    pub(crate) standard: BTreeMap<String, Param>,
    pub(crate) methods: Vec<Method>,
}

pub(crate) struct Method {
    pub(crate) id: String,
    pub(crate) http_method: String,
    /// The last part of the id (`stop` in `compute.instances.stop`).
    pub(crate) name: String,
    /// `servicePath` + `flatPath` (or `path`), each `{x}` one segment.
    route: Regex,
    literal_len: usize,
    /// `servicePath` + `path`, where `{+x}` spans segments: its captures are the path parameters.
    extract: Regex,
    extract_names: Vec<String>,
    pub(crate) params: BTreeMap<String, Param>,
    pub(crate) request: Option<String>,
    pub(crate) response: Option<String>,
}

impl Method {
    /// The path parameters of `path` (which matched this method), percent-decoded.
    pub(crate) fn path_params(&self, path: &str) -> BTreeMap<String, String> {
        let Some(captures) = self.extract.captures(path) else { return BTreeMap::new() };
        self.extract_names
            .iter()
            .zip(captures.iter().skip(1))
            .filter_map(|(name, value)| Some((name.clone(), decode(value?.as_str()))))
            .collect()
    }
}

pub(crate) struct Param {
    pub(crate) location: String,
    pub(crate) required: bool,
    pub(crate) pattern: Option<(String, Regex)>,
    pub(crate) kind: String,
    pub(crate) format: Option<String>,
    pub(crate) allowed: Option<Vec<String>>,
    pub(crate) repeated: bool,
}

pub(crate) fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

impl Document {
    fn parse(text: &str) -> Document {
        let json: Json = serde_json::from_str(text).expect("a committed Discovery document is JSON");
        let service_path = str_of(&json, "servicePath").to_string();
        let mut methods = Vec::new();
        if let Some(resources) = json.get("resources").and_then(Json::as_object) {
            collect_methods(resources, &service_path, &mut methods);
        }
        Document {
            version: str_of(&json, "version").to_string(),
            service_path,
            schemas: json.get("schemas").and_then(Json::as_object).cloned().unwrap_or_default(),
            standard: params_of(json.get("parameters")),
            methods,
        }
    }
}

fn collect_methods(resources: &Map<String, Json>, service_path: &str, out: &mut Vec<Method>) {
    for resource in resources.values() {
        for method in resource.get("methods").and_then(Json::as_object).into_iter().flat_map(|m| m.values()) {
            out.push(Method::parse(method, service_path));
        }
        if let Some(nested) = resource.get("resources").and_then(Json::as_object) {
            collect_methods(nested, service_path, out);
        }
    }
}

impl Method {
    fn parse(json: &Json, service_path: &str) -> Method {
        let id = str_of(json, "id").to_string();
        let path = format!("{service_path}{}", str_of(json, "path"));
        let flat = json.get("flatPath").and_then(Json::as_str).map(|flat| format!("{service_path}{flat}"));
        let (route, literal_len, _) = template(flat.as_deref().unwrap_or(&path));
        let (extract, _, extract_names) = template(&path);
        Method {
            name: id.rsplit('.').next().unwrap_or_default().to_string(),
            http_method: str_of(json, "httpMethod").to_string(),
            route,
            literal_len,
            extract,
            extract_names,
            params: params_of(json.get("parameters")),
            request: json.pointer("/request/$ref").and_then(Json::as_str).map(str::to_string),
            response: json.pointer("/response/$ref").and_then(Json::as_str).map(str::to_string),
            id,
        }
    }
}

/// A URI template as an anchored regex: `{x}` one segment, `{+x}` (reserved expansion) any text. Returns it, its
/// count of literal characters and the parameter names in order.
fn template(text: &str) -> (Regex, usize, Vec<String>) {
    let mut pattern = String::from("^");
    let (mut literal_len, mut names) = (0, Vec::new());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        pattern.push_str(&regex::escape(&rest[..open]));
        literal_len += open;
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        let name = &rest[open + 1..close];
        match name.strip_prefix('+') {
            Some(name) => {
                pattern.push_str("(.+)");
                names.push(name.to_string());
            }
            None => {
                pattern.push_str("([^/]+)");
                names.push(name.to_string());
            }
        }
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    pattern.push_str(&regex::escape(rest));
    literal_len += rest.len();
    pattern.push('$');
    (Regex::new(&pattern).expect("a Discovery path template makes a regex"), literal_len, names)
}

fn params_of(json: Option<&Json>) -> BTreeMap<String, Param> {
    let Some(params) = json.and_then(Json::as_object) else { return BTreeMap::new() };
    params
        .iter()
        .map(|(name, p)| {
            let pattern = p.get("pattern").and_then(Json::as_str).map(|text| {
                // Discovery patterns are RE2 and match the whole value.
                let anchored = Regex::new(&format!("^(?:{text})$")).expect("a Discovery pattern is RE2");
                (text.to_string(), anchored)
            });
            let param = Param {
                location: str_of(p, "location").to_string(),
                required: p.get("required").and_then(Json::as_bool).unwrap_or(false),
                pattern,
                kind: str_of(p, "type").to_string(),
                format: p.get("format").and_then(Json::as_str).map(str::to_string),
                allowed: p
                    .get("enum")
                    .and_then(Json::as_array)
                    .map(|values| values.iter().filter_map(Json::as_str).map(str::to_string).collect()),
                repeated: p.get("repeated").and_then(Json::as_bool).unwrap_or(false),
            };
            (name.clone(), param)
        })
        .collect()
}

fn str_of<'a>(json: &'a Json, key: &str) -> &'a str {
    json.get(key).and_then(Json::as_str).unwrap_or_default()
}
