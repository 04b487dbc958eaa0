//! A Slack-compatible incoming webhook: `text` and a `blocks` section, which Slack, Mattermost and Rocket.Chat
//! read, and an `escher` object a generic receiver can route on (run, playbook, step, channel).

use super::{Message, http};
use crate::provider::Secret;

pub(super) async fn deliver(url: &Secret, message: &Message) -> Result<(), String> {
    let body = serde_json::json!({
        "text": message.text,
        "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": message.text } }],
        "escher": {
            "run_id": message.run_id,
            "playbook": message.playbook,
            "step": message.step,
            "channel": message.channel,
        },
    });
    http::post(url, &body.to_string(), &[]).await
}
