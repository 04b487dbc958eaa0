//! A keystroke on a 2,000-line playbook until its diagnostics are published: the time an editor waits.
//!
//! The server runs in-process over `Connection::memory()`; each keystroke is one `didChange` of one character
//! (the default of a parameter every step reads, `50` to `51` and back, so every keystroke changes the plan),
//! timed from sending it to receiving the `publishDiagnostics` of its version.
//!
//! Run: `cargo bench -p escher-lsp --bench keystroke` (release); `cargo bench -p escher-lsp --bench keystroke
//! --profile dev` for a debug build. Figures are recorded in docs/performance.md.

use std::fmt::Write;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const LINES: usize = 2_000;
const KEYSTROKES: usize = 50;
const URI: &str = "file:///bench/fleet.esc";

fn main() {
    // `cargo test --benches` runs this in debug: a few keystrokes show it works without taking long.
    let keystrokes = if std::env::args().any(|arg| arg == "--bench") { KEYSTROKES } else { 3 };
    let text = playbook();
    assert_eq!(text.lines().count(), LINES);
    let (server_end, client) = Connection::memory();
    let server = std::thread::spawn(move || escher_lsp::serve(server_end));
    let initialize = Request::new(RequestId::from(1), "initialize".into(), json!({ "capabilities": {} }));
    client.sender.send(initialize.into()).expect("the server runs");
    wait_for(&client, |m| matches!(m, Message::Response(_)));
    notify(&client, "initialized", json!({}));

    let started = Instant::now();
    let document = json!({ "uri": URI, "languageId": "escher", "version": 0, "text": text });
    notify(&client, "textDocument/didOpen", json!({ "textDocument": document }));
    let opened = diagnostics_of_version(&client, 0);
    assert_eq!(opened["diagnostics"], json!([]), "the generated playbook checks cleanly");
    let open_time = started.elapsed();

    let line = text.lines().position(|l| l.contains("param most")).expect("the parameter is there");
    let column = text.lines().nth(line).and_then(|l| l.find("= 50")).expect("its default") + 3;
    let mut times: Vec<Duration> = Vec::with_capacity(keystrokes);
    for version in 1..=keystrokes as i32 {
        let digit = if version % 2 == 1 { "1" } else { "0" };
        let range =
            json!({ "start": { "line": line, "character": column }, "end": { "line": line, "character": column + 1 } });
        let change = json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [{ "range": range, "text": digit }] });
        let sent = Instant::now();
        notify(&client, "textDocument/didChange", change);
        let published = diagnostics_of_version(&client, version);
        times.push(sent.elapsed());
        assert_eq!(published["diagnostics"], json!([]));
    }

    let shutdown = Request::new(RequestId::from(2), "shutdown".into(), Value::Null);
    client.sender.send(shutdown.into()).expect("the server runs");
    wait_for(&client, |m| matches!(m, Message::Response(_)));
    notify(&client, "exit", Value::Null);
    server.join().expect("the server does not panic").expect("the server stops cleanly");

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (check, parse) = compiler_share(&text, keystrokes);
    let median = times[times.len() / 2];
    let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
    println!(
        "keystroke on a {LINES}-line playbook ({} KiB) until diagnostics: median {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} keystrokes (open: {:.1} ms)",
        text.len() / 1024,
        ms(median),
        ms(p95),
        ms(times[times.len() - 1]),
        times.len(),
        ms(open_time),
    );
    println!("of which the compiler's check: median {:.1} ms, its parse alone {:.1} ms", ms(check), ms(parse));
}

/// The median time of the compiler's check of the same text, and of its parse alone: what the server cannot save.
fn compiler_share(text: &str, runs: usize) -> (Duration, Duration) {
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let options = escher_compiler::CompileOptions::check(&escher_compiler::NoImports);
    let checks = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(escher_compiler::compile("fleet.esc", text, &options));
            started.elapsed()
        })
        .collect();
    let parses = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(escher_compiler::syntax::parse_playbook(text));
            started.elapsed()
        })
        .collect();
    (median(checks), median(parses))
}

fn notify(client: &Connection, method: &str, params: Value) {
    client.sender.send(Notification::new(method.into(), params).into()).expect("the server runs");
}

fn wait_for(client: &Connection, wanted: impl Fn(&Message) -> bool) -> Message {
    loop {
        let message = client.receiver.recv_timeout(Duration::from_secs(60)).expect("the server answers");
        if wanted(&message) {
            return message;
        }
    }
}

fn diagnostics_of_version(client: &Connection, version: i32) -> Value {
    let message = wait_for(
        client,
        |m| matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics" && n.params["version"] == json!(version)),
    );
    match message {
        Message::Notification(notification) => notification.params,
        _ => unreachable!("only a notification is waited for"),
    }
}

/// A playbook of exactly [`LINES`] lines: parameters, then shards of a documented query, a stop with options and
/// a tag `after` it.
fn playbook() -> String {
    let mut out = String::new();
    out.push_str("playbook fleet {\n");
    out.push_str("  param env: string matches \"^(dev|test)$\" = \"dev\"\n");
    out.push_str("  param most: int in 1..=500 = 50\n");
    out.push_str("  param regions: list<aws.region> = [\"us-east-1\", \"eu-west-1\"]\n");
    let mut lines = 5; // the four above and the closing brace
    let mut shard = 0;
    while lines + 5 <= LINES {
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            "\n  /// Shard {shard}'s running machines.\n  let vms_{shard} = aws.ec2.instances(regions = regions, tags = {{ env: env, shard: \"{shard}\" }}, state = \"running\")\n  step stop_{shard} = aws.ec2.stop(vms_{shard}) {{ max_targets = most, retry = 2, timeout = 10m }}\n  step tag_{shard} after (stop_{shard}) = aws.ec2.tag(stop_{shard}.changed, tags = {{ stopped: \"yes\" }})\n",
        );
        lines += 5;
        shard += 1;
    }
    while lines < LINES {
        out.push_str("  // padding\n");
        lines += 1;
    }
    out.push_str("}\n");
    out
}
