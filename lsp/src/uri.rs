//! `file://` URIs to the paths the compiler names files by, and back.

use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The path of a `file://` URI, percent-decoded; `None` for other schemes (`untitled:`).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` names a host; only the local, empty-host form is a path here.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let decoded = percent_decode(path)?;
    // `file:///C:/x` is `C:/x` on Windows.
    let decoded = match decoded.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => decoded[1..].to_string(),
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

/// The `file://` URI of an absolute path, with every byte that is not unreserved or `/` percent-encoded.
pub fn from_path(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let mut encoded = String::from("file://");
    if !text.starts_with('/') {
        encoded.push('/');
    }
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded.parse().ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_a_space_and_an_accent_survives_the_round_trip() {
        let path = Path::new("/home/ana/my playbooks/café.esc");
        let uri = from_path(path).expect("an absolute UTF-8 path");
        assert_eq!(uri.as_str(), "file:///home/ana/my%20playbooks/caf%C3%A9.esc");
        assert_eq!(to_path(&uri).as_deref(), Some(path));
    }

    #[test]
    fn an_untitled_document_has_no_path() {
        let uri: Uri = "untitled:Untitled-1".parse().expect("a URI");
        assert_eq!(to_path(&uri), None);
    }
}
