use serde_json::json;

use crate::support::{Client, URI};

fn format(text: &str) -> serde_json::Value {
    let (mut client, _) = Client::start(&[]);
    client.open(URI, text);
    let params = json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = client.request("textDocument/formatting", params);
    client.shutdown();
    edits
}

#[test]
fn formatting_replaces_the_document_with_what_escher_fmt_writes() {
    let messy = "playbook   p {\nstep  pause=wait( 1m )\n}";
    let edits = format(messy);
    let expected = escher_compiler::format::format_playbook(messy).expect("it parses");
    assert_eq!(edits[0]["newText"], json!(expected));
    assert_eq!(
        edits[0]["range"],
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 2, "character": 1 } })
    );
}

#[test]
fn a_formatted_document_needs_no_edit() {
    let formatted =
        escher_compiler::format::format_playbook("playbook p {\n  step pause = wait(1m)\n}\n").expect("it parses");
    assert_eq!(format(&formatted), json!([]));
}

#[test]
fn a_document_that_does_not_parse_is_not_formatted() {
    assert_eq!(format("playbook p {\n  step = \n}\n"), serde_json::Value::Null);
}
