//! One API request, start to end: find its Discovery method, check it, let a queued fault answer or the method
//! run, check the answer against the method's response schema, log it.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::api::Api;
use crate::apis::{self, Call};
use crate::discovery::{Document, Method, discovery};
use crate::errors::ApiError;
use crate::faults::Injected;
use crate::log::{Logged, call_line};
use crate::paging;
use crate::schema::{self, Direction};
use crate::server::{Incoming, Outcome};
use crate::state::State;
use crate::validate;

pub(crate) fn serve(state: &mut State, api: Api, request: &Incoming) -> Outcome {
    let query = request.query_map();
    let body = parse_body(&request.body);
    let mut logged = Logged {
        api: Some(api),
        method_id: None,
        http_method: request.method.clone(),
        path: request.path.clone(),
        query: query.clone(),
        body: body.clone(),
        authorization: request.authorization.clone(),
        status: 0,
    };
    let outcome = route(state, api, request, query, body, &mut logged);
    logged.status = outcome.status();
    state.log.push(logged);
    outcome
}

/// The body as JSON; text that is not JSON as a JSON string (the checks then refuse it).
fn parse_body(text: &str) -> Option<Json> {
    if text.trim().is_empty() {
        return None;
    }
    Some(serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_string())))
}

fn error(error: &ApiError) -> Outcome {
    Outcome::json(error.code, &error.body())
}

fn route(
    state: &mut State,
    api: Api,
    request: &Incoming,
    query: BTreeMap<String, String>,
    body: Option<Json>,
    logged: &mut Logged,
) -> Outcome {
    let Some((document, method)) = discovery().find(api, &request.method, &request.raw_path) else {
        let problem =
            format!("{} {}: no {api:?} method in the Discovery documents has this path", request.method, request.path);
        state.violations.push(problem.clone());
        state.calls.push(format!("{} ? {}", request.method, request.path));
        return error(&ApiError::new(404, "notFound", problem));
    };
    logged.method_id = Some(method.id.clone());
    state.calls.push(call_line(api, document, method, &request.raw_path, &query));
    let params = method.path_params(&request.raw_path);
    let mut problems = validate::parameters(document, method, &params, &request.query);
    problems.extend(check_body(document, method, body.as_ref()));
    let bearer =
        request.authorization.as_deref().and_then(|a| a.strip_prefix("Bearer ")).is_some_and(|t| !t.trim().is_empty());
    if !bearer {
        problems.push("no `Authorization: Bearer <token>` header".to_string());
    }
    if !problems.is_empty() {
        for problem in &problems {
            state.violations.push(format!("{} {} {}: {problem}", method.id, request.method, request.path));
        }
        let refusal = if !bearer && problems.len() == 1 {
            ApiError::new(401, "required", "Request is missing required authentication credential.")
        } else {
            ApiError::invalid(problems.join("; "))
        };
        return error(&refusal);
    }
    let page = paging::cursor(&query).map_or(1, |cursor| cursor.page);
    match state.faults.take_answer(&method.id, page) {
        Some(Injected::Reset) => return Outcome::Reset,
        Some(Injected::Answer(injected)) => return error(&injected),
        None => {}
    }
    let call = Call {
        api,
        version: document.version.clone(),
        method: method.id.clone(),
        params,
        query,
        body: body.unwrap_or(Json::Null),
    };
    match apis::handle(state, &call) {
        Ok(answer) => {
            if let Some(schema_name) = &method.response {
                for problem in schema::check(document, schema_name, &answer, Direction::Response) {
                    state.violations.push(format!("answer of {} ({schema_name}): {problem}", method.id));
                }
            }
            Outcome::json(200, &answer)
        }
        Err(refusal) => error(&refusal),
    }
}

/// A body is sent exactly when the method takes one, and is valid against its schema.
fn check_body(document: &Document, method: &Method, body: Option<&Json>) -> Vec<String> {
    match (&method.request, body) {
        (Some(schema_name), Some(Json::String(_))) => {
            vec![format!("the body is not JSON (a {schema_name} is expected)")]
        }
        (Some(schema_name), Some(body)) => schema::check(document, schema_name, body, Direction::Request)
            .into_iter()
            .map(|problem| format!("request body ({schema_name}): {problem}"))
            .collect(),
        (Some(schema_name), None) => vec![format!("{} takes a {schema_name} body and none was sent", method.id)],
        (None, Some(_)) => vec![format!("{} takes no body but one was sent", method.id)],
        (None, None) => Vec::new(),
    }
}
