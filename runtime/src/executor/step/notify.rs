//! `notify`: a message delivered through a webhook, or the step fails. The payload is JSON that Slack-compatible
//! incoming webhooks read (`text` and a `blocks` section) and that a generic receiver can route (`escher`: run,
//! playbook, step, channel). Each delivery has a timeout and is tried three times on a network error, 429 or
//! 5xx. The webhook's address is a secret: no message, error or record holds it.

use std::collections::BTreeMap;
use std::time::Duration;

use escher_compiler::plan::{PlanNode, Value};

use super::result::NodeResult;
use crate::events::StepStatus;
use crate::executor::run::context::RunContext;
use crate::provider::Secret;

const ATTEMPTS: u32 = 3;
const TIMEOUT: Duration = Duration::from_secs(10);

/// Delivers `message` for `channel` through the `webhook` secret, if the step was given one.
pub(crate) async fn notify(
    ctx: &RunContext,
    node: &PlanNode,
    (channel, message): (String, String),
    secrets: &BTreeMap<String, Secret>,
) -> NodeResult {
    let output = |delivered: bool| {
        Value::Record(BTreeMap::from([
            ("channel".to_string(), Value::String(channel.clone())),
            ("message".to_string(), Value::String(message.clone())),
            ("delivered".to_string(), Value::Bool(delivered)),
        ]))
    };
    // Without a webhook the host has no channel to deliver through: the message stays in the run's records. A
    // dry run shows the message without sending it.
    let Some(webhook) = secrets.get("webhook").filter(|_| !ctx.dry_run) else {
        return NodeResult::new(StepStatus::Succeeded, output(false));
    };
    let body = serde_json::json!({
        "text": message,
        "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": message } }],
        "escher": { "run_id": ctx.run_id, "playbook": ctx.plan.playbook, "step": node.id, "channel": channel },
    });
    match deliver(webhook, &body).await {
        Ok(()) => NodeResult::new(StepStatus::Succeeded, output(true)),
        Err(why) => NodeResult::new(StepStatus::Failed, output(false))
            .with_error(Some(format!("notify {channel}: not delivered: {why}"))),
    }
}

/// Posts `body`, trying again on what may pass; why it was not delivered, without the address.
async fn deliver(webhook: &Secret, body: &serde_json::Value) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|error| format!("no HTTP client: {}", error.without_url()))?;
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        match client.post(webhook.expose()).json(body).send().await {
            Ok(answer) if answer.status().is_success() => return Ok(()),
            Ok(answer) => {
                let status = answer.status();
                let said: String = answer.text().await.unwrap_or_default().chars().take(200).collect();
                last = format!("the webhook answered {status}: {}", said.trim());
                if !(status.is_server_error() || status.as_u16() == 429) {
                    return Err(last);
                }
            }
            Err(error) => last = format!("the webhook could not be reached: {}", error.without_url()),
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
        }
    }
    Err(format!("{last} (after {ATTEMPTS} attempts)"))
}
