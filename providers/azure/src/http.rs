//! The HTTP client under azure_core's pipeline: the workspace's reqwest 0.12 (rustls, Mozilla's roots), plus the
//! certificate authorities of the configuration's `ca_file`. azure_core's own client is reqwest 0.13 on another
//! TLS stack with no way to add a root; this one also keeps the build to one reqwest.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use azure_core::error::ErrorKind;
use azure_core::http::headers::{HeaderName, HeaderValue, Headers};
use azure_core::http::response::PinnedStream;
use azure_core::http::{AsyncRawResponse, Body, HttpClient, Method, Request, Transport};

/// azure_core's pipeline over a reqwest client.
#[derive(Debug, Clone)]
pub(crate) struct ReqwestClient(reqwest::Client);

/// How long to wait for a connection: Resource Manager and Entra answer in well under this; the instance
/// metadata endpoint, which does not exist off Azure, must fail fast when the credential chain probes it.
pub(crate) enum Connect {
    Service,
    Probe,
}

impl ReqwestClient {
    /// A client trusting the system's roots and those in `ca_file`. Redirects are not followed: a bearer token
    /// must not travel to wherever a 3xx points.
    pub(crate) fn new(ca_file: Option<&Path>, connect: Connect) -> Result<ReqwestClient, String> {
        let connect_timeout = match connect {
            Connect::Service => Duration::from_secs(20),
            Connect::Probe => Duration::from_secs(1),
        };
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect_timeout)
            .read_timeout(Duration::from_secs(60));
        if let Some(path) = ca_file {
            let pem =
                std::fs::read(path).map_err(|error| format!("cannot read `ca_file` {}: {error}", path.display()))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|error| format!("`ca_file` {} holds no PEM certificate: {error}", path.display()))?;
            if certificates.is_empty() {
                return Err(format!("`ca_file` {} holds no PEM certificate", path.display()));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        builder.build().map(ReqwestClient).map_err(|error| format!("cannot make an HTTPS client: {error}"))
    }

    pub(crate) fn transport(&self) -> Transport {
        Transport::new(Arc::new(self.clone()))
    }
}

#[async_trait::async_trait]
impl HttpClient for ReqwestClient {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let method = match request.method() {
            Method::Delete => reqwest::Method::DELETE,
            Method::Get => reqwest::Method::GET,
            Method::Head => reqwest::Method::HEAD,
            Method::Patch => reqwest::Method::PATCH,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            other => {
                let message = format!("HTTP method {other:?} is not sent");
                return Err(azure_core::Error::with_message(ErrorKind::Other, message));
            }
        };
        let mut outgoing = self.0.request(method, request.url().clone());
        for (name, value) in request.headers().iter() {
            outgoing = outgoing.header(name.as_str(), value.as_str());
        }
        outgoing = match request.body() {
            Body::Bytes(bytes) => outgoing.body(bytes.clone()),
            // Escher sends JSON documents only.
            Body::SeekableStream(_) => {
                return Err(azure_core::Error::with_message(ErrorKind::Other, "streamed request bodies are not sent"));
            }
        };
        let response = outgoing.send().await.map_err(|error| {
            let kind = if error.is_connect() { ErrorKind::Connection } else { ErrorKind::Io };
            azure_core::Error::with_error(kind, error, "the HTTPS request failed")
        })?;
        let status = response.status().as_u16();
        let headers: HashMap<HeaderName, HeaderValue> = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                let value = value.to_str().ok()?;
                Some((HeaderName::from(name.as_str().to_owned()), HeaderValue::from(value.to_owned())))
            })
            .collect();
        let body = response
            .bytes()
            .await
            .map_err(|error| azure_core::Error::with_error(ErrorKind::Io, error, "reading the response failed"))?;
        let stream: PinnedStream = Box::pin(futures::stream::once(async move { Ok(body) }));
        Ok(AsyncRawResponse::new(status.into(), Headers::from(headers), stream))
    }
}
