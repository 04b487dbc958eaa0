use serde_json::json;

use crate::support::{Client, PLAYBOOK, URI, at, position};

fn range_of(needle: &str, nth: usize, name: &str) -> serde_json::Value {
    let start = PLAYBOOK.match_indices(needle).nth(nth).map(|(i, _)| i).expect("present")
        + needle.find(name).expect("in needle");
    json!({ "start": position(PLAYBOOK, start), "end": position(PLAYBOOK, start + name.len()) })
}

#[test]
fn a_step_named_in_after_goes_to_its_definition() {
    let mut client = Client::with_playbook();
    let location = client.request("textDocument/definition", at("after (stop)", 0, 8));
    assert_eq!(location, json!({ "uri": URI, "range": range_of("step stop", 0, "stop") }));
    client.shutdown();
}

#[test]
fn a_let_and_a_param_go_to_their_definitions() {
    let mut client = Client::with_playbook();
    let location = client.request("textDocument/definition", at("stop(idle)", 0, 6));
    assert_eq!(location["range"], range_of("let idle", 0, "idle"));
    let location = client.request("textDocument/definition", at("= most", 0, 3));
    assert_eq!(location["range"], range_of("param most", 0, "most"));
    client.shutdown();
}

#[test]
fn references_of_a_step_list_every_use_and_its_definition_when_asked() {
    let mut client = Client::with_playbook();
    let mut params = at("step stop", 0, 6);
    params["context"] = json!({ "includeDeclaration": true });
    let found = client.request("textDocument/references", params.clone());
    // The definition, `after (stop)` and the two `stop.changed`.
    assert_eq!(found.as_array().expect("a list").len(), 4, "{found}");
    assert_eq!(found[0]["range"], range_of("step stop", 0, "stop"));
    params["context"] = json!({ "includeDeclaration": false });
    let found = client.request("textDocument/references", params);
    assert_eq!(found.as_array().expect("a list").len(), 3, "{found}");
    assert_eq!(found[0]["range"], range_of("after (stop)", 0, "stop"));
    client.shutdown();
}

#[test]
fn an_import_goes_to_the_file_it_loads() {
    let (mut client, _) = Client::start(&[]);
    let main = "file:///t/my%20dir/main.esc";
    let text = "use \"lib/notify.esc\" as tell\n\nplaybook main {\n  step said = tell(message = \"hi\")\n}\n";
    client.open(main, text);
    client.diagnostics(main);
    let params = json!({ "textDocument": { "uri": main }, "position": position(text, text.find("tell(").expect("present") + 1) });
    let location = client.request("textDocument/definition", params);
    assert_eq!(location["uri"], json!("file:///t/my%20dir/lib/notify.esc"));
    client.shutdown();
}
