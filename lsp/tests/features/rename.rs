use serde_json::json;

use crate::support::{Client, PLAYBOOK, URI, at};

#[test]
fn renaming_a_step_edits_its_definition_and_every_use() {
    let mut client = Client::with_playbook();
    let mut params = at("after (stop)", 0, 8);
    params["newName"] = json!("halt");
    let edit = client.request("textDocument/rename", params);
    let edits = edit["changes"][URI].as_array().expect("edits").clone();
    // `step stop`, `after (stop)` and the two `stop.changed`; not `aws.ec2.stop` nor the docs' "may stop".
    let lines: Vec<u64> = edits.iter().map(|e| e["range"]["start"]["line"].as_u64().expect("a line")).collect();
    assert_eq!(lines, [11, 13, 13, 13]);
    assert!(edits.iter().all(|e| e["newText"] == json!("halt")));
    let renamed =
        PLAYBOOK.replace("step stop", "step halt").replace("(stop)", "(halt)").replace("stop.changed", "halt.changed");
    assert_eq!(
        escher_compiler::compile(
            "t.esc",
            &renamed,
            &escher_compiler::CompileOptions::check(&escher_compiler::NoImports)
        )
        .diagnostics
        .len(),
        0
    );
    client.shutdown();
}

#[test]
fn renaming_a_let_leaves_a_field_of_the_same_name_alone() {
    let mut client = Client::with_playbook();
    let mut params = at("let idle", 0, 5);
    params["newName"] = json!("sleepy");
    let edit = client.request("textDocument/rename", params);
    assert_eq!(edit["changes"][URI].as_array().expect("edits").len(), 2);
    client.shutdown();
}

#[test]
fn a_parameter_or_a_taken_name_is_refused_with_a_reason() {
    let mut client = Client::with_playbook();
    let mut params = at("param most", 0, 7);
    params["newName"] = json!("fewest");
    let error = client.request_or_error("textDocument/rename", params).expect_err("refused");
    assert!(error["message"].as_str().expect("a message").contains("interface"), "{error}");
    let mut params = at("step stop", 0, 6);
    params["newName"] = json!("idle");
    let error = client.request_or_error("textDocument/rename", params).expect_err("refused");
    assert_eq!(error["message"], json!("`idle` is already defined in this playbook"));
    client.shutdown();
}

#[test]
fn prepare_rename_gives_the_range_of_the_name() {
    let mut client = Client::with_playbook();
    let range = client.request("textDocument/prepareRename", at("step stop", 0, 7));
    assert_eq!(range["start"], at("step stop", 0, 5)["position"]);
    assert_eq!(range["end"], at("step stop", 0, 9)["position"]);
    client.shutdown();
}
