use serde_json::json;

use crate::support::{Client, PLAYBOOK, URI, position};

#[test]
fn a_typo_is_fixed_by_the_compilers_machine_applicable_fix() {
    let (mut client, _) = Client::start(&[]);
    let text = PLAYBOOK.replace("aws.ec2.stop(", "aws.ec2.stpo(");
    client.open(URI, &text);
    let diagnostic = client.diagnostics(URI)["diagnostics"][0].clone();
    let params = json!({
        "textDocument": { "uri": URI },
        "range": diagnostic["range"],
        "context": { "diagnostics": [diagnostic] },
    });
    let actions = client.request("textDocument/codeAction", params);
    let action = &actions[0];
    assert_eq!(action["title"], json!("replace with `aws.ec2.stop`"));
    assert_eq!(action["kind"], json!("quickfix"));
    assert_eq!(action["isPreferred"], json!(true));
    assert_eq!(action["diagnostics"][0]["code"], json!("E0202"));
    let start = text.find("aws.ec2.stpo").expect("present");
    let edit = &action["edit"]["changes"][URI][0];
    assert_eq!(edit["newText"], json!("aws.ec2.stop"));
    assert_eq!(edit["range"], json!({ "start": position(&text, start), "end": position(&text, start + 12) }));
    client.shutdown();
}

#[test]
fn a_range_away_from_any_diagnostic_has_no_actions() {
    let (mut client, _) = Client::start(&[]);
    client.open(URI, &PLAYBOOK.replace("aws.ec2.stop(", "aws.ec2.stpo("));
    client.diagnostics(URI);
    let nowhere = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 3 } });
    let params = json!({ "textDocument": { "uri": URI }, "range": nowhere, "context": { "diagnostics": [] } });
    assert_eq!(client.request("textDocument/codeAction", params), json!([]));
    client.shutdown();
}
