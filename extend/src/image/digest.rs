//! Content digests as OCI writes them: `sha256:` and 64 lowercase hex digits.

use std::fmt::Write;

use sha2::{Digest, Sha256};

pub fn sha256_digest(bytes: &[u8]) -> String {
    let mut digest = String::with_capacity(71);
    digest.push_str("sha256:");
    for byte in Sha256::digest(bytes) {
        let _ = write!(digest, "{byte:02x}");
    }
    digest
}

/// The hex part of a digest (`blobs/sha256/<hex>` in a layout), or `None` for another algorithm.
pub fn sha256_hex(digest: &str) -> Option<&str> {
    digest
        .strip_prefix("sha256:")
        .filter(|hex| hex.len() == 64 && hex.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_input_has_its_well_known_digest() {
        let digest = sha256_digest(b"");
        assert_eq!(digest, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(&digest), Some(&digest[7..]));
        assert_eq!(sha256_hex("sha512:00"), None);
        assert_eq!(sha256_hex("sha256:../../etc/passwd"), None);
    }
}
