//! Azure Resource Manager over azure_core's pipeline: one pipeline per tenant (its bearer-token policy holds
//! that tenant's token), with azure_core's retries off so the runtime owns every retry and wait. Here: requests
//! and their errors ([`ArmError`], with `error.code` and `x-ms-request-id`), lists that read every `nextLink`,
//! and long-running operations followed to their end. A URL Resource Manager hands back (a next page, an
//! operation to poll) is followed only on Resource Manager's own host: the token never leaves it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_core::http::headers::{HeaderName, Headers};
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{ClientOptions, Context, Method, Pipeline, PipelineSendOptions, Request, RetryOptions, Url};
use escher_runtime::provider::ProviderError;
use serde_json::Value as Json;

use crate::config::AzureConfig;
use crate::credential::{Credentials, NoCredential, one_line};
use crate::http::{Connect, ReqwestClient};

/// The longest `Retry-After` honoured between polls.
const LONGEST_POLL: Duration = Duration::from_secs(60);

/// A request Resource Manager refused, or that never got an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArmError {
    /// 0 when no answer came (the connection failed, or the operation ran out of time).
    pub status: u16,
    /// Azure's `error.code`, or what happened when there was no answer.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
}

impl ArmError {
    fn local(code: &str, message: impl Into<String>) -> ArmError {
        ArmError { status: 0, code: code.into(), message: message.into(), request_id: None, retry_after: None }
    }

    pub(crate) fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// The error as the runtime classes it: throttling, 5xx, a conflicting operation in progress and no answer
    /// are retried; anything else fails the target with Azure's code, message and request id.
    pub(crate) fn to_provider(&self) -> ProviderError {
        let text = self.to_string();
        match self.status {
            429 => ProviderError::Throttled { message: text, retry_after: self.retry_after },
            500..=599 => ProviderError::Unavailable(text),
            409 if self.code == "AnotherOperationInProgress" => ProviderError::Unavailable(text),
            0 if self.code == "Unreachable" => ProviderError::Unavailable(text),
            _ => ProviderError::Rejected(text),
        }
    }
}

impl std::fmt::Display for ArmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if self.status != 0 {
            write!(f, " (HTTP {}", self.status)?;
            if let Some(id) = &self.request_id {
                write!(f, ", x-ms-request-id {id}")?;
            }
            write!(f, ")")?;
        }
        Ok(())
    }
}

impl From<ArmError> for ProviderError {
    fn from(error: ArmError) -> ProviderError {
        error.to_provider()
    }
}

/// An answer with a 2xx status.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Headers,
    /// The JSON body; `null` when there was none.
    pub body: Json,
}

impl Reply {
    fn header(&self, name: &'static str) -> Option<&str> {
        self.headers.get_optional_str(&HeaderName::from_static(name))
    }
}

/// Resource Manager, for every tenant the run signs in to.
pub(crate) struct Arm {
    base: Url,
    credentials: Credentials,
    client: ReqwestClient,
    pipelines: Mutex<HashMap<String, Pipeline>>,
    operation_timeout: Duration,
    /// Between polls of an operation that says nothing (`Retry-After` absent).
    poll_interval: Duration,
    page_size: Option<u32>,
}

impl Arm {
    pub(crate) fn new(config: &AzureConfig) -> Result<Arm, String> {
        let base = Url::parse(config.resource_manager()).map_err(|error| {
            format!("`resource_manager_endpoint` {} is not a URL: {error}", config.resource_manager())
        })?;
        Ok(Arm {
            base,
            credentials: Credentials::new(config)?,
            client: ReqwestClient::new(config.ca_file.as_deref(), Connect::Service)?,
            pipelines: Mutex::new(HashMap::new()),
            operation_timeout: config.operation_timeout(),
            poll_interval: config.poll_interval(),
            page_size: config.page_size,
        })
    }

    pub(crate) fn page_size(&self) -> Option<u32> {
        self.page_size
    }

    pub(crate) fn with_host_credential(mut self, credential: crate::credential::HostCredential) -> Arm {
        self.credentials = self.credentials.with_host_credential(credential);
        self
    }

    /// Signs in to `tenant` now, so a missing credential is said before a run starts.
    pub(crate) async fn sign_in(&self, tenant: Option<&str>) -> Result<(), NoCredential> {
        self.pipeline(tenant).await.map(|_| ())
    }

