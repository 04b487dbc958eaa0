use serde_json::{Value, json};

use crate::support::Client;

#[test]
fn initialize_announces_incremental_sync_and_utf16_by_default() {
    let (client, result) = Client::start(&[]);
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["textDocumentSync"], json!(2), "2 is TextDocumentSyncKind::INCREMENTAL");
    assert_eq!(capabilities["positionEncoding"], json!("utf-16"));
    for provider in ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider"] {
        assert_eq!(capabilities[provider], json!(true), "{provider}");
    }
    assert_eq!(capabilities["completionProvider"]["triggerCharacters"][0], json!("."));
    assert_eq!(result["serverInfo"]["name"], json!("escher"));
    client.shutdown();
}

#[test]
fn utf8_is_chosen_when_the_client_offers_it() {
    let (client, result) = Client::start(&["utf-16", "utf-8"]);
    assert_eq!(result["capabilities"]["positionEncoding"], json!("utf-8"));
    client.shutdown();
}

#[test]
fn an_unsupported_request_is_answered_with_method_not_found() {
    let (mut client, _) = Client::start(&[]);
    let error =
        client.request_or_error("textDocument/foldingRange", json!({ "textDocument": { "uri": "file:///x.esc" } }));
    assert_eq!(error.expect_err("not supported")["code"], json!(-32601));
    client.shutdown();
}

#[test]
fn a_request_about_a_document_that_is_not_open_is_an_invalid_params_error() {
    let (mut client, _) = Client::start(&[]);
    let params = json!({ "textDocument": { "uri": "file:///nowhere.esc" }, "position": { "line": 0, "character": 0 } });
    let error = client.request_or_error("textDocument/hover", params).expect_err("not open");
    assert_eq!(error["code"], json!(-32602));
    assert_eq!(error["message"], Value::from("file:///nowhere.esc is not open"));
    client.shutdown();
}
