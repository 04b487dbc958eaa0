//! `escher serve`: the stateless compile service the AI server calls. JSON in, JSON out, over HTTP on the address
//! given (127.0.0.1 by default). It reads no file and writes none: a playbook's imports come in the request, the
//! risk policy is the built-in one, and nothing is kept between requests, so the same request gets the same
//! answer whatever came before it. Bounded: a body size limit, a time limit per request and a limit on how many
//! compile at once.
//!
//! - `POST /v1/check` `{"playbook": TEXT, "name"?, "files"?: {PATH: TEXT}}` → `{"ok", "diagnostics"}`
//! - `POST /v1/plan` the same, with `"params"?: {NAME: TEXT}` → `{"ok", "diagnostics", "plan"}`
//! - `POST /v1/fix` the same → `{"playbook": TEXT with machine-applicable fixes applied, "applied", "ok",
//!   "diagnostics"}` (of the fixed text)
//! - `GET /v1/catalog?clouds=aws,gcp&only=ec2` → the stdlib brief (`escher catalog --format json`)
//! - `GET /v1/grammar?format=lark|gbnf|json-schema` → the text `escher grammar` prints

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use escher_compiler::diagnostics::{apply_machine_fixes, to_json};
use escher_compiler::stdlib::{Cloud, Selection, brief, catalog};
use escher_compiler::{Compilation, CompileOptions, MemoryLoader, ParamInput, compile_input};
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to listen (port 0: any free port, printed on start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The largest request body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body: usize,
    /// How long one request may compile before it is answered 503.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = escher_governance::duration::parse)]
    pub timeout: Duration,
    /// How many requests compile at once; the others wait their turn.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrency: usize,
}

/// What every request shares: nothing but its limits.
struct Limits {
    compiling: Semaphore,
    timeout: Duration,
}

#[derive(Debug, Deserialize)]
struct CompileRequest {
    playbook: String,
    /// The name diagnostics give the playbook.
    #[serde(default = "default_name")]
    name: String,
    /// The files its `use` lines import, by the path they are written with.
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// Parameter values, as `--param NAME=VALUE` gives them (plan only).
    #[serde(default)]
    params: BTreeMap<String, String>,
}

fn default_name() -> String {
    "playbook.esc".to_string()
}

#[derive(Debug, Deserialize)]
struct GrammarQuery {
    format: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CatalogQuery {
    clouds: Option<String>,
    only: Option<String>,
}

pub fn run(args: &ServeArgs) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CliError::Async)?;
    runtime.block_on(serve(args))
}

async fn serve(args: &ServeArgs) -> Outcome {
    let limits = Arc::new(Limits { compiling: Semaphore::new(args.concurrency.max(1)), timeout: args.timeout });
    let app = Router::new()
        .route("/v1/check", post(check))
        .route("/v1/plan", post(plan))
        .route("/v1/fix", post(fix))
        .route("/v1/catalog", get(catalog_brief))
        .route("/v1/grammar", get(grammar))
        .layer(DefaultBodyLimit::max(args.max_body))
        .with_state(limits);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| CliError::Usage(format!("cannot listen on {}: {error}", args.listen)))?;
    let address = listener.local_addr().map_err(|error| CliError::Usage(error.to_string()))?;
    eprintln!("listening on http://{address}");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|error| CliError::Usage(format!("the server stopped: {error}")))?;
    Ok(EXIT_OK)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    Plan,
}

