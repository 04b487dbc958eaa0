//! Requests to Google's REST APIs: one HTTP client, one bearer token cache, each request paced by its quota
//! category and key ([`crate::pace`]), errors classified once ([`crate::errors`]), and every page of a list read
//! (a failed page fails the list). A list that says part of the estate could not be reached (`unreachable`,
//! `unreachables`, a scope warning `UNREACHABLE`) is an error too, never a shorter result.

use std::time::Duration;

use escher_runtime::ratelimit::{BucketKey, RateLimits};
use google_cloud_auth::credentials::AccessTokenCredentials;
use reqwest::Method;
use serde_json::Value as Json;

use crate::config::GcpConfig;
use crate::errors::ApiError;
use crate::pace::Category;

/// The APIs Escher calls, each at its own root URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Compute,
    SqlAdmin,
    Functions,
    Storage,
    BigQuery,
}

impl Service {
    fn public_root(self) -> &'static str {
        match self {
            Service::Compute => "https://compute.googleapis.com/",
            Service::SqlAdmin => "https://sqladmin.googleapis.com/",
            Service::Functions => "https://cloudfunctions.googleapis.com/",
            Service::Storage => "https://storage.googleapis.com/",
            Service::BigQuery => "https://bigquery.googleapis.com/",
        }
    }

    /// The query parameter that asks for a page size.
    fn page_size_parameter(self) -> &'static str {
        match self {
            Service::Functions => "pageSize",
            _ => "maxResults",
        }
    }
}

/// One request: what it is for the error messages (`compute.instances.stop`), where it goes, and which bucket
/// paces it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    method: Method,
    service: Service,
    /// The API method's id, for errors.
    method_id: &'static str,
    /// The path below the API's root, as its Discovery document spells it (`compute/v1/projects/...`).
    path: String,
    query: Vec<(String, String)>,
    body: Option<Json>,
    category: Category,
    /// The project (or, for bucket updates, the bucket) whose quota it counts against.
    pace_key: String,
}

impl Request {
    pub(crate) fn new(method: Method, service: Service, method_id: &'static str, path: impl Into<String>) -> Request {
        let category = match (service, method == Method::GET) {
            (Service::Compute, true) => Category::ComputeRead,
            (Service::Compute, false) => Category::ComputeMutation,
            (Service::SqlAdmin, true) => Category::SqlRead,
            (Service::SqlAdmin, false) => Category::SqlWrite,
            (Service::Functions, true) => Category::FunctionsRead,
            (Service::Functions, false) => Category::FunctionsWrite,
            (Service::Storage, true) => Category::StorageRead,
            (Service::Storage, false) => Category::StorageUpdate,
            (Service::BigQuery, _) => Category::BigQuery,
        };
        Request {
            method,
            service,
            method_id,
            path: path.into(),
            query: Vec::new(),
            body: None,
            category,
            pace_key: String::new(),
        }
    }

    pub(crate) fn get(service: Service, method_id: &'static str, path: impl Into<String>) -> Request {
        Request::new(Method::GET, service, method_id, path)
    }

    pub(crate) fn post(service: Service, method_id: &'static str, path: impl Into<String>) -> Request {
        Request::new(Method::POST, service, method_id, path)
    }

    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Request {
        self.query.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn body(mut self, body: Json) -> Request {
        self.body = Some(body);
        self
    }

    /// Counted against `key`'s bucket of `category` (a project, or a bucket's name for bucket updates).
    pub(crate) fn paced(mut self, category: Category, key: &str) -> Request {
        self.category = category;
        self.pace_key = key.to_string();
        self
    }

    /// Counted against `project`'s bucket of the request's own category.
    pub(crate) fn in_project(mut self, project: &str) -> Request {
        self.pace_key = project.to_string();
        self
    }

    /// What the request is, for errors: `POST compute.instances.stop projects/p/zones/z/instances/web-1`.
    pub(crate) fn describe(&self) -> String {
        let target = self.path.find("projects/").map_or(self.path.as_str(), |at| &self.path[at..]);
        format!("{} {} {target}", self.method, self.method_id)
    }
}

pub(crate) struct Api {
    http: reqwest::Client,
    credentials: AccessTokenCredentials,
    roots: [(Service, String); 5],
    limits: RateLimits,
    page_size: u32,
}

/// How long one request may take before it counts as unanswered (Compute's `wait` holds up to two minutes).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(150);

impl Api {
    pub(crate) fn new(config: &GcpConfig, credentials: AccessTokenCredentials) -> Result<Api, String> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("escher/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| format!("cannot make an HTTP client: {error}"))?;
        let endpoints = &config.endpoints;
        let root = |service: Service, configured: &Option<String>| {
            let url = configured.clone().unwrap_or_else(|| service.public_root().to_string());
            (service, if url.ends_with('/') { url } else { format!("{url}/") })
        };
        Ok(Api {
            http,
            credentials,
            roots: [
                root(Service::Compute, &endpoints.compute),
                root(Service::SqlAdmin, &endpoints.sqladmin),
                root(Service::Functions, &endpoints.cloudfunctions),
                root(Service::Storage, &endpoints.storage),
                root(Service::BigQuery, &endpoints.bigquery),
            ],
            limits: RateLimits::new(),
            page_size: config.page_size(),
        })
    }

