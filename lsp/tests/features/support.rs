//! A client for in-process tests: the server on a thread over `Connection::memory()`, messages as JSON.

use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

pub const URI: &str = "file:///work/playbooks/tidy.esc";

/// A small playbook with a parameter, a query, two steps ordered by `after`, and multi-byte text.
pub const PLAYBOOK: &str = r#"playbook tidy {
  /// Where to look.
  param regions: list<aws.region> = ["eu-west-1"]

  /// How many machines one run may stop.
  param most: int in 1..=20 = 5

  /// Idle dev machines (the café's).
  let idle = aws.ec2.instances(regions = regions, tags = { env: "dev" }, state = "running")

  /// Stops them.
  step stop = aws.ec2.stop(idle) { max_targets = most }

  step summary after (stop) = report.summary("Stopped ☕ ${len(stop.changed)}", values = { stopped: len(stop.changed) })
}
"#;

pub struct Client {
    connection: Connection,
    /// Notifications received while waiting for something else, oldest first.
    buffered: Vec<Notification>,
    server: Option<JoinHandle<Result<(), escher_lsp::Error>>>,
    next_id: i32,
}

impl Client {
    /// Starts a server and initializes it, offering these position encodings (none: the UTF-16 default).
    pub fn start(encodings: &[&str]) -> (Client, Value) {
        let (server_end, client_end) = Connection::memory();
        let server = std::thread::spawn(move || escher_lsp::serve(server_end));
        let mut client = Client { connection: client_end, buffered: Vec::new(), server: Some(server), next_id: 0 };
        let capabilities =
            if encodings.is_empty() { json!({}) } else { json!({ "general": { "positionEncodings": encodings } }) };
        let result = client.request("initialize", json!({ "capabilities": capabilities }));
        client.notify("initialized", json!({}));
        (client, result)
    }

    /// Started, offering nothing, with [`PLAYBOOK`] open and its first diagnostics read.
    pub fn with_playbook() -> Client {
        let (mut client, _) = Client::start(&[]);
        client.open(URI, PLAYBOOK);
        client.diagnostics(URI);
        client
    }

    pub fn notify(&self, method: &str, params: Value) {
        let notification = Notification::new(method.to_string(), params);
        self.connection.sender.send(notification.into()).expect("the server is running");
    }

    pub fn open(&self, uri: &str, text: &str) {
        let document = json!({ "uri": uri, "languageId": "escher", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
    }

    /// Sends a request and returns its result; an error response panics with its message.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        match self.request_or_error(method, params) {
            Ok(result) => result,
            Err(error) => panic!("{method} failed: {error}"),
        }
    }

    pub fn request_or_error(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_string(), params);
        self.connection.sender.send(request.into()).expect("the server is running");
        loop {
            match self.receive() {
                Message::Response(response) if response.id == id => {
                    return match response.error {
                        Some(error) => Err(serde_json::to_value(error).expect("an error is JSON")),
                        None => Ok(response.result.unwrap_or(Value::Null)),
                    };
                }
                Message::Notification(notification) => self.buffered.push(notification),
                _ => {}
            }
        }
    }

    /// The next diagnostics published for `uri`, skipping other messages.
    pub fn diagnostics(&mut self, uri: &str) -> Value {
        let is_for_uri = |n: &Notification| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri;
        if let Some(index) = self.buffered.iter().position(is_for_uri) {
            return self.buffered.remove(index).params;
        }
        loop {
            if let Message::Notification(notification) = self.receive()
                && notification.method == "textDocument/publishDiagnostics"
                && notification.params["uri"] == uri
            {
                return notification.params;
            }
        }
    }

    /// The URIs of the diagnostics published and not read yet, in order.
    pub fn unread_diagnostics(&self) -> Vec<Value> {
        self.buffered
            .iter()
            .filter(|n| n.method == "textDocument/publishDiagnostics")
            .map(|n| n.params["uri"].clone())
            .collect()
    }

    fn receive(&self) -> Message {
        self.connection.receiver.recv_timeout(Duration::from_secs(30)).expect("the server answers within 30 s")
    }

    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let server = self.server.take().expect("started");
        server.join().expect("the server thread does not panic").expect("the server stops cleanly");
    }
}

/// `{ "textDocument": { "uri": URI }, "position": ... }` at the `nth` (0-based) occurrence of `needle` plus
/// `shift` bytes, with a UTF-16 character count.
pub fn at(needle: &str, nth: usize, shift: usize) -> Value {
    let offset =
        PLAYBOOK.match_indices(needle).nth(nth).map(|(i, _)| i).expect("the needle is in the playbook") + shift;
    json!({ "textDocument": { "uri": URI }, "position": position(PLAYBOOK, offset) })
}

/// The UTF-16 position of a byte offset.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}
