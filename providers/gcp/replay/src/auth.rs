//! Where credentials come from: an OAuth2 token endpoint (`POST /token`, a refresh token or a service account's
//! signed JWT) and the GCE metadata server (`/computeMetadata/v1/...`, only with `Metadata-Flavor: Google`).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::log::Logged;
use crate::server::{Incoming, Outcome};
use crate::state::State;

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const SERVICE_ACCOUNT: &str = "replay@acme-dev.iam.gserviceaccount.com";
/// The project the metadata server says the code runs in.
const PROJECT: &str = "acme-dev";

pub(crate) fn serve(state: &mut State, request: &Incoming) -> Outcome {
    let form = fields(&request.body);
    let (method_id, outcome) = route(state, request, &form);
    let body = if form.is_empty() {
        None
    } else {
        Some(Json::Object(form.into_iter().map(|(k, v)| (k, Json::String(v))).collect()))
    };
    state.log.push(Logged {
        api: None,
        method_id: method_id.map(str::to_string),
        http_method: request.method.clone(),
        path: request.path.clone(),
        query: request.query_map(),
        body,
        authorization: request.authorization.clone(),
        status: outcome.status(),
    });
    outcome
}

/// A token request's fields: a form (RFC 6749), or a JSON object (what Google's endpoint also takes, and what the
/// `google-cloud-auth` crate sends for a refresh token).
fn fields(body: &str) -> BTreeMap<String, String> {
    if let Ok(Json::Object(object)) = serde_json::from_str::<Json>(body) {
        let text = |value: Json| match value {
            Json::String(text) => text,
            other => other.to_string(),
        };
        return object.into_iter().map(|(key, value)| (key, text(value))).collect();
    }
    url::form_urlencoded::parse(body.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn route(state: &mut State, request: &Incoming, form: &BTreeMap<String, String>) -> (Option<&'static str>, Outcome) {
    let endpoint = (request.method.as_str(), request.path.as_str());
    if endpoint == ("POST", "/token") {
        return (Some("oauth2.token"), token_endpoint(state, form));
    }
    let method_id = match endpoint {
        ("GET", "/") => return (Some("metadata.probe"), metadata_text(200, "computeMetadata/\n")),
        ("GET", "/computeMetadata/v1/instance/service-accounts/default/token") => "metadata.token",
        ("GET", "/computeMetadata/v1/instance/service-accounts/default/email") => "metadata.email",
        ("GET", "/computeMetadata/v1/project/project-id") => "metadata.project-id",
        ("GET", "/computeMetadata/v1/universe/universe-domain") => "metadata.universe-domain",
        _ => {
            state.violations.push(format!("auth: {} {} is not served by the replay", request.method, request.path));
            return (None, metadata_text(404, "Not Found"));
        }
    };
    if request.metadata_flavor.as_deref() != Some("Google") {
        state.violations.push(format!("auth: {} without the header `Metadata-Flavor: Google`", request.path));
        return (Some(method_id), metadata_text(403, "Missing required header: Metadata-Flavor"));
    }
    let outcome = match method_id {
        "metadata.token" => match issue(state) {
            Outcome::Reply { status, content_type, body, .. } => {
                Outcome::Reply { status, content_type, body, metadata_flavor: true }
            }
            reset => reset,
        },
        "metadata.email" => metadata_text(200, SERVICE_ACCOUNT),
        "metadata.project-id" => metadata_text(200, PROJECT),
        _ => metadata_text(200, "googleapis.com"),
    };
    (Some(method_id), outcome)
}

fn token_endpoint(state: &mut State, form: &BTreeMap<String, String>) -> Outcome {
    let grant = form.get("grant_type").map(String::as_str).unwrap_or_default();
    let needed: &[&str] = match grant {
        "refresh_token" => &["refresh_token", "client_id", "client_secret"],
        JWT_BEARER => &["assertion"],
        _ => {
            state.violations.push(format!("auth: token request with grant_type `{grant}`"));
            return Outcome::json(
                400,
                &json!({"error": "unsupported_grant_type", "error_description": format!("Unsupported grant type: {grant}")}),
            );
        }
    };
    if let Some(missing) = needed.iter().find(|field| form.get(**field).is_none_or(String::is_empty)) {
        state.violations.push(format!("auth: {grant} token request without `{missing}`"));
        return Outcome::json(
            400,
            &json!({"error": "invalid_request", "error_description": format!("Missing required parameter: {missing}")}),
        );
    }
    issue(state)
}

/// A new access token, counted.
fn issue(state: &mut State) -> Outcome {
    state.token_fetches += 1;
    let token = format!("ya29.replay-{}", state.token_fetches);
    Outcome::json(200, &json!({"access_token": token, "expires_in": 3600, "token_type": "Bearer"}))
}

fn metadata_text(status: u16, text: &str) -> Outcome {
    Outcome::Reply { status, content_type: "application/text", body: text.to_string(), metadata_flavor: true }
}
