//! A running `escher serve` on a free 127.0.0.1 port, stopped when dropped, and plain HTTP/1.1 requests to it. The
//! service's tests and its load benchmark (`benches/serve_load.rs`, which includes this file by path) share it.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};

pub struct Serving {
    child: Child,
    pub address: String,
}

impl Serving {
    /// Starts `command` (an `escher` with its `serve` arguments, `--listen 127.0.0.1:0` among them) and waits for
    /// the line that says where it listens.
    pub fn start(mut command: Command) -> Serving {
        command.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("escher serve starts");
        let mut stderr = child.stderr.take().expect("stderr");
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while !seen.ends_with(b"\n") {
            assert_eq!(stderr.read(&mut byte).expect("reads"), 1, "the server says where it listens");
            seen.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&seen).trim().to_string();
        let address = line.strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}")).to_string();
        Serving { child, address }
    }

    /// One request on a connection of its own; the status and the body.
    pub fn send(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&self.address).expect("the server answers");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.address,
            body.len()
        );
        stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes())).expect("sent");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let response = String::from_utf8_lossy(&response);
        let status = response.get(9..12).and_then(|code| code.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
        (status, body)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
