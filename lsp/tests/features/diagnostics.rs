use serde_json::{Value, json};

use crate::support::{Client, PLAYBOOK, URI, position};

#[test]
fn a_playbook_without_mistakes_publishes_no_diagnostics() {
    let (mut client, _) = Client::start(&[]);
    client.open(URI, PLAYBOOK);
    let published = client.diagnostics(URI);
    assert_eq!(published["diagnostics"], json!([]));
    assert_eq!(published["version"], json!(1));
    client.shutdown();
}

#[test]
fn a_typo_is_published_with_its_code_range_and_help() {
    let (mut client, _) = Client::start(&[]);
    client.open(URI, &PLAYBOOK.replace("aws.ec2.stop(", "aws.ec2.stpo("));
    let published = client.diagnostics(URI);
    let diagnostic = &published["diagnostics"][0];
    assert_eq!(diagnostic["code"], json!("E0202"));
    assert_eq!(diagnostic["source"], json!("escher"));
    assert_eq!(diagnostic["severity"], json!(1));
    let start = PLAYBOOK.find("aws.ec2.stop(").expect("present");
    assert_eq!(diagnostic["range"]["start"], position(PLAYBOOK, start));
    assert_eq!(diagnostic["range"]["end"], position(PLAYBOOK, start + "aws.ec2.stpo".len()));
    let message = diagnostic["message"].as_str().expect("a message");
    assert!(message.starts_with("the stdlib has no query, action or function `aws.ec2.stpo`"), "{message}");
    assert!(message.contains("help: did you mean `aws.ec2.stop`?"), "{message}");
    client.shutdown();
}

#[test]
fn a_second_definition_points_at_the_first_as_related_information() {
    let (mut client, _) = Client::start(&[]);
    let text = PLAYBOOK.replace("step summary after (stop)", "step stop after (stop)");
    client.open(URI, &text);
    let published = client.diagnostics(URI);
    let duplicate = published["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|d| d["code"] == json!("E0204"))
        .expect("the duplicate is reported")
        .clone();
    let related = &duplicate["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], json!(URI));
    assert_eq!(related["location"]["range"]["start"], position(&text, text.find("step stop =").expect("present") + 5));
    client.shutdown();
}

#[test]
fn an_incremental_edit_is_applied_and_checked_under_its_version() {
    let (mut client, _) = Client::start(&[]);
    client.open(URI, PLAYBOOK);
    client.diagnostics(URI);
    let stop = PLAYBOOK.find("aws.ec2.stop(").expect("present") + "aws.ec2.".len();
    let range = json!({ "start": position(PLAYBOOK, stop), "end": position(PLAYBOOK, stop + 4) });
    change(&client, 2, json!([{ "range": range, "text": "stpo" }]));
    let published = client.diagnostics(URI);
    assert_eq!(published["version"], json!(2));
    assert_eq!(published["diagnostics"][0]["code"], json!("E0202"));
    change(&client, 3, json!([{ "range": range, "text": "stop" }]));
    let published = client.diagnostics(URI);
    assert_eq!((published["version"].clone(), published["diagnostics"].clone()), (json!(3), json!([])));
    client.shutdown();
}

#[test]
fn a_burst_of_edits_is_applied_in_order_each_range_in_the_text_the_previous_left() {
    let (mut client, _) = Client::start(&[]);
    client.open(URI, "playbook p {\n}\n");
    client.diagnostics(URI);
    let inside = json!({ "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } });
    change(
        &client,
        2,
        json!([{ "range": inside, "text": "  step a = wait(1m)\n" }, { "range": inside, "text": "  step b = wait(2x)\n" }]),
    );
    let published = client.diagnostics(URI);
    assert_eq!(published["diagnostics"][0]["range"]["start"]["line"], json!(1), "{published}");
    client.shutdown();
}

#[test]
fn an_edit_rechecks_the_open_documents_importing_it_and_no_other() {
    let (mut client, _) = Client::start(&[]);
    let (lib, main, other) = ("file:///t/lib.esc", "file:///t/main.esc", "file:///t/other.esc");
    client.open(
        lib,
        "playbook lib {\n  param message: string\n  step send = notify(channel = \"#ops\", message = message)\n}\n",
    );
    client.open(main, "use \"lib.esc\" as lib\n\nplaybook main {\n  step tell = lib(message = \"hi\")\n}\n");
    client.open(other, "playbook other {\n  step pause = wait(1m)\n}\n");
    for uri in [lib, main, other] {
        assert_eq!(client.diagnostics(uri)["diagnostics"], json!([]), "{uri}");
    }
    // The library's `message` becomes `text`: the call in `main` now gives an argument that does not exist.
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 0 } });
    let renamed = "playbook lib {\n  param text: string\n  step send = notify(channel = \"#ops\", message = text)\n}\n";
    let change = json!({ "uri": lib, "version": 2 });
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": change, "contentChanges": [{ "range": whole, "text": renamed }] }),
    );
    assert_eq!(client.diagnostics(lib)["diagnostics"], json!([]));
    assert_ne!(client.diagnostics(main)["diagnostics"], json!([]), "main is checked against the edited library");
    // Diagnostics are sent before the server waits for the next message, so any for `other` came before this answer.
    client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": other } }));
    assert_eq!(client.unread_diagnostics(), Vec::<Value>::new(), "only the edited document and its importer");
    client.shutdown();
}

fn change(client: &Client, version: i32, changes: Value) {
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": changes }),
    );
}
