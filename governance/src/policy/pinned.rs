//! A root of trust for the policy, pinned in the state: the managers' keys and how many of them must sign a
//! policy for it to take effect. Once a root is pinned, the policy a run uses (whichever file `--policy`,
//! `ESCHER_POLICY` or `<state>/policy.toml` names) must carry signatures of that many of the root's managers over
//! its exact bytes, and there is no falling back to the built-in policy: the runner cannot choose his own rules
//! by editing, replacing or removing the file.
//!
//! The root lives at `<state>/policy-root.json`; each manager's signature of a policy file lives beside it, in
//! `<policy file>.signatures/`, one file each (named by its content, so none can be blocked).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::approvals::read_all;
use crate::canonical::{POLICY_DOMAIN, signing_bytes};
use crate::files::{content_tag, write_new};
use crate::identity::{Identity, Principal};

/// The file that pins the root, in the state directory.
pub const ROOT_FILE: &str = "policy-root.json";

/// The managers whose signatures make a policy take effect, and how many must sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRoot {
    pub version: u32,
    pub managers: Vec<Principal>,
    pub threshold: u32,
}

/// Why a root cannot be pinned or read, or a policy does not take effect under it.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("cannot read or write {}: {source}", .path.display())]
    File { path: PathBuf, source: std::io::Error },
    #[error("{} is not a policy root: {reason}", .path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error("a root is already pinned in {}; replacing it needs its managers (not supported yet)", .path.display())]
    AlreadyPinned { path: PathBuf },
    #[error("a root needs at least one manager and a threshold from 1 to their number (got {threshold} of {managers})")]
    Threshold { threshold: u32, managers: usize },
}

impl PolicyRoot {
    pub fn new(managers: Vec<Principal>, threshold: u32) -> Result<PolicyRoot, PinError> {
        let people: BTreeSet<&str> = managers.iter().map(|manager| manager.name.as_str()).collect();
        if threshold == 0 || threshold as usize > people.len() {
            return Err(PinError::Threshold { threshold, managers: people.len() });
        }
        Ok(PolicyRoot { version: 1, managers, threshold })
    }

    /// The root pinned in `state_dir`, if one is.
    pub fn read(state_dir: &Path) -> Result<Option<PolicyRoot>, PinError> {
        let path = state_dir.join(ROOT_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(PinError::File { path, source }),
        };
        let root: PolicyRoot = serde_json::from_str(&text)
            .map_err(|error| PinError::Damaged { path: path.clone(), reason: error.to_string() })?;
        PolicyRoot::new(root.managers, root.threshold)
            .map(Some)
            .map_err(|error| PinError::Damaged { path, reason: error.to_string() })
    }

    /// Pins this root in `state_dir`. A root already pinned stays: replacing it would let whoever holds the state
    /// choose the managers.
    pub fn pin(&self, state_dir: &Path) -> Result<PathBuf, PinError> {
        let path = state_dir.join(ROOT_FILE);
        let mut bytes = serde_json::to_vec_pretty(self)
            .map_err(|error| PinError::Damaged { path: path.clone(), reason: error.to_string() })?;
        bytes.push(b'\n');
        match write_new(&path, &bytes) {
            Ok(()) => Ok(path),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(PinError::AlreadyPinned { path }),
            Err(source) => Err(PinError::File { path, source }),
        }
    }

    /// Whether the policy text `bytes`, read from `path`, carries signatures of `threshold` of the root's
    /// managers (people, by name), each over its exact bytes. The count signed, or why it does not take effect.
    pub fn check_signed(&self, path: &Path, bytes: &[u8]) -> Result<usize, String> {
        let digest = digest(bytes);
        let signers: BTreeSet<&str> = signatures_of(path)
            .iter()
            .filter(|signed| signed.signs(&digest))
            .filter_map(|signed| {
                let key = &signed.policy.signer.key;
                self.managers.iter().find(|manager| &manager.key == key).map(|manager| manager.name.as_str())
            })
            .collect();
        let need = self.threshold as usize;
        if signers.len() >= need {
            return Ok(signers.len());
        }
        let by = if signers.is_empty() { String::new() } else { format!(" (by {})", join(&signers)) };
        let managers: BTreeSet<&str> = self.managers.iter().map(|manager| manager.name.as_str()).collect();
        Err(format!(
            "the policy {} is signed by {} of the {need} manager(s) of the pinned root that must sign it{by}; \
             `escher policy sign {}` by {} makes it take effect",
            path.display(),
            signers.len(),
            path.display(),
            join(&managers)
        ))
    }
}

