//! The token endpoint and the metadata server, counted.

use escher_gcp_replay::{Estate, Replay};
use serde_json::Value as Json;

#[tokio::test]
async fn the_token_endpoint_answers_a_refresh_token_grant_and_counts_it() {
    let replay = Replay::start(Estate::empty()).await;
    let form = [("grant_type", "refresh_token"), ("refresh_token", "1//r"), ("client_id", "c"), ("client_secret", "s")];
    let answer: Json = reqwest::Client::new()
        .post(replay.endpoints().oauth_token)
        .form(&form)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["access_token"], "ya29.replay-1");
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(replay.token_fetches(), 1);
    assert_eq!(replay.log()[0].method_id.as_deref(), Some("oauth2.token"));
    assert!(replay.calls().is_empty(), "auth requests are not calls");
    replay.assert_clean();
}

#[tokio::test]
async fn the_token_endpoint_also_takes_a_json_body_as_google_cloud_auth_sends_it() {
    let replay = Replay::start(Estate::empty()).await;
    let body = serde_json::json!({"grant_type": "refresh_token", "refresh_token": "1//r", "client_id": "c", "client_secret": "s"});
    let response =
        reqwest::Client::new().post(replay.endpoints().oauth_token).json(&body).send().await.expect("an answer");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(replay.log()[0].body.as_ref().map(|b| b["grant_type"].clone()), Some("refresh_token".into()));
    assert_eq!(replay.token_fetches(), 1);
    replay.assert_clean();
}

#[tokio::test]
async fn an_unknown_grant_is_refused_and_recorded() {
    let replay = Replay::start(Estate::empty()).await;
    let response = reqwest::Client::new()
        .post(replay.endpoints().oauth_token)
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(replay.token_fetches(), 0);
    assert_eq!(replay.violations().len(), 1);
}

#[tokio::test]
async fn the_metadata_server_needs_its_header_and_says_so_in_its_answers() {
    let replay = Replay::start(Estate::empty()).await;
    let base = format!("http://{}", replay.endpoints().metadata_host);
    let http = reqwest::Client::new();
    let probe = http.get(format!("{base}/")).send().await.expect("an answer");
    assert_eq!(probe.headers().get("metadata-flavor").map(|v| v.as_bytes()), Some(&b"Google"[..]));
    let token_url = format!("{base}/computeMetadata/v1/instance/service-accounts/default/token?scopes=x");
    let token = http.get(&token_url).header("Metadata-Flavor", "Google").send().await.expect("an answer");
    assert_eq!(token.status().as_u16(), 200);
    let project = http.get(format!("{base}/computeMetadata/v1/project/project-id")).header("Metadata-Flavor", "Google");
    assert_eq!(project.send().await.expect("an answer").text().await.expect("text"), "acme-dev");
    replay.assert_clean();
    let refused = http.get(&token_url).send().await.expect("an answer");
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(replay.token_fetches(), 1);
    assert_eq!(replay.violations().len(), 1);
}
