//! `notify`: a message delivered through every channel the step names, or the step fails. The channels: a
//! Slack-compatible incoming `webhook` (`slack.rs`), a generic JSON `endpoint`, signed with HMAC-SHA256 when given
//! a `signing_key` (`endpoint.rs`), email through an `smtp` server (`email.rs`), and an SNS topic published by the
//! run's AWS provider (`sns.rs`: the runtime links no cloud SDK). Each delivery has a timeout and is tried three
//! times on what may pass (`attempts.rs`). Addresses, keys and passwords are secrets: no message, error or record
//! holds them. A failed delivery fails the step naming the channel and the server's answer; under
//! `on_failure = continue` the step succeeds with `delivered = false` and the failure as a warning.

mod attempts;
mod email;
mod endpoint;
mod http;
mod slack;
mod sns;

use std::collections::BTreeMap;

use escher_compiler::plan::{OnFailure, PlanNode, Value};

use super::result::NodeResult;
use crate::events::StepStatus;
use crate::executor::run::context::RunContext;
use crate::provider::Secret;

/// What a delivery says about the message: who sent it and from where.
pub(super) struct Message {
    pub channel: String,
    pub text: String,
    pub subject: Option<String>,
    pub run_id: String,
    pub playbook: String,
    pub step: String,
    /// When the step ran, RFC 3339 in UTC.
    pub time: String,
}

/// One way to deliver, as the step's arguments give it.
enum Delivery<'a> {
    Slack(&'a Secret),
    Endpoint { url: &'a Secret, signing_key: Option<&'a Secret> },
    Email(email::Email),
    Sns(String),
}

impl Delivery<'_> {
    /// The delivery's name in messages: the argument that gave it.
    fn name(&self) -> &'static str {
        match self {
            Delivery::Slack(_) => "webhook",
            Delivery::Endpoint { .. } => "endpoint",
            Delivery::Email(_) => "email",
            Delivery::Sns(_) => "sns",
        }
    }

    async fn deliver(&self, ctx: &RunContext, message: &Message) -> Result<(), String> {
        match self {
            Delivery::Slack(url) => slack::deliver(url, message).await,
            Delivery::Endpoint { url, signing_key } => endpoint::deliver(url, *signing_key, message).await,
            Delivery::Email(email) => email.deliver(message).await,
            Delivery::Sns(topic) => sns::deliver(ctx, topic, message).await,
        }
    }
}

/// Delivers the step's message through each delivery its arguments give.
pub(crate) async fn notify(
    ctx: &RunContext,
    node: &PlanNode,
    args: &BTreeMap<String, Value>,
    secrets: &BTreeMap<String, Secret>,
) -> NodeResult {
    let text = |name: &str| match args.get(name) {
        Some(Value::String(text)) => Some(text.clone()),
        _ => None,
    };
    let channel = text("channel").unwrap_or_default();
    let message = Message {
        channel: channel.clone(),
        text: text("message").unwrap_or_default(),
        subject: text("subject"),
        run_id: ctx.run_id.clone(),
        playbook: ctx.plan.playbook.clone(),
        step: node.id.clone(),
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let output = |delivered: bool| {
        Value::Record(BTreeMap::from([
            ("channel".to_string(), Value::String(channel.clone())),
            ("message".to_string(), Value::String(message.text.clone())),
            ("delivered".to_string(), Value::Bool(delivered)),
        ]))
    };
    // Arguments that cannot work are found before anything is sent, in dry runs too.
    let deliveries = match deliveries(args, secrets) {
        Ok(deliveries) => deliveries,
        Err(why) => {
            return NodeResult::new(StepStatus::Failed, output(false))
                .with_error(Some(format!("notify {channel}: {why}")));
        }
    };
    // Without a delivery the message stays in the run's records; a dry run shows it without sending it.
    if deliveries.is_empty() || ctx.dry_run {
        return NodeResult::new(StepStatus::Succeeded, output(false));
    }
    let mut failures = Vec::new();
    for delivery in &deliveries {
        match ctx.until_cancelled(delivery.deliver(ctx, &message)).await {
            Some(Ok(())) => {}
            Some(Err(why)) => failures.push(format!("{} not delivered: {why}", delivery.name())),
            None => {
                let result = NodeResult::new(StepStatus::Cancelled, output(false));
                return result.with_error(Some("the run was cancelled during the delivery".into()));
            }
        }
    }
    if failures.is_empty() {
        return NodeResult::new(StepStatus::Succeeded, output(true));
    }
    let why = format!("notify {channel}: {}", failures.join("; "));
    if node.options.on_failure == OnFailure::Continue {
        let warning = format!("warning: {why} (on_failure = continue: the run goes on)");
        return NodeResult::new(StepStatus::Succeeded, output(false)).with_error(Some(warning));
    }
    NodeResult::new(StepStatus::Failed, output(false)).with_error(Some(why))
}

/// The deliveries the arguments give, in a fixed order, or why they do not fit together.
fn deliveries<'a>(
    args: &BTreeMap<String, Value>,
    secrets: &'a BTreeMap<String, Secret>,
) -> Result<Vec<Delivery<'a>>, String> {
    let mut found = Vec::new();
    if let Some(url) = secrets.get("webhook") {
        found.push(Delivery::Slack(url));
    }
    let signing_key = secrets.get("signing_key");
    match (secrets.get("endpoint"), signing_key) {
        (Some(url), signing_key) => found.push(Delivery::Endpoint { url, signing_key }),
        (None, Some(_)) => {
            return Err("`signing_key` signs the `endpoint` delivery, and the step has no `endpoint`".into());
        }
        (None, None) => {}
    }
    match secrets.get("smtp") {
        Some(server) => found.push(Delivery::Email(email::Email::new(server, args)?)),
        None => {
            if let Some(name) = ["to", "sender"].into_iter().find(|name| args.contains_key(*name)) {
                return Err(format!("`{name}` is for email, and the step has no `smtp` server"));
            }
        }
    }
    if let Some(Value::String(topic)) = args.get("sns") {
        sns::check_topic(topic)?;
        found.push(Delivery::Sns(topic.clone()));
    }
    Ok(found)
}
