//! How a journal line proves its place: `{"seq":N,"sum":"<hex>",` followed by the record's own JSON fields, where
//! `sum` is SHA-256 over the previous line's sum, `seq` and the record's JSON exactly as written. The first
//! line's previous sum is derived from the run id, so a journal copied under another run is caught too.
//!
//! A line whose sum does not match was edited; a seq that does not follow is a record removed, added or moved.
//! Only bytes after the last newline (a write a crash cut short) are not a line at all.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::JournalError;
use super::record::JournalRecord;

/// Where a journal stands: the seq and sum of its last record (seq 0 and the genesis sum when empty). Audit
/// entries carry the journal's mark when they are written, so records they vouch for cannot vanish unseen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalMark {
    pub seq: u64,
    pub sum: String,
}

impl JournalMark {
    /// The mark of an empty journal of `run_id`.
    pub fn genesis(run_id: &str) -> JournalMark {
        JournalMark { seq: 0, sum: hex(&Sha256::digest(format!("escher-journal-v1:{run_id}").as_bytes())) }
    }
}

/// The line after `previous` that holds `record`, with its newline, and the mark it moves the journal to.
pub(crate) fn encode(previous: &JournalMark, record: &JournalRecord) -> Result<(Vec<u8>, JournalMark), JournalError> {
    Ok(encode_body(previous, &body(record)?))
}

/// A record's JSON, as its line holds it after the seq and sum. Writers make it on their own thread, so the
/// journal's one writer only links, writes and syncs.
pub fn body(record: &JournalRecord) -> Result<Vec<u8>, JournalError> {
    serde_json::to_vec(record).map_err(|error| JournalError::Encode(error.to_string()))
}

/// [`encode`] for a record already turned into its JSON by [`body`].
pub(crate) fn encode_body(previous: &JournalMark, body: &[u8]) -> (Vec<u8>, JournalMark) {
    let seq = previous.seq + 1;
    let sum = sum_of(&previous.sum, seq, body);
    let mut line = format!("{{\"seq\":{seq},\"sum\":\"{sum}\",").into_bytes();
    // The record is a JSON object: its fields follow the seq and sum inside the same braces.
    line.extend_from_slice(body.get(1..).unwrap_or_default());
    line.push(b'\n');
    (line, JournalMark { seq, sum })
}

/// A line (without its newline) checked against the mark before it: its record and the mark after it, or why
/// it is not the record that belongs there.
pub(crate) fn decode(previous: &JournalMark, line: &[u8]) -> Result<(JournalRecord, JournalMark), String> {
    let (seq, sum, body) = split(line)?;
    let expected = previous.seq + 1;
    if seq != expected {
        return Err(match seq > expected {
            true => {
                format!("record seq {seq} where seq {expected} belongs: records {expected} to {} are missing", seq - 1)
            }
            false => format!("record seq {seq} where seq {expected} belongs: a record was repeated or moved"),
        });
    }
    if sum_of(&previous.sum, seq, &body) != sum {
        return Err(format!("record seq {seq} does not match its checksum: it was changed after it was written"));
    }
    let record =
        serde_json::from_slice(&body).map_err(|error| format!("record seq {seq} is not a journal record: {error}"))?;
    Ok((record, JournalMark { seq, sum: sum.to_string() }))
}

/// The seq and sum a line claims, whatever the lines before it say: for a journal's last line.
pub(crate) fn claimed_mark(line: &[u8]) -> Result<JournalMark, String> {
    split(line).map(|(seq, sum, _)| JournalMark { seq, sum: sum.to_string() })
}

/// `{"seq":N,"sum":"<64 hex>",REST` into N, the sum, and the record's JSON `{REST`.
fn split(line: &[u8]) -> Result<(u64, &str, Vec<u8>), String> {
    let malformed = || "the line does not begin with its seq and checksum".to_string();
    let rest = line.strip_prefix(b"{\"seq\":").ok_or_else(malformed)?;
    let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
    let seq = std::str::from_utf8(&rest[..digits]).ok().and_then(|text| text.parse().ok()).ok_or_else(malformed)?;
    let rest = rest[digits..].strip_prefix(b",\"sum\":\"").ok_or_else(malformed)?;
    let sum = rest.get(..64).and_then(|sum| std::str::from_utf8(sum).ok()).ok_or_else(malformed)?;
    if !sum.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    let rest = rest[64..].strip_prefix(b"\",").ok_or_else(malformed)?;
    let mut body = Vec::with_capacity(rest.len() + 1);
    body.push(b'{');
    body.extend_from_slice(rest);
    Ok((seq, sum, body))
}

fn sum_of(previous: &str, seq: u64, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(format!(":{seq}:").as_bytes());
    hasher.update(body);
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resumed(second: u32) -> JournalRecord {
        JournalRecord::RunResumed { at: format!("2026-01-01T00:00:{second:02}Z") }
    }

    #[test]
    fn a_line_decodes_to_its_record_and_the_next_mark() {
        let genesis = JournalMark::genesis("r1");
        let (line, mark) = encode(&genesis, &resumed(1)).expect("encodes");
        assert!(line.starts_with(b"{\"seq\":1,\"sum\":\""), "{}", String::from_utf8_lossy(&line));
        let value: serde_json::Value = serde_json::from_slice(&line).expect("a line is JSON");
        assert_eq!(value["record"], "run_resumed");
        let (record, decoded) = decode(&genesis, &line[..line.len() - 1]).expect("decodes");
        assert_eq!((record, decoded), (resumed(1), mark));
    }

    #[test]
    fn an_edit_a_gap_and_another_runs_journal_are_each_named() {
        let genesis = JournalMark::genesis("r1");
        let (first, mark) = encode(&genesis, &resumed(1)).expect("encodes");
        let (second, _) = encode(&mark, &resumed(2)).expect("encodes");
        let edited = String::from_utf8_lossy(&first).replace(":01Z", ":09Z");
        let error = decode(&genesis, edited.trim_end().as_bytes()).expect_err("edited");
        assert!(error.contains("does not match its checksum"), "{error}");
        let error = decode(&genesis, &second[..second.len() - 1]).expect_err("a gap");
        assert!(error.contains("records 1 to 1 are missing"), "{error}");
        let error = decode(&JournalMark::genesis("r2"), &first[..first.len() - 1]).expect_err("another run");
        assert!(error.contains("checksum"), "{error}");
        assert!(decode(&genesis, b"{\"record\":\"run_resumed\",\"at\":\"x\"}").is_err(), "no seq, no record");
    }
}
