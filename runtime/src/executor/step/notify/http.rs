//! Posting JSON to a webhook whose address is a secret: the answer classified for [`attempts`](super::attempts),
//! errors worded without the address.

use super::attempts::{self, Attempt, TIMEOUT};
use crate::provider::Secret;

/// Posts `body` (JSON text) to `url` with `headers`, trying again on what may pass; why it was not delivered.
pub(super) async fn post(url: &Secret, body: &str, headers: &[(&str, String)]) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|error| format!("no HTTP client: {}", error.without_url()))?;
    attempts::deliver(|| async {
        let mut request =
            client.post(url.expose()).header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        match request.send().await {
            Ok(answer) if answer.status().is_success() => Attempt::Delivered,
            Ok(answer) => {
                let status = answer.status();
                let said: String = answer.text().await.unwrap_or_default().chars().take(200).collect();
                let why = format!("the server answered {status}: {}", said.trim());
                if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                    Attempt::Retry(why)
                } else {
                    Attempt::Refused(why)
                }
            }
            Err(error) => Attempt::Retry(format!("the server could not be reached: {}", error.without_url())),
        }
    })
    .await
}
