use serde_json::json;

use crate::support::{Client, URI};

#[test]
fn the_outline_is_the_playbook_with_its_members_in_order() {
    let mut client = Client::with_playbook();
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } }));
    let root = &symbols[0];
    assert_eq!((root["name"].clone(), root["kind"].clone()), (json!("tidy"), json!(2)), "2 is SymbolKind::MODULE");
    let children: Vec<(String, String)> = root["children"]
        .as_array()
        .expect("members")
        .iter()
        .map(|c| (c["name"].as_str().expect("a name").into(), c["detail"].as_str().unwrap_or("").into()))
        .collect();
    let expected = [
        ("regions", "list<aws.region>"),
        ("most", "int"),
        ("idle", ""),
        ("stop", "aws.ec2.stop"),
        ("summary", "report.summary"),
    ];
    assert_eq!(children, expected.map(|(n, d)| (n.to_string(), d.to_string())));
    client.shutdown();
}
