//! The chain's hash: SHA-256, lowercase hex, over the canonical JSON of `{seq, prev_hash, entry}`.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::entry::{AuditEntry, ChainedEntry};
use super::error::AuditError;

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash a record with this place in the chain and this entry must carry.
pub fn record_hash(seq: u64, prev_hash: &str, entry: &AuditEntry) -> Result<String, AuditError> {
    let entry = serde_json::to_value(entry).map_err(|error| AuditError::Encode(error.to_string()))?;
    let hashed = serde_json::json!({ "seq": seq, "prev_hash": prev_hash, "entry": entry });
    let digest = Sha256::digest(canonical_json(&hashed).as_bytes());
    Ok(digest.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Whether a stored record's hash is the one its content gives.
pub(crate) fn hash_matches(record: &ChainedEntry) -> bool {
    record_hash(record.seq, &record.prev_hash, &record.entry).is_ok_and(|hash| hash == record.hash)
}

/// Compact JSON with every object's keys sorted. serde_json sorts them already unless some crate in the build
/// turns on `preserve_order`; sorting here keeps old hashes valid if that ever happens.
pub(crate) fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut fields: Vec<_> = map.iter().collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, field)) in fields.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(field, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_and_has_no_spaces() {
        let value = serde_json::json!({ "b": [ { "z": 1, "a": "x\"y" } ], "a": null });
        assert_eq!(canonical_json(&value), r#"{"a":null,"b":[{"a":"x\"y","z":1}]}"#);
    }

    #[test]
    fn the_hash_is_sha256_of_the_canonical_seq_prev_hash_and_entry() {
        let entry = AuditEntry {
            at: "2025-01-06T20:00:00Z".into(),
            who: "ana".into(),
            role: "executor".into(),
            run_id: "20250106T200000Z-00beef".into(),
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
        let canonical = format!(
            "{{\"entry\":{{\"action\":null,\"approval\":null,\"at\":\"2025-01-06T20:00:00Z\",\"kind\":\"run.started\",\
             \"plan_hash\":\"abc\",\"result\":\"started\",\"role\":\"executor\",\"run_id\":\"20250106T200000Z-00beef\",\
             \"step\":null,\"targets\":[],\"who\":\"ana\"}},\"prev_hash\":\"{GENESIS_HASH}\",\"seq\":1}}"
        );
        let expected: String = Sha256::digest(canonical.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(record_hash(1, GENESIS_HASH, &entry).expect("hashable"), expected);
        assert_ne!(record_hash(2, GENESIS_HASH, &entry).expect("hashable"), expected);
    }
}
