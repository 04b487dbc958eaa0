//! moto, for the tests whose state lives in an S3 bucket: its endpoint (the test fails when `ESCHER_TEST_MOTO`
//! is unset) and new buckets.

use std::io::{Read, Write};
use std::process::Command;

/// moto's endpoint, `http://127.0.0.1:PORT`.
pub fn endpoint() -> String {
    std::env::var("ESCHER_TEST_MOTO").ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!(
            "ESCHER_TEST_MOTO is not set: start the emulators (scripts/emulators.sh start && . target/emulators.env)"
        )
    })
}

/// One unsigned request to moto (which takes them); the response, status line first.
fn request(endpoint: &str, method: &str, path: &str, body: &str) -> String {
    let address = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address).expect("moto answers");
    let length = body.len();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{body}"
    )
    .expect("sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

/// Creates a bucket.
pub fn create_bucket(endpoint: &str, bucket: &str) {
    let response = request(endpoint, "PUT", &format!("/{bucket}"), "");
    assert!(response.starts_with("HTTP/1.1 200"), "creating {bucket}: {response}");
}

/// Turns versioning on for a bucket.
pub fn enable_versioning(endpoint: &str, bucket: &str) {
    let body = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    let response = request(endpoint, "PUT", &format!("/{bucket}?versioning"), body);
    assert!(response.starts_with("HTTP/1.1 200"), "versioning {bucket}: {response}");
}

/// The keys of a bucket's current objects under `prefix`.
pub fn keys(endpoint: &str, bucket: &str, prefix: &str) -> Vec<String> {
    let response = request(endpoint, "GET", &format!("/{bucket}?prefix={prefix}"), "");
    assert!(response.starts_with("HTTP/1.1 200"), "listing {bucket}: {response}");
    response.split("<Key>").skip(1).filter_map(|rest| rest.split("</Key>").next()).map(str::to_string).collect()
}

/// Deletes an object, as anyone holding the bucket's credentials can (moto wants a signed DeleteObject: the
/// state store's S3 client signs it).
pub fn delete(endpoint: &str, bucket: &str, key: &str) {
    let url = escher_state::StoreUrl::S3 { bucket: bucket.to_string(), prefix: String::new() };
    let store = escher_state::Store::open(&url, &escher_state::StoreOptions::emulator(endpoint)).expect("opens");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(store.delete(key)).unwrap_or_else(|error| panic!("deleting {key}: {error}"));
}

/// Points a command's S3 client at moto, with the dummy credentials moto takes.
pub fn client<'c>(command: &'c mut Command, endpoint: &str) -> &'c mut Command {
    command
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
}

/// The region the command-line tests seed EC2 in (one few other tests use).
pub const EC2_REGION: &str = "eu-south-2";

/// One EC2 query-protocol request to moto in [`EC2_REGION`] (moto does not check signatures); the answer.
pub fn ec2(params: &str) -> String {
    let body = format!("Version=2016-11-15&{params}");
    let endpoint = endpoint();
    let address = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address).expect("moto answers");
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/{EC2_REGION}/ec2/aws4_request, \
         SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("the request is sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("moto answers");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    answer
}

/// Launches `count` instances tagged `env=ENV` and `suite=SUITE`; their ids, sorted.
pub fn launch(count: u32, env: &str, suite: &str) -> Vec<String> {
    instance_ids(&ec2(&format!(
        "Action=RunInstances&ImageId=ami-12c6146b&InstanceType=t3.micro&MinCount={count}&MaxCount={count}\
         &TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=env&TagSpecification.1.Tag.1.Value={env}\
         &TagSpecification.1.Tag.2.Key=suite&TagSpecification.1.Tag.2.Value={suite}"
    )))
}

/// The instance ids an EC2 answer names, sorted.
pub fn instance_ids(answer: &str) -> Vec<String> {
    let mut ids: Vec<String> = answer
        .split("<instanceId>")
        .skip(1)
        .filter_map(|rest| rest.split("</instanceId>").next())
        .map(str::to_string)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The ids of the suite's instances in this state.
pub fn instances_in_state(suite: &str, state: &str) -> Vec<String> {
    instance_ids(&ec2(&format!(
        "Action=DescribeInstances&Filter.1.Name=tag:suite&Filter.1.Value.1={suite}\
         &Filter.2.Name=instance-state-name&Filter.2.Value.1={state}"
    )))
}

/// One request to moto for `service` in `region`, unsigned but with the credential scope moto routes by; the
/// whole answer, status line first.
pub fn aws_call(service: &str, region: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    aws_call_as("testing", service, region, method, path, headers, body)
}

/// [`aws_call`] with another access key: moto attributes a call made with assumed-role credentials to the
/// role's account.
pub fn aws_call_as(
    access_key: &str,
    service: &str,
    region: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> String {
    let endpoint = endpoint();
    let address = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address).expect("moto answers");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: AWS4-HMAC-SHA256 \
         Credential={access_key}/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).expect("the request is sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("moto answers");
    answer
}

/// A query-protocol call (IAM, EC2): `Action=...&...` with the service's API version.
pub fn aws_query(service: &str, region: &str, version: &str, params: &str) -> String {
    let body = format!("Version={version}&{params}");
    aws_call(service, region, "POST", "/", &[("Content-Type", "application/x-www-form-urlencoded")], &body)
}

/// A JSON-protocol call (ECS, ECR, SSM, CloudWatch Logs): `target` as in `X-Amz-Target`.
pub fn aws_json(service: &str, region: &str, target: &str, body: &str) -> String {
    let headers = [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", target)];
    aws_call(service, region, "POST", "/", &headers, body)
}