    async fn pipeline(&self, tenant: Option<&str>) -> Result<Pipeline, NoCredential> {
        let key = tenant.unwrap_or("").to_ascii_lowercase();
        if let Some(found) = self.pipelines.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(found.clone());
        }
        let credential = self.credentials.for_tenant(tenant).await?;
        let options = ClientOptions {
            transport: Some(self.client.transport()),
            retry: RetryOptions::none(),
            ..ClientOptions::default()
        };
        let auth = BearerTokenAuthorizationPolicy::new(credential, [self.credentials.scope().to_string()]);
        let pipeline = Pipeline::new(
            Some(env!("CARGO_PKG_NAME")),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            vec![Arc::new(auth)],
            None,
        );
        let mut pipelines = self.pipelines.lock().unwrap_or_else(|e| e.into_inner());
        Ok(pipelines.entry(key).or_insert(pipeline).clone())
    }

    /// The URL of `path` (a resource id or a collection under one) with `api-version` and `query`.
    pub(crate) fn url(&self, path: &str, api_version: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", api_version);
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        url
    }

    /// Whether `url` is on Resource Manager's host (scheme, host and port).
    fn is_ours(&self, url: &Url) -> bool {
        url.origin() == self.base.origin()
    }

    /// Sends one request; a non-2xx answer is an [`ArmError`].
    pub(crate) async fn send(
        &self,
        tenant: Option<&str>,
        method: Method,
        url: Url,
        body: Option<&Json>,
    ) -> Result<Reply, ArmError> {
        if !self.is_ours(&url) {
            return Err(ArmError::local(
                "OffResourceManager",
                format!("refused to send a request to {url}, which is not Resource Manager ({})", self.base),
            ));
        }
        let pipeline =
            self.pipeline(tenant).await.map_err(|error| ArmError::local("NoCredential", error.to_string()))?;
        let mut request = Request::new(url, method);
        request.insert_header("accept", "application/json");
        if let Some(body) = body {
            request.insert_header("content-type", "application/json");
            request.set_body(serde_json::to_vec(body).unwrap_or_default());
        }
        let options = PipelineSendOptions { skip_checks: true, ..PipelineSendOptions::default() };
        let response = pipeline.send(&Context::new(), &mut request, Some(options)).await.map_err(|error| {
            let code = match error.kind() {
                azure_core::error::ErrorKind::Credential => "NoCredential",
                _ => "Unreachable",
            };
            ArmError::local(code, one_line(&error))
        })?;
        let (status, headers, body) = response.deconstruct();
        let status = u16::from(status);
        let text = body.into_string().unwrap_or_default();
        let json = if text.trim().is_empty() { Json::Null } else { serde_json::from_str(&text).unwrap_or(Json::Null) };
        if (200..300).contains(&status) {
            return Ok(Reply { status, headers, body: json });
        }
        let error = json.get("error").unwrap_or(&json);
        let field = |name: &str| error.get(name).and_then(Json::as_str).map(str::to_string);
        Err(ArmError {
            status,
            code: field("code").unwrap_or_else(|| format!("HTTP{status}")),
            message: field("message").unwrap_or_else(|| text.chars().take(200).collect()),
            request_id: headers.get_optional_string(&HeaderName::from_static("x-ms-request-id")),
            retry_after: retry_after(&headers),
        })
    }

    /// GET of one resource.
    pub(crate) async fn get(&self, tenant: Option<&str>, url: Url) -> Result<Json, ArmError> {
        Ok(self.send(tenant, Method::Get, url, None).await?.body)
    }

    /// Every item of a list, page after page (`value`, then `nextLink`). A failed page fails the list: never a
    /// partial one.
    pub(crate) async fn list(&self, tenant: Option<&str>, url: Url) -> Result<Vec<Json>, ArmError> {
        let mut items = Vec::new();
        let mut next = Some(url);
        while let Some(url) = next.take() {
            let page = self.send(tenant, Method::Get, url, None).await?.body;
            if let Some(Json::Array(values)) = page.get("value") {
                items.extend(values.iter().cloned());
            }
            if let Some(link) = page.get("nextLink").and_then(Json::as_str).filter(|link| !link.is_empty()) {
                next = Some(self.link(link, "the next page")?);
            }
        }
        Ok(items)
    }

    /// Sends a request that may start a long-running operation (201 or 202 with `Azure-AsyncOperation` or
    /// `Location`) and follows it to its end; the first answer's body is returned, or the final one's when the
    /// operation returns a resource.
    pub(crate) async fn act(
        &self,
        tenant: Option<&str>,
        method: Method,
        url: Url,
        body: Option<&Json>,
    ) -> Result<Reply, ArmError> {
        let first = self.send(tenant, method, url, body).await?;
        if !matches!(first.status, 201 | 202) {
            return Ok(first);
        }
        let header = |name| first.header(name).map(str::to_string);
        if let Some(status_url) = header("azure-asyncoperation") {
            // The status document says how it ended; the first answer is the result.
            self.poll(tenant, &status_url, &first.headers, |reply| {
                match reply.body.get("status").and_then(Json::as_str).unwrap_or("InProgress") {
                    "Succeeded" => Some(Ok(())),
                    status @ ("Failed" | "Canceled") => Some(Err(operation_failed(reply, status))),
                    _ => None,
                }
            })
            .await?;
            return Ok(first);
        }
        if let Some(location) = header("location") {
            // The location answers 202 until the operation ends, then its result.
            return self.poll(tenant, &location, &first.headers, |reply| (reply.status != 202).then_some(Ok(()))).await;
        }
        Ok(first)
    }

    /// A URL Resource Manager handed back (`what`: a next page, an operation), on Resource Manager's host or
    /// refused: the token never leaves it. SQL's `Location` is a path; the others are whole URLs.
    pub(crate) fn link(&self, link: &str, what: &str) -> Result<Url, ArmError> {
        let url = self.base.join(link).map_err(|error| {
            ArmError::local("BadLink", format!("the link to {what}, `{link}`, is not a URL: {error}"))
        })?;
        if !self.is_ours(&url) {
            return Err(ArmError::local(
                "OffResourceManager",
                format!("refused to follow the link to {what} at {url}, which is not Resource Manager ({})", self.base),
            ));
        }
        Ok(url)
    }

    /// Polls an operation at `link` until `ended` says how it ended, waiting between polls as each answer's
    /// `Retry-After` says (the first wait as `first`'s); the last answer.
    async fn poll(
        &self,
        tenant: Option<&str>,
        link: &str,
        first: &Headers,
        ended: impl Fn(&Reply) -> Option<Result<(), ArmError>>,
    ) -> Result<Reply, ArmError> {
        let url = self.link(link, "the operation")?;
        let deadline = tokio::time::Instant::now() + self.operation_timeout;
        let mut last = first.clone();
        loop {
            self.wait(&last, deadline, link).await?;
            let reply = self.send(tenant, Method::Get, url.clone(), None).await?;
            match ended(&reply) {
                Some(outcome) => return outcome.map(|()| reply),
                None => last = reply.headers,
            }
        }
    }

    /// Sleeps as the last answer's `Retry-After` says (the configured interval when it says nothing), failing
    /// once the operation's time is up.
    async fn wait(&self, last: &Headers, deadline: tokio::time::Instant, link: &str) -> Result<(), ArmError> {
        let pause = retry_after(last).unwrap_or(self.poll_interval).min(LONGEST_POLL);
        if tokio::time::Instant::now() + pause > deadline {
            return Err(ArmError::local(
                "OperationTimedOut",
                format!("the operation at {link} did not finish within {} s", self.operation_timeout.as_secs()),
            ));
        }
        tokio::time::sleep(pause).await;
        Ok(())
    }
}

