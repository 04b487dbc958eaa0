//! Cloud Storage in front of fake-gcs-server, which serves buckets and versioning but has no bucket IAM: a GET of
//! a bucket's IAM policy (`storage/v1/b/NAME/iam`) is answered here with a policy granting nothing public, and
//! every other request goes to fake-gcs-server unchanged, its answer back unchanged. The provider's listing reads
//! each bucket's policy; this lets it list real buckets of the emulator. Labels and public access prevention,
//! which fake-gcs-server does not keep either, are tested on the replay.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub struct StorageFront {
    endpoint: String,
    forwarded: Arc<Mutex<Vec<String>>>,
    server: JoinHandle<()>,
}

impl Drop for StorageFront {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl StorageFront {
    /// Listens on 127.0.0.1 in front of fake-gcs-server at `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str) -> StorageFront {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let endpoint = format!("http://{}/", listener.local_addr().expect("an address"));
        let forwarded = Arc::new(Mutex::new(Vec::new()));
        let client = reqwest::Client::new();
        let upstream = upstream.trim_end_matches('/').to_string();
        let seen = forwarded.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (client, upstream, seen) = (client.clone(), upstream.clone(), seen.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let (client, upstream, seen) = (client.clone(), upstream.clone(), seen.clone());
                        async move { Ok::<_, std::convert::Infallible>(answer(&client, &upstream, &seen, request).await) }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        StorageFront { endpoint, forwarded, server }
    }

    /// The root URL to give the provider for Cloud Storage.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// The requests that went on to fake-gcs-server (`METHOD /path?query`), in order.
    pub fn forwarded(&self) -> Vec<String> {
        self.forwarded.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

async fn answer(
    client: &reqwest::Client,
    upstream: &str,
    seen: &Mutex<Vec<String>>,
    request: Request<hyper::body::Incoming>,
) -> Response<Full<Bytes>> {
    let method = request.method().clone();
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
    let path = request.uri().path().to_string();
    if method == hyper::Method::GET && path.starts_with("/storage/v1/b/") && path.ends_with("/iam") {
        let bucket = path.trim_start_matches("/storage/v1/b/").trim_end_matches("/iam");
        let policy = json!({"kind": "storage#policy", "resourceId": format!("projects/_/buckets/{bucket}"),
            "version": 1, "etag": "CAE=", "bindings": []});
        return reply(200, Bytes::from(policy.to_string()));
    }
    seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(format!("{method} {target}"));
    let headers = request.headers().clone();
    let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let mut forward = client.request(method, format!("{upstream}{target}")).body(body);
    if let Some(kind) = headers.get(hyper::header::CONTENT_TYPE) {
        forward = forward.header("Content-Type", kind.as_bytes());
    }
    match forward.send().await {
        Ok(answer) => {
            let status = answer.status().as_u16();
            reply(status, answer.bytes().await.unwrap_or_default())
        }
        Err(error) => reply(502, Bytes::from(format!("fake-gcs-server did not answer: {error}"))),
    }
}

fn reply(status: u16, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_GATEWAY);
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    response
}