    fn root(&self, service: Service) -> &str {
        self.roots.iter().find(|(s, _)| *s == service).map_or("", |(_, url)| url.as_str())
    }

    /// Sends one request and returns its JSON answer (`null` for an empty body).
    pub(crate) async fn send(&self, request: &Request) -> Result<Json, ApiError> {
        let what = request.describe();
        let key = BucketKey {
            provider: "gcp".into(),
            account: request.pace_key.clone(),
            region: String::new(),
            rate_class: request.category.name().into(),
        };
        self.limits.acquire(&key, request.category.bucket()).await;
        let token = self
            .credentials
            .access_token()
            .await
            .map_err(|error| ApiError::no_answer(what.clone(), &format!("no token: {error}")))?;
        let url = format!("{}{}", self.root(request.service), request.path);
        let mut builder = self.http.request(request.method.clone(), url).bearer_auth(token.token).query(&request.query);
        if let Some(body) = &request.body {
            builder = builder.header("Content-Type", "application/json").body(body.to_string());
        }
        let answer = builder.send().await.map_err(|error| {
            let why = if error.is_timeout() { "no answer in time".to_string() } else { error.to_string() };
            ApiError::no_answer(what.clone(), &why)
        })?;
        let status = answer.status().as_u16();
        let retry_after = answer
            .headers()
            .get("Retry-After")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = answer.text().await.map_err(|error| ApiError::no_answer(what.clone(), &error.to_string()))?;
        if !(200..300).contains(&status) {
            return Err(ApiError::from_answer(status, &text, what, retry_after));
        }
        if text.trim().is_empty() {
            return Ok(Json::Null);
        }
        serde_json::from_str(&text)
            .map_err(|error| ApiError::from_answer(502, &format!("answer is not JSON: {error}"), what, None))
    }

    /// Every item of every page of a list: `items` of each page, followed by `nextPageToken`.
    pub(crate) async fn pages(&self, request: Request, items: &str) -> Result<Vec<Json>, ApiError> {
        let mut found = Vec::new();
        self.each_page(request, |page| {
            found.extend(page.get(items).and_then(Json::as_array).cloned().unwrap_or_default());
            Ok(())
        })
        .await?;
        Ok(found)
    }

    /// Every resource of an aggregated list (`items` by zone or region), with the scope each came from; a scope
    /// that could not be reached fails the list.
    pub(crate) async fn aggregated(&self, request: Request, kind: &str) -> Result<Vec<Json>, ApiError> {
        let what = request.describe();
        let mut found = Vec::new();
        self.each_page(request, |page| {
            let Some(scopes) = page.get("items").and_then(Json::as_object) else { return Ok(()) };
            for (scope, listed) in scopes {
                let warning = listed.get("warning").and_then(|w| w.get("code")).and_then(Json::as_str);
                if warning == Some("UNREACHABLE") {
                    let message = listed.pointer("/warning/message").and_then(Json::as_str).unwrap_or("");
                    return Err(ApiError::unreachable(what.clone(), &format!("{scope}: {message}")));
                }
                found.extend(listed.get(kind).and_then(Json::as_array).cloned().unwrap_or_default());
            }
            Ok(())
        })
        .await?;
        Ok(found)
    }

    async fn each_page(
        &self,
        request: Request,
        mut take: impl FnMut(&Json) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let page_size = request.service.page_size_parameter();
        let first = request.query(page_size, self.page_size.to_string());
        let mut token: Option<String> = None;
        loop {
            let mut page_request = first.clone();
            if let Some(token) = &token {
                page_request = page_request.query("pageToken", token.clone());
            }
            let page = self.send(&page_request).await?;
            let unreachable: Vec<&str> = ["unreachable", "unreachables"]
                .iter()
                .filter_map(|key| page.get(*key).and_then(Json::as_array))
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            if !unreachable.is_empty() {
                return Err(ApiError::unreachable(page_request.describe(), &unreachable.join(", ")));
            }
            take(&page)?;
            match page.get("nextPageToken").and_then(Json::as_str).filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(()),
            }
        }
    }
}
