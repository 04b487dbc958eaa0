//! `escher lsp` end to end: the real binary, LSP's framing over its stdin and stdout, a session on an example.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// A client speaking `Content-Length` framed JSON-RPC to a spawned `escher lsp`.
struct Session {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Session {
    fn start() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_escher"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("escher lsp starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, messages) = channel();
        // A reader thread, so a server that stops answering fails the test by timeout instead of hanging it.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Session { child, stdin, messages, next_id: 0 }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("the server reads stdin");
        self.stdin.flush().expect("the server reads stdin");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
        }
    }

    fn diagnostics(&mut self, uri: &str) -> Value {
        loop {
            let message = self.receive();
            if message["method"] == json!("textDocument/publishDiagnostics") && message["params"]["uri"] == json!(uri) {
                return message["params"].clone();
            }
        }
    }

    fn receive(&self) -> Value {
        self.messages.recv_timeout(Duration::from_secs(60)).expect("the server answers within a minute")
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The UTF-16 position of a byte offset (the examples are ASCII where it matters, but be exact).
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({ "line": before.matches('\n').count(), "character": character })
}

#[test]
fn an_editor_session_on_an_example_diagnoses_fixes_hovers_completes_and_navigates() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nightly_shutdown.esc");
    let original = std::fs::read_to_string(&path).expect("the example exists");
    let uri = format!("file://{}", path.display()).replace(' ', "%20");
    let typo = original.replacen("aws.ec2.stop(", "aws.ec2.stpo(", 1);
    assert_ne!(typo, original);

    let mut session = Session::start();
    let initialized = session.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    assert_eq!(initialized["capabilities"]["textDocumentSync"], json!(2));
    session.notify("initialized", json!({}));
    let document = json!({ "uri": uri, "languageId": "escher", "version": 1, "text": typo });
    session.notify("textDocument/didOpen", json!({ "textDocument": document }));

    // The typo is reported with its code; its import (examples/lib/notify_team.esc) is read from disk.
    let published = session.diagnostics(&uri);
    let diagnostics = published["diagnostics"].as_array().expect("a list").clone();
    assert_eq!(diagnostics.len(), 1, "{published}");
    assert_eq!(diagnostics[0]["code"], json!("E0202"));

    // The code action's edit, applied as an incremental change, leaves the example as it was: no diagnostics.
    let params = json!({ "textDocument": { "uri": uri }, "range": diagnostics[0]["range"], "context": { "diagnostics": diagnostics } });
    let actions = session.request("textDocument/codeAction", params);
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], json!("aws.ec2.stop"));
    let change = json!({ "range": edit["range"], "text": edit["newText"] });
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [change] }),
    );
    let published = session.diagnostics(&uri);
    assert_eq!((published["version"].clone(), published["diagnostics"].clone()), (json!(2), json!([])));

    let stop = original.find("aws.ec2.stop(").expect("the example stops EC2 instances");
    let hover = session.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position(&original, stop + 9) }),
    );
    let markdown = hover["contents"]["value"].as_str().expect("markdown");
    let docs = escher::compiler::stdlib::catalog().callables["aws.ec2.stop"].docs.clone();
    assert!(markdown.contains("action aws.ec2.stop(") && markdown.contains(&docs), "{markdown}");

    // Typing `aws.ec2.` on a new line of the playbook's body offers the EC2 actions and queries.
    let body_end = original.rfind('}').expect("the playbook closes");
    let typed = json!({ "range": { "start": position(&original, body_end), "end": position(&original, body_end) }, "text": "  let typed = aws.ec2.\n" });
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [typed] }),
    );
    let mut cursor = position(&original, body_end);
    cursor["character"] = json!("  let typed = aws.ec2.".len());
    let items =
        session.request("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": cursor }));
    let labels: Vec<&str> = items.as_array().expect("a list").iter().filter_map(|i| i["label"].as_str()).collect();
    for expected in ["aws.ec2.stop", "aws.ec2.start", "aws.ec2.terminate", "aws.ec2.instances"] {
        assert!(labels.contains(&expected), "{expected} in {labels:?}");
    }
    assert!(labels.iter().all(|label| label.starts_with("aws.ec2.")), "{labels:?}");

    // `stop_ec2` in `after (stop_ec2, ...)` goes to `step stop_ec2`.
    let used = original.find("after (stop_ec2").expect("present") + "after (".len();
    let definition = session.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": position(&original, used + 2) }),
    );
    let defined = original.find("step stop_ec2").expect("present") + "step ".len();
    assert_eq!(definition["uri"], json!(uri));
    assert_eq!(definition["range"]["start"], position(&original, defined));
    assert_eq!(definition["range"]["end"], position(&original, defined + "stop_ec2".len()));

    assert_eq!(session.request("shutdown", Value::Null), Value::Null);
    session.notify("exit", Value::Null);
    let status = session.child.wait().expect("escher lsp exits");
    assert_eq!(status.code(), Some(0));
}
