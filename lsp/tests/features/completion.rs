use serde_json::{Value, json};

use crate::support::{Client, URI, position};

/// Opens `text` with the cursor where `|` is, and returns the labels offered there.
fn labels_at_cursor(text_with_cursor: &str) -> (Vec<String>, Value) {
    let cursor = text_with_cursor.find('|').expect("a cursor");
    let text = text_with_cursor.replacen('|', "", 1);
    let (mut client, _) = Client::start(&[]);
    client.open(URI, &text);
    let params = json!({ "textDocument": { "uri": URI }, "position": position(&text, cursor) });
    let items = client.request("textDocument/completion", params);
    client.shutdown();
    let labels =
        items.as_array().expect("a list").iter().map(|i| i["label"].as_str().expect("a label").to_string()).collect();
    (labels, items)
}

const HEAD: &str = "playbook p {\n  param most: int = 5\n  let vms = aws.ec2.instances(regions = [\"eu-west-1\"])\n  step stop = aws.ec2.stop(vms)\n";

#[test]
fn after_a_dotted_prefix_the_stdlib_names_under_it_are_offered() {
    let (labels, items) = labels_at_cursor(&format!("{HEAD}  step s = aws.ec2.|\n}}\n"));
    let expected: Vec<String> =
        escher_compiler::stdlib::catalog().callables.keys().filter(|k| k.starts_with("aws.ec2.")).cloned().collect();
    assert_eq!(labels, expected);
    assert!(labels.contains(&"aws.ec2.stop".to_string()) && labels.contains(&"aws.ec2.terminate".to_string()));
    let stop = items.as_array().expect("a list").iter().find(|i| i["label"] == json!("aws.ec2.stop")).expect("offered");
    assert_eq!(stop["detail"], json!(escher_compiler::stdlib::catalog().callables["aws.ec2.stop"].signature()));
    // The edit replaces the whole prefix typed so far.
    assert_eq!(stop["textEdit"]["range"]["start"]["character"], json!(11));
    assert_eq!(stop["textEdit"]["newText"], json!("aws.ec2.stop"));
}

#[test]
fn a_call_offers_its_named_arguments_not_given_yet_with_their_types() {
    let (labels, items) =
        labels_at_cursor(&format!("{HEAD}  let more = aws.ec2.instances(state = \"running\", |\n}}\n"));
    assert!(labels.contains(&"tags".to_string()) && labels.contains(&"regions".to_string()), "{labels:?}");
    assert!(!labels.contains(&"state".to_string()), "{labels:?}");
    let tags = items.as_array().expect("a list").iter().find(|i| i["label"] == json!("tags")).expect("offered");
    assert_eq!(tags["textEdit"]["newText"], json!("tags = "));
    assert_eq!(tags["detail"], json!("map<string, string>"));
}

#[test]
fn an_enum_argument_offers_its_values() {
    let (labels, _) = labels_at_cursor(&format!("{HEAD}  let more = aws.ec2.instances(regions = [|\n}}\n"));
    assert!(
        labels.contains(&"\"eu-west-1\"".to_string()) && labels.contains(&"\"us-east-1\"".to_string()),
        "{labels:?}"
    );
}

#[test]
fn step_options_and_their_values_are_offered_in_braces_after_the_call() {
    let (labels, _) = labels_at_cursor(&format!("{HEAD}  step s = aws.ec2.start(vms) {{ retry = 2, |\n}}\n"));
    assert!(labels.contains(&"max_targets".to_string()) && labels.contains(&"on_failure".to_string()), "{labels:?}");
    assert!(!labels.contains(&"retry".to_string()), "{labels:?}");
    let (labels, _) = labels_at_cursor(&format!("{HEAD}  step s = aws.ec2.start(vms) {{ on_failure = |\n}}\n"));
    assert_eq!(labels, ["abort", "continue", "rollback"]);
}

#[test]
fn after_offers_the_steps_of_the_playbook() {
    let (labels, _) = labels_at_cursor(&format!("{HEAD}  step t = wait(1m)\n  step s after (|) = wait(1m)\n}}\n"));
    // `s` does not parse while `after ()` is empty, so it is not offered after itself.
    assert_eq!(labels, ["stop", "t"]);
}

#[test]
fn an_expression_offers_parameters_lets_steps_and_builtins_by_prefix() {
    let (labels, _) = labels_at_cursor(&format!("{HEAD}  step s = aws.ec2.start(vms) {{ max_targets = m| }}\n}}\n"));
    assert_eq!(labels, ["most"]);
    let (labels, _) = labels_at_cursor(&format!("{HEAD}  step s = aws.ec2.start(vms) {{ when = l| }}\n}}\n"));
    assert_eq!(labels, ["len"]);
}

#[test]
fn a_comment_offers_nothing() {
    let (labels, _) = labels_at_cursor(&format!("{HEAD}  // aws.ec2.|\n}}\n"));
    assert_eq!(labels, Vec::<String>::new());
}
