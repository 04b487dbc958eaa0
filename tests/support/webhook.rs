//! A webhook receiver on 127.0.0.1 for the notification tests: it answers every request with one status and
//! hands over what it received.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{self, Receiver};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub request_line: String,
    pub body: String,
}

/// Starts a receiver answering `status`; its URL (under `path`) and what it receives.
pub fn start(status: u16, path: &str) -> (String, Receiver<Delivery>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port on 127.0.0.1");
    let port = listener.local_addr().expect("its address").port();
    let (received, deliveries) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("the stream"));
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut length = 0;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = received.send(Delivery {
                request_line: request_line.trim().to_string(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            let answer = format!("HTTP/1.1 {status} Answer\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (format!("http://127.0.0.1:{port}{path}"), deliveries)
}
