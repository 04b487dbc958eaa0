//! `notify`'s `sns`: the runtime's notification published to the topic its ARN names, in the ARN's region. A topic
//! of an account configured with a role (`aws.json`) is reached through that role; any other with the host's own
//! credentials, which the topic's policy may allow across accounts.

use aws_sdk_sns::types::MessageAttributeValue;
use escher_runtime::provider::{Notification, ProviderError};

use crate::context::AwsContext;
use crate::errors::classify;

pub(crate) async fn publish(ctx: &AwsContext, notification: &Notification) -> Result<(), ProviderError> {
    let parts: Vec<&str> = notification.topic.split(':').collect();
    let (Some(region), Some(account)) = (parts.get(3), parts.get(4)) else {
        return Err(ProviderError::Invalid(format!("{:?} is not an SNS topic ARN", notification.topic)));
    };
    let role_account = ctx.config().account(account).and_then(|a| a.role_arn.as_ref()).map(|_| *account);
    let client = ctx.sns(role_account, region).await?;
    let mut publish = client
        .publish()
        .topic_arn(&notification.topic)
        .subject(subject(&notification.subject))
        .message(&notification.message);
    for (name, value) in &notification.attributes {
        let attribute = MessageAttributeValue::builder().data_type("String").string_value(value).build();
        let attribute = attribute.map_err(|error| ProviderError::Invalid(format!("attribute {name}: {error}")))?;
        publish = publish.message_attributes(name, attribute);
    }
    publish.send().await.map_err(|error| classify("SNS Publish", &error))?;
    Ok(())
}

/// SNS takes a subject of at most 100 printable ASCII characters on one line.
fn subject(text: &str) -> String {
    let printable = text.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' });
    printable.take(100).collect::<String>().trim().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_subject_is_cut_to_what_sns_takes() {
        assert_eq!(super::subject("nightly: #ops — done\nnext"), "nightly: #ops ? done?next");
        assert_eq!(super::subject(&"x".repeat(150)).len(), 100);
    }
}
