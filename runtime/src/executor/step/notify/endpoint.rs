//! A generic webhook: Escher's own JSON (run, playbook, step, channel, message, time), signed as GitHub and Stripe
//! sign theirs when the step has a `signing_key`: `X-Escher-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact
//! body bytes under the key. `X-Escher-Delivery` (`RUN:STEP`) is the same on every attempt, so a receiver that saw
//! it already can drop a retry.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Message, http};
use crate::provider::Secret;

pub(super) const SIGNATURE_HEADER: &str = "X-Escher-Signature";
pub(super) const DELIVERY_HEADER: &str = "X-Escher-Delivery";

pub(super) async fn deliver(url: &Secret, signing_key: Option<&Secret>, message: &Message) -> Result<(), String> {
    let body = body(message);
    let mut headers = vec![(DELIVERY_HEADER, format!("{}:{}", message.run_id, message.step))];
    if let Some(key) = signing_key {
        headers.push((SIGNATURE_HEADER, signature(key.expose().as_bytes(), body.as_bytes())));
    }
    http::post(url, &body, &headers).await
}

/// The JSON text posted, exactly as signed.
pub(super) fn body(message: &Message) -> String {
    serde_json::json!({
        "run": message.run_id,
        "playbook": message.playbook,
        "step": message.step,
        "channel": message.channel,
        "message": message.text,
        "time": message.time,
    })
    .to_string()
}

/// `sha256=` and the HMAC-SHA256 of `body` under `key`, in lowercase hex.
pub(super) fn signature(key: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { unreachable!("HMAC accepts keys of every length") };
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_in_hex_as_published_vectors_give_it() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_body_holds_what_a_receiver_routes_on() {
        let message = Message {
            channel: "#ops".into(),
            text: "stopped 4 instances".into(),
            subject: None,
            run_id: "r-1".into(),
            playbook: "nightly".into(),
            step: "tell".into(),
            time: "2026-12-06T10:00:00Z".into(),
        };
        let body: serde_json::Value = serde_json::from_str(&body(&message)).expect("JSON");
        assert_eq!(
            body,
            serde_json::json!({
                "run": "r-1", "playbook": "nightly", "step": "tell", "channel": "#ops",
                "message": "stopped 4 instances", "time": "2026-12-06T10:00:00Z",
            })
        );
    }
}
