//! An SNS topic, published by the run's provider for AWS: the runtime links no cloud SDK, and the provider already
//! holds the credentials, accounts and endpoint its calls use ([`Provider::publish`](crate::provider::Provider)).

use std::collections::BTreeMap;

use escher_compiler::stdlib::Cloud;

use super::Message;
use super::attempts::{self, Attempt};
use crate::executor::run::context::RunContext;
use crate::provider::{Notification, ProviderError};

/// Whether `topic` is an SNS topic ARN: `arn:PARTITION:sns:REGION:ACCOUNT:NAME`.
pub(super) fn check_topic(topic: &str) -> Result<(), String> {
    let parts: Vec<&str> = topic.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "sns", region, account, name]
            if partition.starts_with("aws")
                && !region.is_empty()
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && !name.is_empty() =>
        {
            Ok(())
        }
        _ => Err(format!("`sns` is {topic:?}, not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")),
    }
}

pub(super) async fn deliver(ctx: &RunContext, topic: &str, message: &Message) -> Result<(), String> {
    let Some(provider) = ctx.provider_for(Cloud::Aws) else {
        return Err("the run has no provider for AWS to publish to SNS".into());
    };
    let attributes = BTreeMap::from([
        ("run_id".to_string(), message.run_id.clone()),
        ("playbook".to_string(), message.playbook.clone()),
        ("step".to_string(), message.step.clone()),
        ("channel".to_string(), message.channel.clone()),
    ]);
    let notification = Notification {
        topic: topic.to_string(),
        subject: message.subject.clone().unwrap_or_else(|| format!("{}: {}", message.playbook, message.channel)),
        message: format!(
            "{}\n\n-- \nEscher run {}, playbook {}, step {}",
            message.text, message.run_id, message.playbook, message.step
        ),
        attributes,
    };
    attempts::deliver(|| async {
        match provider.publish(&notification).await {
            Ok(()) => Attempt::Delivered,
            Err(error @ ProviderError::Unsupported(_)) => Attempt::Refused(error.to_string()),
            Err(error) if error.is_retryable() => Attempt::Retry(format!("SNS answered: {error}")),
            Err(error) => Attempt::Refused(format!("SNS answered: {error}")),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::check_topic;

    #[test]
    fn only_an_sns_topic_arn_is_a_topic() {
        assert!(check_topic("arn:aws:sns:eu-west-1:123456789012:ops").is_ok());
        assert!(check_topic("arn:aws-cn:sns:cn-north-1:123456789012:ops").is_ok());
        for wrong in [
            "ops",
            "arn:aws:sqs:eu-west-1:123456789012:ops",
            "arn:aws:sns:eu-west-1:1234:ops",
            "arn:aws:sns::123456789012:ops",
        ] {
            assert!(check_topic(wrong).is_err(), "{wrong}");
        }
    }
}
