//! Copying the audit log to a store without append (the user's bucket). The log and its anchor travel as two
//! objects, so a copy must never hold a log that its anchor does not vouch for. A copier keeps the pair in step
//! the way the local writer does: it takes only the part of the log the anchor vouches for, and moves the
//! copy's anchor with a pending end first ([`anchor_json`]), then the log, then the settled anchor. A crash at
//! any point leaves a pair that [`AuditLog::open`](super::AuditLog::open) and [`verify`](super::verify) accept.

use super::anchor::{Anchor, Pending};
use super::entry::ChainedEntry;
use super::stored::parse_record;

/// How many bytes of `log` the anchor `anchor` (the bytes of `audit/head.json`; empty for none) vouches for:
/// up to its pending end if the log holds that record, else up to the record it names. An error when the anchor
/// cannot be read or the log does not hold the record it names.
pub fn vouched_len(anchor: &[u8], log: &[u8]) -> Result<usize, String> {
    let anchor = if anchor.iter().all(u8::is_ascii_whitespace) {
        Anchor::genesis()
    } else {
        serde_json::from_slice::<Anchor>(anchor).map_err(|error| format!("the anchor is unreadable: {error}"))?
    };
    let mut end = complete_len(log);
    // From the end back: the records past the anchored one are those of at most one pending group.
    while end > 0 {
        let (start, record) = record_ending_at(log, end)?;
        let named = |seq: u64, hash: &str| record.seq == seq && record.hash == hash;
        if anchor.pending.as_ref().is_some_and(|pending| named(pending.seq, &pending.hash))
            || named(anchor.seq, &anchor.hash)
        {
            return Ok(end);
        }
        if record.seq < anchor.seq {
            break;
        }
        end = start;
    }
    if anchor.seq == 0 {
        return Ok(0);
    }
    Err(format!("the log does not hold the record its anchor names (seq {})", anchor.seq))
}

/// The anchor (as `audit/head.json` holds it) of the log's first `len` bytes, which end after a complete record
/// or are empty; with `pending_len`, the end a coming append will reach, as a pending end.
pub fn anchor_json(log: &[u8], len: usize, pending_len: Option<usize>) -> Result<Vec<u8>, String> {
    let mut anchor = naming_end(log, len)?;
    if let Some(pending_len) = pending_len {
        let pending = naming_end(log, pending_len)?;
        anchor.pending = Some(Pending { seq: pending.seq, hash: pending.hash });
    }
    serde_json::to_vec(&anchor).map_err(|error| error.to_string())
}

/// The anchor naming the record that ends at byte `len` of `log` (genesis for none).
fn naming_end(log: &[u8], len: usize) -> Result<Anchor, String> {
    if len == 0 {
        return Ok(Anchor::genesis());
    }
    if len > log.len() || log[len - 1] != b'\n' {
        return Err(format!("byte {len} is not the end of a record"));
    }
    let (_, record) = record_ending_at(log, len)?;
    Ok(Anchor::at(record.seq, record.hash))
}

/// The record whose line ends at byte `end` (just past its newline), and where that line starts.
fn record_ending_at(log: &[u8], end: usize) -> Result<(usize, ChainedEntry), String> {
    let start = log[..end - 1].iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1);
    let record = parse_record(&log[start..end - 1]).map_err(|reason| format!("a record is unreadable: {reason}"))?;
    Ok((start, record))
}

fn complete_len(log: &[u8]) -> usize {
    log.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::entry::AuditEntry;
    use crate::audit::log::AuditLog;

    /// A state directory whose audit log holds `records` records, with its log and anchor bytes.
    fn log_of(records: usize) -> (tempfile::TempDir, Vec<u8>, Vec<u8>) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut log = AuditLog::open(dir.path()).expect("opens");
        for i in 0..records {
            let entry = AuditEntry {
                at: "2026-11-24T12:00:00Z".into(),
                who: "tester".into(),
                role: "executor".into(),
                run_id: format!("r{i}"),
                plan_hash: "abc".into(),
                kind: "run.started".into(),
                step: None,
                action: None,
                targets: vec![],
                approval: None,
                journal: None,
                result: "started".into(),
                policy: None,
            };
            log.append(entry).expect("appends");
        }
        let bytes = std::fs::read(dir.path().join("audit/audit.jsonl")).expect("the log");
        let anchor = std::fs::read(dir.path().join("audit/head.json")).expect("the anchor");
        (dir, bytes, anchor)
    }

    fn ends(log: &[u8]) -> Vec<usize> {
        log.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1).collect()
    }

    #[test]
    fn an_anchor_vouches_for_the_log_up_to_its_record_and_no_further() {
        let (_dir, log, anchor) = log_of(3);
        assert_eq!(vouched_len(&anchor, &log), Ok(log.len()));
        assert_eq!(vouched_len(b"", b""), Ok(0));
        // The anchor of two records, over a log of three: the third is not vouched for.
        let two = anchor_json(&log, ends(&log)[1], None).expect("an anchor");
        assert_eq!(vouched_len(&two, &log), Ok(ends(&log)[1]));
        // Over a log of one, it names a record the log does not hold.
        let error = vouched_len(&two, &log[..ends(&log)[0]]).expect_err("not held");
        assert!(error.contains("seq 2"), "{error}");
    }

    #[test]
    fn a_pending_end_is_vouched_for_once_the_log_reaches_it() {
        let (dir, log, _) = log_of(3);
        let pending = anchor_json(&log, ends(&log)[0], Some(log.len())).expect("an anchor");
        assert_eq!(vouched_len(&pending, &log[..ends(&log)[0]]), Ok(ends(&log)[0]), "not yet reached");
        assert_eq!(vouched_len(&pending, &log), Ok(log.len()), "reached");
        // The local writer reads a pending anchor the same way: the pair opens and verifies.
        std::fs::write(dir.path().join("audit/head.json"), &pending).expect("write the anchor");
        assert!(crate::audit::verify::verify(dir.path()).expect("verifies").is_intact());
        assert!(AuditLog::open(dir.path()).is_ok());
    }
}
