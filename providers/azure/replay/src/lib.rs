//! Microsoft's published Azure Resource Manager examples, replayed over HTTPS on 127.0.0.1: the proof that
//! Escher's Azure provider sends what Azure expects, where no emulator exists.
//!
//! A [`Replay`] serves [`Exchange`]s: each expects one request (method, path, every query parameter including
//! `api-version`, and the JSON body) and answers it. Most come whole from a vendored example file
//! ([`Exchange::example`]); where Escher's request must differ from the published one, the test says how and
//! why ([`Exchange::derived`]). A request no exchange matches is answered 400 and recorded, and
//! [`Replay::assert_clean`] fails the test on it. The server also answers Entra ID's token endpoint
//! ([`Exchange::token`]), so the real credential code signs in. The certificate authority is made at start;
//! [`Replay::write_ca`] puts it where the provider's `ca_file` reads it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value as Json, json};
use tokio::net::TcpListener;

/// Resource Manager's public host, which example headers name and the server answers for.
pub const RESOURCE_MANAGER: &str = "https://management.azure.com";

/// What the body of a request must be.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyRule {
    /// No body (or an empty one).
    Empty,
    /// This JSON document, exactly.
    Json(Json),
    /// Anything: a form-encoded token request.
    Any,
}

/// One request the server expects, and its answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// The decoded path.
    pub path: String,
    /// Every query parameter, decoded, `api-version` included.
    pub query: BTreeMap<String, String>,
    pub body: BodyRule,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub response: Option<Json>,
    /// How many requests it answers; `None`: any number.
    pub times: Option<usize>,
    /// Where it came from (the fixture file), and how it was changed, for failure messages.
    pub source: String,
}

/// A request the server saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// The exchange that answered it; `None` when nothing matched.
    pub answered_by: Option<String>,
}

impl Logged {
    pub fn json(&self) -> Option<Json> {
        serde_json::from_str(&self.body).ok()
    }

    /// The body as a form (a token request), decoded.
    pub fn form(&self) -> BTreeMap<String, String> {
        url::form_urlencoded::parse(self.body.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }
}

/// The vendored examples' folder: `providers/azure/tests/fixtures`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// A vendored example, parsed.
pub fn example(file: &str) -> Json {
    let path = fixtures().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {} is not JSON: {e}", path.display()))
}

/// The published VM (`VirtualMachine_Get.json`, the only whole VM model Microsoft publishes) as the VM `id`, in
/// power state `power` (its instance view's `PowerState/...`, which the list with `statusOnly=true` and a read
/// with `$expand=instanceView` carry).
pub fn published_vm(id: &str, power: &str) -> Json {
    let mut vm = example("compute/2026-04-01/VirtualMachine_Get.json")["responses"]["200"]["body"].clone();
    vm["id"] = json!(id);
    vm["name"] = json!(id.rsplit('/').next().unwrap_or(id));
    vm["properties"]["instanceView"] = json!({"statuses": [
        {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded"},
        {"code": format!("PowerState/{power}"), "level": "Info", "displayStatus": format!("VM {power}")},
    ]});
    vm
}

impl Exchange {
    /// An exchange by hand: `method` on `path` with `api-version`, answering 200 with no body.
    pub fn new(method: &str, path: &str, api_version: &str) -> Exchange {
        Exchange {
            method: method.to_string(),
            path: path.to_string(),
            query: BTreeMap::from([("api-version".to_string(), api_version.to_string())]),
            body: BodyRule::Empty,
            status: 200,
            headers: Vec::new(),
            response: None,
            times: None,
            source: format!("{method} {path} (written for the test)"),
        }
    }

    /// The exchange a vendored example describes: `template` (the operation's URL template) filled from the
    /// example's parameters; its other scalar parameters as the query; its one object parameter as the body;
    /// its response of `status` (headers and body) as the answer.
    pub fn example(file: &str, method: &str, template: &str, status: u16) -> Exchange {
        let document = example(file);
        let parameters = document.get("parameters").and_then(Json::as_object).cloned().unwrap_or_default();
        let mut path = template.to_string();
        let mut query = BTreeMap::new();
        let mut body = BodyRule::Empty;
        for (name, value) in &parameters {
            let placeholder = format!("{{{name}}}");
            let text = match value {
                Json::String(text) => Some(text.clone()),
                Json::Number(n) => Some(n.to_string()),
                Json::Bool(b) => Some(b.to_string()),
                _ => None,
            };
            match text {
                Some(text) if path.contains(&placeholder) => path = path.replace(&placeholder, &text),
                // `{scope}` templates name a path, filled whole.
                Some(_) if name == "scope" => {}
                Some(text) => {
                    query.insert(name.clone(), text);
                }
                None => body = BodyRule::Json(value.clone()),
            }
        }
        if let Some(Json::String(scope)) = parameters.get("scope") {
            path = path.replace("{scope}", scope.trim_start_matches('/')).replace("//", "/");
        }
        let answer = document
            .get("responses")
            .and_then(|r| r.get(status.to_string()))
            .unwrap_or_else(|| panic!("{file} publishes no {status} response"));
        let headers = answer
            .get("headers")
            .and_then(Json::as_object)
            .map(|h| {
                h.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or_default().to_string())).collect()
            })
            .unwrap_or_default();
        Exchange {
            method: method.to_string(),
            path,
            query,
            body,
            status,
            headers,
            response: answer.get("body").cloned(),
            times: None,
            source: format!("{file} ({status})"),
        }
    }

