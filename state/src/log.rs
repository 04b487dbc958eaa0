//! Append-only logs (journals, the audit log) on stores without append. A log at key `K` is either one object
//! `K` that only grows (a local directory, which can append and sync) or numbered create-only segments
//! `K.segments/<byte offset, 20 digits>`, whose concatenation in offset order is the log. A segment is written
//! once with [`PutMode::Create`] and never replaced, so what was committed stays; a gap between segments is an
//! error, never skipped.

use bytes::{Bytes, BytesMut};

use crate::backend::PutMode;
use crate::{Store, StoreError};

pub const SEGMENTS: &str = ".segments/";

pub fn segment_key(log: &str, offset: u64) -> String {
    format!("{log}{SEGMENTS}{offset:020}")
}

/// The log whose segment this key is, and the segment's offset.
pub fn parse_segment_key(key: &str) -> Option<(&str, u64)> {
    let (log, offset) = key.rsplit_once(SEGMENTS)?;
    (offset.len() == 20).then(|| offset.parse().ok().map(|offset| (log, offset))).flatten()
}

/// The segments of a log, by offset.
pub async fn segments(store: &Store, log: &str) -> Result<Vec<u64>, StoreError> {
    let prefix = format!("{log}{SEGMENTS}");
    let keys = store.list(&prefix).await?;
    let mut offsets: Vec<u64> =
        keys.iter().filter_map(|key| parse_segment_key(key).map(|(_, offset)| offset)).collect();
    offsets.sort_unstable();
    Ok(offsets)
}

/// The whole log: its segments joined, or else its single object; empty if neither exists.
pub async fn read_log(store: &Store, log: &str) -> Result<Bytes, StoreError> {
    let offsets = segments(store, log).await?;
    if offsets.is_empty() {
        return Ok(store.get(log).await?.map(|object| object.bytes).unwrap_or_default());
    }
    let mut joined = BytesMut::new();
    for offset in offsets {
        let key = segment_key(log, offset);
        if offset != joined.len() as u64 {
            return Err(StoreError::Corrupt {
                url: store.url().to_string(),
                key,
                message: format!("the log's segments end at byte {} but this one starts at {offset}", joined.len()),
            });
        }
        let object = store
            .get(&key)
            .await?
            .ok_or_else(|| StoreError::NotFound { url: store.url().to_string(), key: key.clone() })?;
        joined.extend_from_slice(&object.bytes);
    }
    Ok(joined.freeze())
}

/// The length of a segmented log: where its next segment starts.
pub async fn segmented_len(store: &Store, log: &str) -> Result<u64, StoreError> {
    let offsets = segments(store, log).await?;
    let Some(&last) = offsets.last() else { return Ok(0) };
    let object = store.get(&segment_key(log, last)).await?;
    Ok(last + object.map_or(0, |object| object.bytes.len() as u64))
}

/// Appends `bytes` as the segment at `offset`. Fails with [`StoreError::AlreadyExists`] when another writer
/// already wrote there: the log is never overwritten.
pub async fn append_segment(store: &Store, log: &str, offset: u64, bytes: Bytes) -> Result<u64, StoreError> {
    let len = bytes.len() as u64;
    store.put(&segment_key(log, offset), bytes, PutMode::Create).await?;
    Ok(offset + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_keys_sort_by_offset_and_parse_back() {
        assert_eq!(segment_key("audit/audit.jsonl", 42), "audit/audit.jsonl.segments/00000000000000000042");
        assert_eq!(
            parse_segment_key("runs/a/journal.jsonl.segments/00000000000000001000"),
            Some(("runs/a/journal.jsonl", 1000))
        );
        assert_eq!(parse_segment_key("runs/a/journal.jsonl"), None);
        assert!(segment_key("l", 9) < segment_key("l", 10));
    }
}
