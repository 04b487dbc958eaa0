//! The listeners: one plain HTTP/1 server on 127.0.0.1 per API and one for auth (token endpoint and metadata
//! server). Each request is read whole, then answered synchronously under the state's lock.

use std::collections::BTreeMap;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value as Json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::discovery::decode;
use crate::state::{Shared, lock};
use crate::{auth, pipeline};

/// What a listener serves.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Listener {
    Api(Api),
    Auth,
}

/// A request, read whole.
pub(crate) struct Incoming {
    pub(crate) method: String,
    /// As sent, without the leading `/`: a template's segments are split before decoding.
    pub(crate) raw_path: String,
    /// Decoded, with the leading `/`.
    pub(crate) path: String,
    /// Decoded, in order, repeats kept.
    pub(crate) query: Vec<(String, String)>,
    pub(crate) authorization: Option<String>,
    pub(crate) metadata_flavor: Option<String>,
    pub(crate) body: String,
}

impl Incoming {
    /// The query as a map (a repeated parameter: its last value).
    pub(crate) fn query_map(&self) -> BTreeMap<String, String> {
        self.query.iter().cloned().collect()
    }
}

/// An answer, or none at all.
pub(crate) enum Outcome {
    Reply {
        status: u16,
        content_type: &'static str,
        body: String,
        metadata_flavor: bool,
    },
    /// Close the connection without answering ([`crate::Fault::reset`]).
    Reset,
}

impl Outcome {
    pub(crate) fn json(status: u16, body: &Json) -> Outcome {
        Outcome::Reply {
            status,
            content_type: "application/json; charset=UTF-8",
            body: body.to_string(),
            metadata_flavor: false,
        }
    }

    pub(crate) fn status(&self) -> u16 {
        match self {
            Outcome::Reply { status, .. } => *status,
            Outcome::Reset => 0,
        }
    }
}

/// Binds 127.0.0.1 on a free port and serves `listener` there until the task is aborted. Returns `127.0.0.1:PORT`.
pub(crate) async fn listen(listener: Listener, shared: Shared) -> (String, JoinHandle<()>) {
    let socket = TcpListener::bind("127.0.0.1:0").await.expect("bind a port on 127.0.0.1");
    let address = socket.local_addr().expect("the bound address").to_string();
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = socket.accept().await else { continue };
            let shared = shared.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| answer(listener, shared.clone(), request));
                // A reset fault ends the connection with an error: nothing to report.
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    (address, server)
}

/// The error that makes hyper drop the connection unanswered.
#[derive(Debug)]
struct ResetByFault;

impl std::fmt::Display for ResetByFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by an injected fault")
    }
}

impl std::error::Error for ResetByFault {}

async fn answer(
    listener: Listener,
    shared: Shared,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, ResetByFault> {
    let (parts, body) = request.into_parts();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let incoming = Incoming {
        method: parts.method.to_string(),
        raw_path: parts.uri.path().trim_start_matches('/').to_string(),
        path: decode(parts.uri.path()),
        query: url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        authorization: header("authorization"),
        metadata_flavor: header("metadata-flavor"),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let outcome = {
        let mut state = lock(&shared);
        match listener {
            Listener::Api(api) => pipeline::serve(&mut state, api, &incoming),
            Listener::Auth => auth::serve(&mut state, &incoming),
        }
    };
    let Outcome::Reply { status, content_type, body, metadata_flavor } = outcome else { return Err(ResetByFault) };
    let mut response = Response::builder().status(status).header("content-type", content_type);
    if metadata_flavor {
        response = response.header("metadata-flavor", "Google");
    }
    Ok(response.body(Full::new(Bytes::from(body))).unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}