    /// Entra ID's token endpoint for `tenant`, answering a token named after it.
    pub fn token(tenant: &str) -> Exchange {
        Exchange {
            method: "POST".into(),
            path: format!("/{tenant}/oauth2/v2.0/token"),
            query: BTreeMap::new(),
            body: BodyRule::Any,
            status: 200,
            headers: Vec::new(),
            response: Some(json!({"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
                                  "access_token": format!("token-of-{tenant}")})),
            times: None,
            source: format!("the token endpoint of tenant {tenant} (written for the test)"),
        }
    }

    /// Records how and why this exchange differs from its published example.
    pub fn derived(mut self, how: &str) -> Exchange {
        self.source = format!("{} derived: {how}", self.source);
        self
    }

    pub fn api_version(mut self, version: &str) -> Exchange {
        self.query.insert("api-version".into(), version.into());
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Exchange {
        self.query.insert(name.into(), value.into());
        self
    }

    pub fn without_query(mut self, name: &str) -> Exchange {
        self.query.remove(name);
        self
    }

    pub fn path(mut self, path: &str) -> Exchange {
        self.path = path.to_string();
        self
    }

    /// Any body: the test checks it from the log (it holds the time of the call).
    pub fn any_body(mut self) -> Exchange {
        self.body = BodyRule::Any;
        self
    }

    pub fn body_empty(mut self) -> Exchange {
        self.body = BodyRule::Empty;
        self
    }

    pub fn body(mut self, body: Json) -> Exchange {
        self.body = BodyRule::Json(body);
        self
    }

    pub fn respond(mut self, status: u16, body: Option<Json>) -> Exchange {
        self.status = status;
        self.response = body;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Exchange {
        self.headers.retain(|(n, _)| n != &name.to_ascii_lowercase());
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    pub fn without_headers(mut self) -> Exchange {
        self.headers.clear();
        self
    }

    pub fn times(mut self, times: usize) -> Exchange {
        self.times = Some(times);
        self
    }

    fn matches(&self, request: &Logged) -> bool {
        let body = match &self.body {
            BodyRule::Any => true,
            BodyRule::Empty => request.body.trim().is_empty(),
            BodyRule::Json(expected) => request.json().as_ref() == Some(expected),
        };
        self.method == request.method
            && self.path.eq_ignore_ascii_case(&request.path)
            && self.query == request.query
            && body
            && self.times != Some(0)
    }
}

#[derive(Default)]
struct State {
    exchanges: Vec<Exchange>,
    log: Vec<Logged>,
}

/// The server; stops when dropped.
pub struct Replay {
    base: String,
    ca_pem: String,
    state: Arc<Mutex<State>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Replay {
    /// Starts on a free port of 127.0.0.1 with a new certificate authority.
    pub async fn start() -> Replay {
        let (ca_pem, tls) = certificates();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let base = format!("https://127.0.0.1:{port}");
        let state = Arc::new(Mutex::new(State::default()));
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let served = state.clone();
        let rewrite_to = base.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let (acceptor, state, base) = (acceptor.clone(), served.clone(), rewrite_to.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else { return };
                    let service = service_fn(move |request| answer(state.clone(), base.clone(), request));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Replay { base, ca_pem, state, server }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Writes the certificate authority as PEM into `dir`; its path, for `ca_file`.
    pub fn write_ca(&self, dir: &Path) -> PathBuf {
        let path = dir.join("replay-ca.pem");
        std::fs::write(&path, &self.ca_pem).expect("write the CA");
        path
    }

    pub fn serve(&self, exchange: Exchange) -> &Replay {
        self.lock().exchanges.push(exchange);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every request, in order.
    pub fn log(&self) -> Vec<Logged> {
        self.lock().log.clone()
    }

    /// The requests other than token requests, as `METHOD path` lines.
    pub fn calls(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|l| !l.path.ends_with("/oauth2/v2.0/token"))
            .map(|l| format!("{} {}", l.method, l.path))
            .collect()
    }

    /// Panics, listing them, if any request matched no exchange.
    pub fn assert_clean(&self) {
        let unmatched: Vec<String> = self
            .log()
            .into_iter()
            .filter(|l| l.answered_by.is_none())
            .map(|l| format!("{} {} {:?} body {}", l.method, l.path, l.query, l.body))
            .collect();
        let known: Vec<String> =
            self.lock().exchanges.iter().map(|e| format!("{} {} {:?}", e.method, e.path, e.query)).collect();
        assert!(
            unmatched.is_empty(),
            "requests no published example matches:\n{}\nserved:\n{}",
            unmatched.join("\n"),
            known.join("\n")
        );
    }
}

async fn answer(
    state: Arc<Mutex<State>>,
    base: String,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let method = request.method().to_string();
    let uri = request.uri().clone();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy().into_owned();
    let query: BTreeMap<String, String> = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let headers = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let mut logged =
        Logged { method, path, query, headers, body: String::from_utf8_lossy(&body).into_owned(), answered_by: None };
    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
    let found = state.exchanges.iter_mut().find(|exchange| exchange.matches(&logged));
    let response = match found {
        Some(exchange) => {
            if let Some(times) = exchange.times.as_mut() {
                *times -= 1;
            }
            logged.answered_by = Some(exchange.source.clone());
            let mut builder = Response::builder().status(exchange.status);
            for (name, value) in &exchange.headers {
                builder = builder.header(name, value.replace(RESOURCE_MANAGER, &base));
            }
            let text =
                exchange.response.as_ref().map(|b| b.to_string().replace(RESOURCE_MANAGER, &base)).unwrap_or_default();
            if !text.is_empty() {
                builder = builder.header("content-type", "application/json");
            }
            builder.body(Full::new(Bytes::from(text)))
        }
        None => Response::builder()
            .status(400)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(
            json!({"error": {"code": "NoPublishedExample", "message": "no published example matches this request"}})
                .to_string(),
        ))),
    };
    state.log.push(logged);
    Ok(response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

/// A certificate authority (its PEM) and a server configuration for 127.0.0.1 signed by it.
fn certificates() -> (String, rustls::ServerConfig) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Escher ARM replay CA");
    let ca = ca_params.self_signed(&ca_key).expect("CA certificate");
    let server_key = KeyPair::generate().expect("server key");
    let mut server_params = CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
    server_params.subject_alt_names.push(rcgen::SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    let server = server_params.signed_by(&server_key, &ca, &ca_key).expect("server certificate");
    let key = rustls::pki_types::PrivateKeyDer::try_from(server_key.serialize_der()).expect("server key DER");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![server.der().clone()], key)
        .expect("server TLS configuration");
    (ca.pem(), config)
}
