//! The forms in which a secret could leak: as it is, percent-encoded, and base64-encoded (standard and URL-safe
//! alphabets) at each of the three alignments it can take inside a longer encoded text.

/// Every text whose presence in an output would mean the secret leaked.
pub fn leak_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string(), percent_encoded(secret)];
    for offset in 0..3 {
        let core = base64_core(secret.as_bytes(), offset);
        forms.push(core.replace('+', "-").replace('/', "_"));
        forms.push(core);
    }
    forms.sort();
    forms.dedup();
    forms
}

/// The forms of `secret` found in `haystack`.
pub fn leaks_in(haystack: &[u8], secret: &str) -> Vec<String> {
    leak_forms(secret).into_iter().filter(|form| contains(haystack, form.as_bytes())).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|window| window == needle)
}

/// Percent-encoding of every byte but the unreserved ones (RFC 3986).
pub fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The base64 characters that depend on `secret` alone when it starts `offset` bytes into the encoded text: the
/// same characters appear whatever surrounds it.
fn base64_core(secret: &[u8], offset: usize) -> String {
    let mut padded = vec![0u8; offset];
    padded.extend_from_slice(secret);
    let encoded = base64(&padded);
    let first = (offset * 8).div_ceil(6);
    let end = (padded.len() * 8) / 6;
    encoded[first..end].to_string()
}

#[test]
fn base64_matches_the_rfc_4648_vectors() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
}

#[test]
fn a_secret_inside_a_longer_encoded_text_is_found_at_any_alignment() {
    let secret = "hunter2-token";
    for prefix in ["", "a", "ab", "abc", "{\"webhook\":\""] {
        let encoded = base64(format!("{prefix}{secret}\"}}").as_bytes());
        assert!(!leaks_in(encoded.as_bytes(), secret).is_empty(), "missed after prefix {prefix:?}: {encoded}");
    }
    assert!(leaks_in(base64(b"an unrelated text of similar length").as_bytes(), secret).is_empty());
    assert!(!leaks_in(b"url=https%3A%2F%2Fx%2Fhunter2-token", "https://x/hunter2-token").is_empty());
}
