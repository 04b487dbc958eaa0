//! `notify(..., sns = ARN)` through the AWS provider on moto: the message reaches a subscriber of the topic (an
//! HTTP endpoint on 127.0.0.1, to which moto posts what a topic publishes), and a topic that does not exist fails
//! the step naming SNS's answer.

use std::time::Duration;

use escher_runtime::events::StepStatus;

use crate::support::{plan, provider, run, unique};

/// The workspace tests' HTTP receiver on 127.0.0.1, here a subscriber to which moto posts what a topic publishes.
#[path = "../../../../tests/support/webhook.rs"]
#[allow(dead_code, reason = "this test reads the bodies, not the request lines")]
mod webhook;

const REGION: &str = "eu-north-1";

fn sns() -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(&crate::support::sdk_config(REGION))
}

#[tokio::test]
async fn a_notification_published_to_an_sns_topic_reaches_its_subscriber() {
    let topic = sns().create_topic().name(unique("ops")).send().await.expect("moto creates the topic");
    let arn = topic.topic_arn().expect("the topic's ARN").to_string();
    let (url, received) = webhook::start(200, "/sns");
    sns().subscribe().topic_arn(&arn).protocol("http").endpoint(&url).send().await.expect("subscribed");
    let marker = unique("stopped-4");
    let source = format!(
        r##"playbook nightly {{ step tell = notify("#ops", "{marker}", sns = "{arn}", subject = "Nightly done") }}"##
    );

    let report = run(plan("sns.esc", &source, &[]), vec![provider(&[REGION])], false).await;
    assert_eq!(report.steps[0].status, StepStatus::Succeeded, "{report:#?}");

    let notification = std::iter::from_fn(|| received.recv_timeout(Duration::from_secs(10)).ok())
        .filter_map(|delivery| serde_json::from_str::<serde_json::Value>(&delivery.body).ok())
        .find(|body| body["Type"] == "Notification")
        .expect("the subscriber received the notification");
    assert_eq!(notification["TopicArn"], arn.as_str());
    assert_eq!(notification["Subject"], "Nightly done");
    let message = notification["Message"].as_str().unwrap_or_default();
    assert!(message.starts_with(&marker), "{message}");
    assert!(message.contains(&format!("Escher run {}, playbook nightly, step tell", report.run_id)), "{message}");
}

#[tokio::test]
async fn a_topic_that_does_not_exist_fails_the_step_with_snss_answer() {
    let arn = format!("arn:aws:sns:{REGION}:123456789012:{}", unique("missing"));
    let source = format!(r##"playbook p {{ step tell = notify("#ops", "hi", sns = "{arn}") }}"##);
    let report = run(plan("sns.esc", &source, &[]), vec![provider(&[REGION])], false).await;
    assert_eq!(report.steps[0].status, StepStatus::Failed, "{report:#?}");
    let error = report.steps[0].error.clone().unwrap_or_default();
    assert!(error.starts_with("notify #ops: sns not delivered: SNS answered: rejected"), "{error}");
}
