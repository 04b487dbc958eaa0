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

/// Creates a bucket; moto takes an unsigned CreateBucket.
pub fn create_bucket(endpoint: &str, bucket: &str) {
    let address = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address).expect("moto answers");
    write!(stream, "PUT /{bucket} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .expect("sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "creating {bucket}: {response}");
}

/// Points a command's S3 client at moto, with the dummy credentials moto takes.
pub fn client<'c>(command: &'c mut Command, endpoint: &str) -> &'c mut Command {
    command
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
}
