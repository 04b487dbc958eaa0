//! The replay server's own tests: what it refuses, what it accepts, and how its estate behaves. One test binary
//! (modules per API) so the machine links reqwest once.

mod auth;
mod bigquery;
mod checking;
mod compute;
mod faults;
mod functions;
mod sql;
mod storage;

use escher_gcp_replay::{Api, Estate, Replay};
use serde_json::Value as Json;

/// A bare HTTP client for the replay, with a bearer token: the tests speak Google's REST by hand.
pub struct Client {
    http: reqwest::Client,
    replay: Replay,
}

impl Client {
    pub async fn standard() -> Client {
        Client::of(Replay::start(Estate::two_projects()).await)
    }

    pub fn of(replay: Replay) -> Client {
        Client { http: reqwest::Client::new(), replay }
    }

    pub fn replay(&self) -> &Replay {
        &self.replay
    }

    pub fn url(&self, api: Api, path: &str) -> String {
        format!("{}{path}", self.replay.endpoints().of(api))
    }

    /// `method` on `path` (after the API's root: `compute/v1/projects/...`) with `body`; the status and the JSON
    /// answer (`Null` when there is none).
    pub async fn send(&self, method: &str, api: Api, path: &str, body: Option<Json>) -> (u16, Json) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut request = self.http.request(method, self.url(api, path)).bearer_auth("ya29.test");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the replay answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("an answer body");
        (status, serde_json::from_str(&text).unwrap_or(Json::Null))
    }

    pub async fn get(&self, api: Api, path: &str) -> (u16, Json) {
        self.send("GET", api, path, None).await
    }

    pub async fn post(&self, api: Api, path: &str, body: Option<Json>) -> (u16, Json) {
        self.send("POST", api, path, body).await
    }

    /// Polls a Compute operation (`get` on its scope) until DONE; the final answer.
    pub async fn finish_compute(&self, operation: &Json) -> Json {
        let link = operation["selfLink"].as_str().expect("an operation has a selfLink");
        let path = link.trim_start_matches("https://www.googleapis.com/");
        for _ in 0..10 {
            let (status, answer) = self.get(Api::Compute, path).await;
            assert_eq!(status, 200, "{answer}");
            if answer["status"] == "DONE" {
                return answer;
            }
        }
        panic!("operation {link} never finished");
    }
}

/// The Google error reason of an error answer.
pub fn reason(answer: &Json) -> &str {
    answer["error"]["errors"][0]["reason"].as_str().unwrap_or_default()
}