/// Compiles a request's playbook from its text and its files alone, within the limits; `answer` makes the JSON
/// answer of the compilation.
async fn compiled(
    limits: &Limits,
    request: CompileRequest,
    mode: Mode,
    answer: impl FnOnce(&CompileRequest, Compilation) -> serde_json::Value + Send + 'static,
) -> Response {
    let Ok(_turn) = limits.compiling.acquire().await else { return unavailable("the server is stopping") };
    let work = tokio::task::spawn_blocking(move || {
        let loader = MemoryLoader { files: request.files.clone() };
        let params = request.params.iter().map(|(k, v)| (k.clone(), ParamInput::Text(v.clone()))).collect();
        let options = match mode {
            Mode::Check => CompileOptions::check(&loader),
            Mode::Plan => CompileOptions::plan(&loader, params),
        };
        let compilation = compile_input(&request.name, &request.playbook, &options);
        answer(&request, compilation)
    });
    match tokio::time::timeout(limits.timeout, work).await {
        Ok(Ok(answer)) => Json(answer).into_response(),
        Ok(Err(error)) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
        Err(_) => unavailable(&format!("the request took longer than {:?}", limits.timeout)),
    }
}

fn unavailable(why: &str) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "error": why }))).into_response()
}

/// `{"ok", "diagnostics"}` of a compilation.
fn outcome(compilation: &Compilation) -> serde_json::Value {
    let diagnostics: Vec<_> =
        compilation.diagnostics.0.iter().map(|diagnostic| to_json(diagnostic, &compilation.sources)).collect();
    serde_json::json!({ "ok": !compilation.has_errors(), "diagnostics": diagnostics })
}

async fn check(State(limits): State<Arc<Limits>>, Json(request): Json<CompileRequest>) -> Response {
    compiled(&limits, request, Mode::Check, |_, compilation| outcome(&compilation)).await
}

async fn plan(State(limits): State<Arc<Limits>>, Json(request): Json<CompileRequest>) -> Response {
    let answer = |_: &CompileRequest, compilation: Compilation| {
        let mut answer = outcome(&compilation);
        answer["plan"] = match compilation.plan.as_ref().filter(|_| !compilation.has_errors()) {
            Some(plan) => serde_json::to_value(plan).unwrap_or_default(),
            None => serde_json::Value::Null,
        };
        answer
    };
    compiled(&limits, request, Mode::Plan, answer).await
}

async fn fix(State(limits): State<Arc<Limits>>, Json(request): Json<CompileRequest>) -> Response {
    let answer = |request: &CompileRequest, compilation: Compilation| {
        // Fixes are spans in the file compiled; a Markdown answer or an envelope is compiled from the playbook
        // extracted from it, which is what gets fixed and returned.
        let main = compilation.sources.get(compilation.main).text.clone();
        let (fixed, applied) = apply_machine_fixes(&main, compilation.main, &compilation.diagnostics);
        let loader = MemoryLoader { files: request.files.clone() };
        let again = compile_input(&request.name, &fixed, &CompileOptions::check(&loader));
        let mut answer = outcome(&again);
        answer["playbook"] = serde_json::Value::String(fixed);
        answer["applied"] = serde_json::Value::from(applied);
        answer
    };
    compiled(&limits, request, Mode::Check, answer).await
}

async fn catalog_brief(Query(query): Query<CatalogQuery>) -> Response {
    let split = |text: Option<String>| -> Vec<String> {
        text.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
    };
    let clouds: Result<Vec<Cloud>, String> = split(query.clouds).iter().map(|c| c.parse::<Cloud>()).collect();
    let clouds = match clouds {
        Ok(clouds) => clouds,
        Err(why) => return (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": why }))).into_response(),
    };
    Json(brief(catalog(), &Selection { clouds, only: split(query.only) })).into_response()
}

async fn grammar(Query(query): Query<GrammarQuery>) -> Response {
    use clap::ValueEnum;
    let format = match query.format.as_deref() {
        None => Ok(super::grammar::GrammarOutput::Lark),
        Some(name) => super::grammar::GrammarOutput::from_str(name, true),
    };
    let text = match format {
        Ok(format) => super::grammar::text(format),
        Err(_) => {
            let why = "format must be one of lark, gbnf, json-schema";
            return (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": why }))).into_response();
        }
    };
    match text {
        Ok(text) => ([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response(),
        Err(error) => {
            (StatusCode::INTERNAL_SERVER_ERROR, Json(serde_json::json!({ "error": error.to_string() }))).into_response()
        }
    }
}
