//! What the RDS, Lambda, S3, Route 53 and Cost Explorer tests share: the provider pointed at moto
//! (`ESCHER_TEST_MOTO`, which must be set: these tests fail, never skip, without it), SDK clients for setting up
//! and checking state behind the provider's back, unique names (tests run in parallel on one moto server), and
//! raw calls to moto for what the crate's SDKs do not cover (an IAM role for Lambda, Cost Explorer results).

#![allow(dead_code)]

pub mod zip;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU32, Ordering};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use escher_aws::{AwsConfig, AwsContext, AwsProvider};
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderResponse, TargetResult, TargetStatus};

/// moto's default account.
pub const ACCOUNT: &str = "123456789012";

/// moto's endpoint; a test that needs it fails when it is not set.
pub fn endpoint() -> String {
    std::env::var("ESCHER_TEST_MOTO").unwrap_or_else(|_| {
        panic!("ESCHER_TEST_MOTO is not set: start moto with `scripts/emulators.sh start && . target/emulators.env`")
    })
}

/// Dummy credentials, moto's endpoint, `region` as the default.
pub fn sdk_config(region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint())
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "escher-tests",
        )))
        .build()
}

/// The provider on moto, listing the given regions by default.
pub fn provider(regions: &[&str]) -> AwsProvider {
    let config = AwsConfig { regions: regions.iter().map(|r| r.to_string()).collect(), ..AwsConfig::default() };
    AwsProvider::new(AwsContext::from_sdk_config(sdk_config("us-east-1"), config))
}

/// A name no other test uses: `PREFIX-PID-N`, lowercase, valid for buckets, RDS and Lambda.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{prefix}-{}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), nanos % 100_000)
}

pub fn s3(region: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(&sdk_config(region)).force_path_style(true).build();
    aws_sdk_s3::Client::from_conf(conf)
}

pub fn rds(region: &str) -> aws_sdk_rds::Client {
    aws_sdk_rds::Client::new(&sdk_config(region))
}

pub fn lambda(region: &str) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(&sdk_config(region))
}

/// A postgres DB instance tagged `key=value`, as moto makes it (available at once).
pub async fn postgres(region: &str, name: &str, (key, value): (&str, &str)) {
    rds(region)
        .create_db_instance()
        .db_instance_identifier(name)
        .db_instance_class("db.t3.micro")
        .engine("postgres")
        .master_username("admin")
        .master_user_password("password123")
        .allocated_storage(20)
        .tags(aws_sdk_rds::types::Tag::builder().key(key).value(value).build())
        .send()
        .await
        .expect("moto creates the DB instance");
}

/// An HTTP health check on 10.0.0.1:80/health; its id.
pub async fn health_check() -> String {
    use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckType};
    let config = HealthCheckConfig::builder()
        .r#type(HealthCheckType::Http)
        .ip_address("10.0.0.1")
        .port(80)
        .resource_path("/health")
        .build()
        .expect("config");
    let out = route53().create_health_check().caller_reference(unique("hc")).health_check_config(config).send().await;
    out.expect("moto creates the health check").health_check().expect("a health check").id().to_string()
}

pub fn route53() -> aws_sdk_route53::Client {
    aws_sdk_route53::Client::new(&sdk_config("us-east-1"))
}

pub fn ec2(region: &str) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&sdk_config(region))
}

pub fn text(value: &str) -> Value {
    Value::String(value.to_string())
}

pub fn strings(values: &[&str]) -> Value {
    Value::List(values.iter().map(|v| text(v)).collect())
}

pub fn map(pairs: &[(&str, &str)]) -> Value {
    Value::Record(pairs.iter().map(|(k, v)| (k.to_string(), text(v))).collect())
}

/// A provider call of `action` with these arguments and targets.
pub fn call(action: &str, args: &[(&str, Value)], targets: Vec<Value>, dry_run: bool) -> ProviderCall {
    ProviderCall {
        run_id: "test".into(),
        node: "step".into(),
        action: action.into(),
        args: args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>(),
        secrets: BTreeMap::new(),
        targets,
        dry_run,
        idempotency_key: unique("test:step"),
        in_doubt: false,
    }
}

/// The list a query answered.
pub fn listed(response: ProviderResponse) -> Vec<Value> {
    match response {
        ProviderResponse::Value(Value::List(items)) => items,
        other => panic!("expected a list, got {other:?}"),
    }
}

/// The per-target results an action answered.
pub fn results(response: ProviderResponse) -> Vec<TargetResult> {
    match response {
        ProviderResponse::Targets(results) => results,
        other => panic!("expected per-target results, got {other:?}"),
    }
}

/// The statuses of per-target results, by kind: `changed`, `unchanged`, `failed`, `not_simulated`.
pub fn statuses(results: &[TargetResult]) -> Vec<&'static str> {
    results
        .iter()
        .map(|r| match r.status {
            TargetStatus::Changed => "changed",
            TargetStatus::Unchanged => "unchanged",
            TargetStatus::Failed { .. } => "failed",
            TargetStatus::NotSimulated { .. } => "not_simulated",
        })
        .collect()
}

pub fn field<'a>(record: &'a Value, name: &str) -> &'a Value {
    match record {
        Value::Record(fields) => fields.get(name).unwrap_or_else(|| panic!("no field `{name}` in {record:?}")),
        other => panic!("not a record: {other:?}"),
    }
}

pub fn str_of<'a>(record: &'a Value, name: &str) -> &'a str {
    match field(record, name) {
        Value::String(s) => s,
        other => panic!("field `{name}` is not a string: {other:?}"),
    }
}

/// The record among `items` whose field `name` is `value`.
pub fn find<'a>(items: &'a [Value], name: &str, value: &str) -> Option<&'a Value> {
    items.iter().find(|item| matches!(item, Value::Record(f) if f.get(name) == Some(&text(value))))
}

/// A raw HTTP request to moto (no SDK for it in this crate): `(status, body)`.
pub fn moto_http(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let url = endpoint();
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let mut stream = std::net::TcpStream::connect(&host).unwrap_or_else(|e| panic!("cannot reach moto at {host}: {e}"));
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).expect("request sent to moto");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read from moto");
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// Percent-encodes a form value.
fn form(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Creates an IAM role Lambda may assume (moto checks that a function's role exists), returning its ARN. moto
/// routes the request by the credential scope of its (unchecked) signature.
pub fn lambda_role(name: &str) -> String {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let body = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName={}&AssumeRolePolicyDocument={}",
        form(name),
        form(policy)
    );
    let auth =
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";
    let (status, answer) = moto_http(
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", auth)],
        &body,
    );
    assert_eq!(status, 200, "moto refused to create IAM role {name}: {answer}");
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// A bucket's versioning status (`Enabled`, `Suspended`), read with a plain GET: the SDK cannot decode moto's
/// answer to GetBucketVersioning (its root element is `GetBucketVersioningResponse`, not S3's
/// `VersioningConfiguration`).
pub fn bucket_versioning(bucket: &str) -> Option<String> {
    let auth =
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";
    let (status, body) = moto_http("GET", &format!("/{bucket}?versioning"), &[("Authorization", auth)], "");
    assert_eq!(status, 200, "versioning of {bucket} read: {body}");
    body.split("<Status>").nth(1).and_then(|rest| rest.split("</Status>").next()).map(str::to_string)
}