/// What a manager's signature of a policy covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySignaturePayload {
    pub version: u32,
    /// SHA-256 of the policy file's bytes, lowercase hex.
    pub policy_sha256: String,
    pub signer: Principal,
    pub signed_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPolicy {
    pub policy: PolicySignaturePayload,
    pub signature: String,
}

impl SignedPolicy {
    /// `signer`'s signature of the policy whose bytes are `bytes`.
    pub fn sign(signer: &Identity, bytes: &[u8], now: DateTime<Utc>) -> Result<SignedPolicy, serde_json::Error> {
        let policy = PolicySignaturePayload {
            version: 1,
            policy_sha256: digest(bytes),
            signer: signer.principal(),
            signed_at: crate::clock::stamp(now),
        };
        let signature = signer.sign(&signing_bytes(POLICY_DOMAIN, &policy)?);
        Ok(SignedPolicy { policy, signature })
    }

    /// Whether this is a valid signature of the policy whose digest is `digest`.
    fn signs(&self, digest: &str) -> bool {
        self.policy.policy_sha256 == digest
            && signing_bytes(POLICY_DOMAIN, &self.policy)
                .is_ok_and(|bytes| crate::identity::verify(&self.policy.signer.key, &bytes, &self.signature).is_ok())
    }
}

/// Where the signatures of the policy file `path` are kept.
pub fn signatures_dir(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".signatures");
    path.with_file_name(name)
}

/// Files a signature beside the policy it signs.
pub fn file_signature(path: &Path, signed: &SignedPolicy) -> std::io::Result<PathBuf> {
    let mut bytes = serde_json::to_vec_pretty(signed).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    let key: String = signed.policy.signer.key.chars().take(16).collect();
    let file = signatures_dir(path).join(format!("{key}-{}.json", content_tag(&bytes)));
    match write_new(&file, &bytes) {
        Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => Err(error),
        _ => Ok(file),
    }
}

fn signatures_of(path: &Path) -> Vec<SignedPolicy> {
    read_all::<SignedPolicy>(&signatures_dir(path)).into_iter().filter_map(|(_, read)| read.ok()).collect()
}

fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

fn join(names: &BTreeSet<&str>) -> String {
    names.iter().copied().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_takes_effect_only_with_a_quorum_of_the_roots_managers_over_its_exact_bytes() {
        let dir = tempfile::tempdir().expect("a directory");
        let (alice, carol, bob) = (
            Identity::from_secret("alice", [1; 32]),
            Identity::from_secret("carol", [3; 32]),
            Identity::from_secret("bob", [2; 32]),
        );
        let root = PolicyRoot::new(vec![alice.principal(), carol.principal()], 2).expect("a root");
        root.pin(dir.path()).expect("pinned");
        assert!(matches!(PolicyRoot::new(Vec::new(), 1), Err(PinError::Threshold { .. })));
        assert!(matches!(root.pin(dir.path()), Err(PinError::AlreadyPinned { .. })), "a root is pinned once");
        assert_eq!(PolicyRoot::read(dir.path()).expect("reads"), Some(root.clone()));

        let path = dir.path().join("policy.toml");
        let text = b"self_approval = false\n";
        std::fs::write(&path, text).expect("the policy");
        let now = Utc::now();
        let none = root.check_signed(&path, text).expect_err("unsigned");
        assert!(none.contains("signed by 0 of the 2"), "{none}");
        file_signature(&path, &SignedPolicy::sign(&alice, text, now).expect("signs")).expect("filed");
        // The executor's signature, and alice's of another text, count for nothing.
        file_signature(&path, &SignedPolicy::sign(&bob, text, now).expect("signs")).expect("filed");
        file_signature(&path, &SignedPolicy::sign(&carol, b"self_approval = true\n", now).expect("signs"))
            .expect("filed");
        let one = root.check_signed(&path, text).expect_err("one of two");
        assert!(one.contains("signed by 1 of the 2") && one.contains("(by alice)"), "{one}");
        file_signature(&path, &SignedPolicy::sign(&carol, text, now).expect("signs")).expect("filed");
        assert_eq!(root.check_signed(&path, text), Ok(2));
        // Edited after signing: nobody signed these bytes.
        let edited = b"self_approval = true\n";
        assert!(root.check_signed(&path, edited).expect_err("edited").contains("signed by 1 of the 2"));
    }
}
