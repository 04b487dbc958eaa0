//! A runner's audit log, anchored where the runner cannot rewrite it unseen. The log's own chain and its
//! `head.json` live in the runner's state, so the runner can rewrite a record and compute the chain and head
//! again. At the end of each governed run session the runner signs the log's head (the last record's seq and
//! hash) and files it in the shared approvals store (`audit-heads/<key>/`), never overwritten. A log rewritten
//! afterwards, or cut short, no longer holds a record with that seq and hash: `escher audit verify --anchor`
//! finds it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::approvals::{ApprovalsDir, read_all};
use crate::canonical::{AUDIT_HEAD_DOMAIN, signing_bytes};
use crate::files::{content_tag, write_new};
use crate::identity::{Identity, Principal};

/// What the signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHeadPayload {
    pub version: u32,
    pub runner: Principal,
    /// The run whose session ended with the log at this head.
    pub run_id: String,
    pub seq: u64,
    pub hash: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedAuditHead {
    pub head: AuditHeadPayload,
    pub signature: String,
}

impl SignedAuditHead {
    pub fn sign(
        runner: &Identity,
        run_id: &str,
        (seq, hash): (u64, &str),
        now: DateTime<Utc>,
    ) -> Result<SignedAuditHead, serde_json::Error> {
        let head = AuditHeadPayload {
            version: 1,
            runner: runner.principal(),
            run_id: run_id.to_string(),
            seq,
            hash: hash.to_string(),
            at: crate::clock::stamp(now),
        };
        let signature = runner.sign(&signing_bytes(AUDIT_HEAD_DOMAIN, &head)?);
        Ok(SignedAuditHead { head, signature })
    }

    /// Whether it is signed by the holder of `key`.
    pub fn signed_by(&self, key: &str) -> bool {
        self.head.runner.key == key
            && signing_bytes(AUDIT_HEAD_DOMAIN, &self.head)
                .is_ok_and(|bytes| crate::identity::verify(key, &bytes, &self.signature).is_ok())
    }
}

/// Files a signed head, named by its seq and its own content, so no file planted in advance can take its place;
/// the same head filed twice is one file. Anchors are never replaced.
pub fn anchor(dir: &ApprovalsDir, head: &SignedAuditHead) -> std::io::Result<PathBuf> {
    let mut bytes = serde_json::to_vec_pretty(head).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    let name = format!("{:012}-{}.json", head.head.seq, content_tag(&bytes));
    let path = dir.audit_heads_dir(&head.head.runner.key).join(name);
    match write_new(&path, &bytes) {
        Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => Err(error),
        _ => Ok(path),
    }
}

/// The heads anchored for the holder of `key` that it signed, oldest first, and how many files there were not
/// (unreadable, or not signed by that key).
pub fn heads_of(dir: &ApprovalsDir, key: &str) -> (Vec<SignedAuditHead>, usize) {
    let mut heads = Vec::new();
    let mut ignored = 0;
    for (_, read) in read_all::<SignedAuditHead>(&dir.audit_heads_dir(key)) {
        match read {
            Ok(head) if head.signed_by(key) => heads.push(head),
            _ => ignored += 1,
        }
    }
    heads.sort_by_key(|head| head.head.seq);
    (heads, ignored)
}

/// Checks a log, given as each record's seq and hash in order, against the heads anchored for it: every anchored
/// seq must still be in the log with the hash that was signed. Returns how many heads hold, or the first that
/// does not, in words.
pub fn check_log(heads: &[SignedAuditHead], records: &[(u64, String)]) -> Result<usize, String> {
    for signed in heads {
        let head = &signed.head;
        let anchored = format!("{} anchored seq {} at {} (run {})", head.runner.name, head.seq, head.at, head.run_id);
        match records.iter().find(|(seq, _)| *seq == head.seq) {
            Some((_, hash)) if *hash == head.hash => {}
            Some((_, hash)) => {
                return Err(format!(
                    "rewritten: record seq {} has hash {hash}, but {anchored} with hash {}",
                    head.seq, head.hash
                ));
            }
            None => {
                let end = records.last().map_or(0, |(seq, _)| *seq);
                return Err(format!("cut short: the log ends at seq {end}, but {anchored}"));
            }
        }
    }
    Ok(heads.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(hashes: &[&str]) -> Vec<(u64, String)> {
        hashes.iter().enumerate().map(|(i, hash)| (i as u64 + 1, hash.to_string())).collect()
    }

    #[test]
    fn a_log_rewritten_or_cut_short_after_its_head_was_anchored_is_caught() {
        let dir = tempfile::tempdir().expect("a directory");
        let approvals = ApprovalsDir::new(dir.path());
        let (bob, mallory) = (Identity::from_secret("bob", [2; 32]), Identity::from_secret("mallory", [4; 32]));
        let now = Utc::now();
        for (seq, hash) in [(2, "h2"), (3, "h3")] {
            anchor(&approvals, &SignedAuditHead::sign(&bob, "run-1", (seq, hash), now).expect("signs")).expect("filed");
        }
        // Another key's head under bob's folder, and a head of bob's edited after signing: neither counts.
        let planted = SignedAuditHead::sign(&mallory, "run-1", (4, "x"), now).expect("signs");
        let mut planted_path = approvals.audit_heads_dir(&bob.public_key());
        planted_path.push("000000000004.json");
        std::fs::write(&planted_path, serde_json::to_vec(&planted).expect("json")).expect("written");
        let mut edited = SignedAuditHead::sign(&bob, "run-1", (5, "h5"), now).expect("signs");
        edited.head.hash = "other".into();
        anchor(&approvals, &edited).expect("filed");

        let (heads, ignored) = heads_of(&approvals, &bob.public_key());
        assert_eq!((heads.len(), ignored), (2, 2));
        assert_eq!(check_log(&heads, &log(&["h1", "h2", "h3", "h4"])), Ok(2));
        let rewritten = check_log(&heads, &log(&["h1", "H2", "H3", "H4"])).expect_err("rewritten");
        assert!(rewritten.starts_with("rewritten: record seq 2"), "{rewritten}");
        let cut = check_log(&heads, &log(&["h1", "h2"])).expect_err("cut short");
        assert!(cut.starts_with("cut short: the log ends at seq 2, but bob anchored seq 3"), "{cut}");
        // Files planted in advance where a head would go block nothing: the head's name comes from its content.
        let next = SignedAuditHead::sign(&bob, "run-2", (4, "h4"), now).expect("signs");
        std::fs::write(approvals.audit_heads_dir(&bob.public_key()).join("000000000004.json"), b"{}").expect("planted");
        let filed = anchor(&approvals, &next).expect("filed beside it");
        assert_eq!(anchor(&approvals, &next).expect("filed again"), filed, "the same head is one file");
        assert_eq!(check_log(&heads_of(&approvals, &bob.public_key()).0, &log(&["h1", "h2", "h3", "h4"])), Ok(3));
    }
}
