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
