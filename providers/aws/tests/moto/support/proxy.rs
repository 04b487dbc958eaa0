//! A forwarding proxy in front of moto that answers the first `healthy` requests through moto and every later
//! one with a connection reset: a listing whose later pages fail, for the fail-closed test.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Starts the proxy; returns its URL and the count of requests it has seen.
pub fn start(upstream: &str, healthy: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_string();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let (upstream, counter) = (upstream.clone(), counter.clone());
            std::thread::spawn(move || serve(client, &upstream, &counter, healthy));
        }
    });
    (url, seen)
}

/// Requests on one client connection, each forwarded on its own upstream connection.
fn serve(mut client: TcpStream, upstream: &str, counter: &AtomicUsize, healthy: usize) {
    loop {
        let Some(request) = read_request(&mut client) else { return };
        if counter.fetch_add(1, Ordering::SeqCst) >= healthy {
            let _ = client.shutdown(std::net::Shutdown::Both);
            return;
        }
        let Ok(mut moto) = TcpStream::connect(upstream) else { return };
        if moto.write_all(&with_connection_close(&request)).is_err() {
            return;
        }
        let mut answer = Vec::new();
        if moto.read_to_end(&mut answer).is_err() || client.write_all(&answer).is_err() {
            return;
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        request.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&request).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                return Some(request);
            }
        }
    }
}

/// The request with `Connection: close`, so moto ends its answer by closing.
fn with_connection_close(request: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(request).to_string();
    let Some(end) = text.find("\r\n\r\n") else { return request.to_vec() };
    let head: Vec<&str> =
        text[..end].split("\r\n").filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    let mut out = head.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    out.extend_from_slice(&request[end + 4..]);
    out
}
