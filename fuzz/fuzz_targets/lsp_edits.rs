//! The language server's incremental text sync: a document opened and then edited range by range must get the
//! same diagnostics as the same final text opened whole. The input is an initial text, then edits (a range
//! given by lines and chars, always valid, and the text that replaces it), sent in UTF-16 positions as VS Code
//! sends them.

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const URI: &str = "file:///fuzz/edited.esc";

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&byte| byte == 0);
    let initial = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let mut text = initial.clone();
    let mut changes = Vec::new();
    for part in parts.take(16) {
        let [a, b, c, d, insert @ ..] = part else { continue };
        let start = offset_at(&text, *a, *b);
        let end = offset_at(&text, *c, *d).max(start);
        let inserted = String::from_utf8_lossy(insert).into_owned();
        changes.push(json!({
            "range": { "start": utf16_position(&text, start), "end": utf16_position(&text, end) },
            "text": inserted,
        }));
        text.replace_range(start..end, &inserted);
    }
    if changes.is_empty() {
        return;
    }

    let edited = Server::start();
    edited.open(&initial);
    edited.diagnostics(1);
    edited.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": changes }),
    );
    let incremental = edited.diagnostics(2);
    edited.stop();

    let whole = Server::start();
    whole.open(&text);
    let full = whole.diagnostics(1);
    whole.stop();
    assert_eq!(incremental, full, "the edited text:\n{text}");
});

/// A byte offset on a char boundary, picked by a line and a char index (each taken modulo what exists).
fn offset_at(text: &str, line: u8, char: u8) -> usize {
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_start = starts[usize::from(line) % starts.len()];
    let line_text = text[line_start..].split('\n').next().unwrap_or_default();
    let chars: Vec<usize> = line_text.char_indices().map(|(i, _)| i).chain([line_text.len()]).collect();
    line_start + chars[usize::from(char) % chars.len()]
}

fn utf16_position(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    json!({ "line": line, "character": text[line_start..offset].encode_utf16().count() })
}

struct Server {
    connection: Connection,
    thread: std::thread::JoinHandle<Result<(), escher_lsp::Error>>,
}

impl Server {
    fn start() -> Server {
        let (server_end, connection) = Connection::memory();
        let thread = std::thread::spawn(move || escher_lsp::serve(server_end));
        let server = Server { connection, thread };
        server.request(1, "initialize", json!({ "capabilities": {} }));
        server.notify("initialized", json!({}));
        server
    }

    fn open(&self, text: &str) {
        let document = json!({ "uri": URI, "languageId": "escher", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
    }

    fn notify(&self, method: &str, params: Value) {
        let notification = Notification::new(method.to_string(), params);
        self.connection.sender.send(notification.into()).expect("the server is running");
    }

    fn request(&self, id: i32, method: &str, params: Value) -> Value {
        let request = Request::new(RequestId::from(id), method.to_string(), params);
        self.connection.sender.send(request.into()).expect("the server is running");
        loop {
            if let Message::Response(response) = self.receive() {
                assert!(response.error.is_none(), "{method} failed: {:?}", response.error);
                return response.result.unwrap_or(Value::Null);
            }
        }
    }

    /// The diagnostics published for the document's `version`.
    fn diagnostics(&self, version: i64) -> Value {
        loop {
            if let Message::Notification(notification) = self.receive()
                && notification.method == "textDocument/publishDiagnostics"
                && notification.params["version"] == version
            {
                return notification.params["diagnostics"].clone();
            }
        }
    }

    fn receive(&self) -> Message {
        self.connection.receiver.recv_timeout(Duration::from_secs(20)).expect("the server answers within 20 s")
    }

    fn stop(self) {
        self.request(2, "shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.thread.join().expect("the server does not panic").expect("the server stops cleanly");
    }
}