/// An operation that ended `Failed` or `Canceled`, with Azure's code and message.
fn operation_failed(reply: &Reply, status: &str) -> ArmError {
    let error = reply.body.get("error");
    let field = |name: &str| error.and_then(|e| e.get(name)).and_then(Json::as_str).map(str::to_string);
    ArmError {
        status: reply.status,
        code: field("code").unwrap_or_else(|| format!("Operation{status}")),
        message: field("message").unwrap_or_else(|| format!("the operation ended {status}")),
        request_id: reply.headers.get_optional_string(&HeaderName::from_static("x-ms-request-id")),
        retry_after: None,
    }
}

/// How long an answer asks to wait: `x-ms-retry-after-ms`, `retry-after-ms`, Cost Management's own header, or
/// `Retry-After` in seconds.
pub(crate) fn retry_after(headers: &Headers) -> Option<Duration> {
    let header = |name: &'static str| headers.get_optional_str(&HeaderName::from_static(name)).map(str::trim);
    let millis = |name| header(name).and_then(|v| v.parse::<u64>().ok()).map(Duration::from_millis);
    let seconds = |name| header(name).and_then(|v| v.parse::<u64>().ok()).map(Duration::from_secs);
    millis("x-ms-retry-after-ms")
        .or_else(|| millis("retry-after-ms"))
        .or_else(|| seconds("x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after"))
        .or_else(|| seconds("retry-after"))
}
