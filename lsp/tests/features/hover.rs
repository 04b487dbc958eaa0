use serde_json::json;

use crate::support::{Client, at};

fn hover_text(client: &mut Client, params: serde_json::Value) -> String {
    let hover = client.request("textDocument/hover", params);
    assert_eq!(hover["contents"]["kind"], json!("markdown"));
    hover["contents"]["value"].as_str().expect("markdown text").to_string()
}

#[test]
fn an_action_shows_its_signature_effect_risk_notes_and_docs() {
    let mut client = Client::with_playbook();
    let text = hover_text(&mut client, at("aws.ec2.stop", 0, 9));
    assert!(text.starts_with("```escher\naction aws.ec2.stop(instances: list<aws.ec2.Instance>"), "{text}");
    assert!(text.contains("- effect: **disrupt**"), "{text}");
    assert!(text.contains("- undone by `aws.ec2.start`"), "{text}");
    let docs = &escher_compiler::stdlib::catalog().callables["aws.ec2.stop"].docs;
    assert!(!docs.is_empty() && text.contains(docs.as_str()), "{text}");
    client.shutdown();
}

#[test]
fn the_hover_range_is_the_whole_dotted_name() {
    let mut client = Client::with_playbook();
    let hover = client.request("textDocument/hover", at("aws.ec2.instances", 0, 4));
    let start = at("aws.ec2.instances", 0, 0)["position"].clone();
    let end = at("aws.ec2.instances", 0, "aws.ec2.instances".len())["position"].clone();
    assert_eq!(hover["range"], json!({ "start": start, "end": end }));
    client.shutdown();
}

#[test]
fn a_parameter_shows_its_type_bounds_default_and_docs() {
    let mut client = Client::with_playbook();
    let text = hover_text(&mut client, at("most", 1, 1));
    assert!(text.starts_with("```escher\nparam most: int in 1..=20 = 5\n```"), "{text}");
    assert!(text.contains("How many machines one run may stop."), "{text}");
    assert!(text.contains("- type: `int`\n- bounds: `in 1..=20`\n- default: `5`"), "{text}");
    client.shutdown();
}

#[test]
fn a_step_shows_its_computed_risk_and_approval() {
    let mut client = Client::with_playbook();
    let text = hover_text(&mut client, at("step stop", 0, 6));
    assert!(text.contains("Stops them."), "{text}");
    let plan_risk = {
        let compilation = escher_compiler::compile(
            "tidy.esc",
            crate::support::PLAYBOOK,
            &escher_compiler::CompileOptions::check(&escher_compiler::NoImports),
        );
        let plan = compilation.plan.expect("the playbook plans");
        plan.nodes.iter().find(|n| n.id == "stop").expect("a node").risk.level.as_str()
    };
    assert!(text.contains(&format!("- risk: **{plan_risk}**, effect `disrupt`")), "{text}");
    assert!(text.contains("- blast radius: at most 5"), "{text}");
    assert!(text.contains("- runs without approval") || text.contains("- needs approval by"), "{text}");
    client.shutdown();
}

#[test]
fn a_named_argument_shows_the_parameter_it_sets() {
    let mut client = Client::with_playbook();
    let text = hover_text(&mut client, at("state =", 0, 2));
    assert!(text.starts_with("```escher\nstate: "), "{text}");
    assert!(text.contains("Parameter of `aws.ec2.instances`."), "{text}");
    client.shutdown();
}

#[test]
fn a_step_option_says_what_it_does() {
    let mut client = Client::with_playbook();
    let text = hover_text(&mut client, at("max_targets", 0, 3));
    assert!(text.contains("Step option: the most resources the step may touch"), "{text}");
    assert!(text.ends_with("(at least 1)."), "{text}");
    client.shutdown();
}

#[test]
fn blank_space_has_no_hover() {
    let mut client = Client::with_playbook();
    let params = json!({ "textDocument": { "uri": crate::support::URI }, "position": { "line": 3, "character": 0 } });
    assert_eq!(client.request("textDocument/hover", params), serde_json::Value::Null);
    client.shutdown();
}
