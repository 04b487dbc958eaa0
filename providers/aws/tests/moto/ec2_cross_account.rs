//! Cross-account: an account of the configuration with a role is reached through STS AssumeRole. moto keeps
//! state per account and attributes calls made with assumed credentials to the role's account, so an instance
//! made in the second account is visible only there, and stopping it through Escher changes it there.

use crate::support::*;
use aws_config::Region;
use aws_credential_types::provider::SharedCredentialsProvider;
use escher_aws::{AccountConfig, AwsConfig, AwsProvider};
use escher_runtime::provider::{Provider, ProviderError, TargetStatus};

const SECOND: &str = "111111111111";
const MAIN: &str = "123456789012";

/// An EC2 client acting in the second account, through AssumeRole made by the SDK directly.
async fn second_account_ec2(region: &str) -> aws_sdk_ec2::Client {
    let role = aws_config::sts::AssumeRoleProvider::builder(format!("arn:aws:iam::{SECOND}:role/escher"))
        .session_name("test")
        .configure(&sdk_config("us-east-1"))
        .region(Region::new("us-east-1"))
        .build()
        .await;
    let config = sdk_config(region).to_builder().credentials_provider(SharedCredentialsProvider::new(role)).build();
    aws_sdk_ec2::Client::new(&config)
}

#[tokio::test]
async fn the_second_account_is_reached_with_the_assumed_role() {
    let region = "eu-central-2";
    let suite = unique("accounts");
    let mine = launch(&ec2(region), 1, &[("suite", &suite)]).await.remove(0);
    let second = second_account_ec2(region).await;
    let theirs = launch(&second, 1, &[("suite", &suite)]).await.remove(0);
    assert!(states(&ec2(region), std::slice::from_ref(&theirs)).await.is_empty(), "moto keeps accounts apart");

    let config = AwsConfig {
        accounts: vec![
            AccountConfig { id: MAIN.into(), role_arn: None, external_id: None, name: Some("main".into()) },
            AccountConfig {
                id: SECOND.into(),
                role_arn: Some(format!("arn:aws:iam::{SECOND}:role/escher")),
                external_id: Some("escher-test".into()),
                name: Some("second".into()),
            },
        ],
        regions: vec![region.into()],
        ..AwsConfig::default()
    };
    let provider = std::sync::Arc::new(AwsProvider::new(context_with(config)));
    let found = query(provider.as_ref(), "aws.ec2.instances", vec![("tags", tags(&[("suite", &suite)]))]).await;
    let mut by_account: Vec<(String, String)> =
        found.iter().map(|r| (field(r, "account").to_string(), field(r, "id").to_string())).collect();
    by_account.sort();
    assert_eq!(by_account, vec![(SECOND.to_string(), theirs.clone()), (MAIN.to_string(), mine.clone())]);

    // The runtime batches by account; each batch goes with its account's credentials.
    for target in &found {
        let results = act(provider.as_ref(), "aws.ec2.stop", vec![target.clone()], vec![], false).await;
        assert_eq!(results[0].status, TargetStatus::Changed, "{results:?}");
    }
    assert_eq!(states(&second, std::slice::from_ref(&theirs)).await.get(&theirs).map(String::as_str), Some("stopped"));
    assert_eq!(states(&ec2(region), std::slice::from_ref(&mine)).await.get(&mine).map(String::as_str), Some("stopped"));

    let accounts = query(provider.as_ref(), "inventory.accounts", vec![]).await;
    assert_eq!(accounts.len(), 2);

    // An account the configuration does not list is refused, not reached with the host's credentials.
    let mut stranger = found[0].clone();
    if let escher_compiler::plan::Value::Record(fields) = &mut stranger {
        fields.insert("account".into(), text("999999999999"));
    }
    let refused = provider.call(&call("aws.ec2.stop", vec![], vec![stranger], false)).await;
    assert!(matches!(&refused, Err(ProviderError::Rejected(m)) if m.contains("999999999999")), "{refused:?}");
}
