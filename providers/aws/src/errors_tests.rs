//! The classification of real SDK errors: each test serves one raw HTTP answer from a local socket and lets the
//! EC2 client parse it, so the errors are the SDK's own, not hand-built values.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_sdk_ec2::config::{BehaviorVersion, Region};
use escher_runtime::provider::ProviderError;

use super::{classify, is_dry_run_success};

/// Serves `answer` (status line onward) to each connection, or never answers when `answer` is `None`.
fn serve(answer: Option<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the headers and the body the content-length announces.
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            match &answer {
                Some(answer) => {
                    let _ = stream.write_all(answer.as_bytes());
                }
                None => std::thread::sleep(Duration::from_secs(5)),
            }
        }
    });
    url
}

fn ec2_error(status: u16, code: &str) -> String {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>\
         <Message>{code} happened</Message></Error></Errors><RequestID>r-1</RequestID></Response>"
    );
    format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

fn client(url: &str) -> aws_sdk_ec2::Client {
    let conf = aws_sdk_ec2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .timeout_config(TimeoutConfig::builder().operation_timeout(Duration::from_millis(500)).build())
        .build();
    aws_sdk_ec2::Client::from_conf(conf)
}

/// The error StopInstances gets from a server answering `answer`.
async fn stop_error(answer: Option<String>) -> (ProviderError, bool) {
    let ec2 = client(&serve(answer));
    let err = ec2.stop_instances().instance_ids("i-1").send().await.expect_err("the server refuses");
    (classify("ec2 StopInstances", &err), is_dry_run_success(&err))
}

#[tokio::test]
async fn request_limit_exceeded_is_throttling() {
    let (error, _) = stop_error(Some(ec2_error(503, "RequestLimitExceeded"))).await;
    assert!(matches!(error, ProviderError::Throttled { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert!(error.to_string().contains("RequestLimitExceeded"), "{error}");
}

#[tokio::test]
async fn throttling_codes_are_retryable_whatever_the_status() {
    for code in ["Throttling", "ThrottlingException", "TooManyRequestsException", "SlowDown", "RequestThrottled"] {
        let (error, _) = stop_error(Some(ec2_error(400, code))).await;
        assert!(matches!(error, ProviderError::Throttled { .. }), "{code}: {error:?}");
    }
}

#[tokio::test]
async fn server_errors_are_unavailable_and_retryable() {
    let (error, _) = stop_error(Some(ec2_error(500, "InternalError"))).await;
    assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");
    let (error, _) = stop_error(Some(ec2_error(502, "SomethingOdd"))).await;
    assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn dry_run_operation_means_it_would_succeed() {
    let (_, would_succeed) = stop_error(Some(ec2_error(412, "DryRunOperation"))).await;
    assert!(would_succeed);
    let (_, would_succeed) = stop_error(Some(ec2_error(403, "UnauthorizedOperation"))).await;
    assert!(!would_succeed);
}

#[tokio::test]
async fn refusals_are_rejected_and_final() {
    for (status, code) in
        [(403, "UnauthorizedOperation"), (400, "InvalidInstanceID.NotFound"), (400, "IncorrectInstanceState")]
    {
        let (error, _) = stop_error(Some(ec2_error(status, code))).await;
        assert!(matches!(error, ProviderError::Rejected(_)), "{code}: {error:?}");
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn a_closed_port_is_unavailable() {
    let port = TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("addr").port();
    let ec2 = client(&format!("http://127.0.0.1:{port}"));
    let err = ec2.stop_instances().instance_ids("i-1").send().await.expect_err("nobody listens");
    let error = classify("ec2 StopInstances", &err);
    assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("could not reach the endpoint") && message.contains("endpoint_url"), "{message}");
}

/// A misspelt region gives a host name that does not resolve: a configuration error, named, and not retried.
#[tokio::test]
async fn a_host_name_that_does_not_resolve_is_a_configuration_error() {
    let ec2 = client("http://ec2.us-eest-1.amazonaws.invalid");
    let err = ec2.stop_instances().instance_ids("i-1").send().await.expect_err("no such host");
    let error = classify("ec2 StopInstances", &err);
    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("check the region's name"), "{error}");
}

#[tokio::test]
async fn a_region_the_account_has_not_enabled_is_named() {
    let (error, _) = stop_error(Some(ec2_error(401, "OptInRequired"))).await;
    assert!(matches!(error, ProviderError::Rejected(_)), "{error:?}");
    assert!(error.to_string().contains("has not enabled the region"), "{error}");
    let (error, _) = stop_error(Some(ec2_error(401, "AuthFailure"))).await;
    assert!(error.to_string().contains("AWS refused the credentials"), "{error}");
}

#[tokio::test]
async fn no_answer_in_time_is_a_timeout() {
    let (error, _) = stop_error(None).await;
    assert!(matches!(error, ProviderError::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn expired_credentials_are_named_with_what_to_do() {
    let (error, dry_run) = stop_error(Some(ec2_error(400, "RequestExpired"))).await;
    assert!(!dry_run);
    match error {
        ProviderError::Rejected(message) => {
            assert!(
                message.contains("the AWS credentials have expired") && message.contains("aws sso login"),
                "{message}"
            )
        }
        other => panic!("expired credentials are final: {other:?}"),
    }
}
