//! What the fake saw: each request, how it was answered, and its one-line form for snapshots.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::api::Api;
use crate::discovery::{Document, Method, discovery};

/// A request the fake saw, in arrival order.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    /// `None` for the token endpoint and the metadata server.
    pub api: Option<Api>,
    /// The Discovery method id (`compute.instances.stop`); for auth requests `oauth2.token`, `metadata.token`,
    /// `metadata.project-id`, `metadata.email`, `metadata.universe-domain` or `metadata.probe`; `None` when no
    /// method has the path.
    pub method_id: Option<String>,
    pub http_method: String,
    /// The percent-decoded path, `/compute/v1/projects/...`.
    pub path: String,
    /// Decoded query parameters (a repeated one: its last value).
    pub query: BTreeMap<String, String>,
    /// The JSON body; a form body (token requests) as an object of its fields; `None` when empty.
    pub body: Option<Json>,
    pub authorization: Option<String>,
    /// The status answered; 0 when the connection was closed without an answer ([`crate::Fault::reset`]).
    pub status: u16,
}

impl Logged {
    /// A body field by JSON pointer (`/settings/activationPolicy`).
    pub fn body_at(&self, pointer: &str) -> Option<&Json> {
        self.body.as_ref()?.pointer(pointer)
    }
}

/// `POST compute.instances.stop projects/acme-dev/zones/us-central1-a/instances/web-1`: the HTTP method, the
/// method id and the path after the service path, without a custom verb's last segment (`/stop`). The version
/// prefix (`v1/`) is dropped too, except for Cloud Functions where it tells v1 from v2. The method's required query
/// parameters follow (`?project=acme-dev`).
pub(crate) fn call_line(
    api: Api,
    document: &Document,
    method: &Method,
    raw_path: &str,
    query: &BTreeMap<String, String>,
) -> String {
    let mut path = crate::discovery::decode(raw_path.strip_prefix(&document.service_path).unwrap_or(raw_path));
    if discovery().versions(api) == 1
        && let Some(rest) = path.strip_prefix(&format!("{}/", document.version))
    {
        path = rest.to_string();
    }
    if let Some(rest) = path.strip_suffix(&format!("/{}", method.name)) {
        path = rest.to_string();
    }
    let required: Vec<String> = method
        .params
        .iter()
        .filter(|(_, p)| p.required && p.location == "query")
        .filter_map(|(name, _)| Some(format!("{name}={}", query.get(name)?)))
        .collect();
    let query = if required.is_empty() { String::new() } else { format!(" ?{}", required.join("&")) };
    format!("{} {} {path}{query}", method.http_method, method.id)
}
