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
use crate::canonical::{POLICY_DOMAIN, ROOT_DOMAIN, signing_bytes};
use crate::files::{content_tag, sha256_hex, write_new};
use crate::identity::{Identity, Principal};

/// The file that pins the root, in the state directory.
pub const ROOT_FILE: &str = "policy-root.json";

/// Whether a root is pinned in `state_dir` (whether it can be read is [`PolicyRoot::read`]'s to say).
pub fn is_pinned(state_dir: &Path) -> bool {
    state_dir.join(ROOT_FILE).exists()
}

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
    #[error(
        "a root is already pinned in {}; a new one replaces it with `escher policy rotate`, endorsed by its managers",
        .path.display()
    )]
    AlreadyPinned { path: PathBuf },
    #[error("no policy root is pinned in {}: `escher policy init` pins the first", .state.display())]
    NotPinned { state: PathBuf },
    /// The new root lacks the endorsements of the pinned root's managers.
    #[error("{0}")]
    NotEndorsed(String),
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
        parse_root(&path, text.as_bytes()).map(Some)
    }

    /// The root as a file, for pinning or as a proposal to replace the pinned one.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
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
        self.quorum(path, bytes, Endorsed::Policy).map_err(|signers| {
            format!(
                "the policy {} is signed by {} of the {} manager(s) of the pinned root that must sign it{}; \
                 `escher policy sign {}` by {} makes it take effect",
                path.display(),
                signers.len(),
                self.threshold,
                by(&signers),
                path.display(),
                self.names()
            )
        })
    }

    /// Replaces the root pinned in `state_dir` with the one in the file `path`, which `threshold` of the pinned
    /// root's managers must have endorsed (`escher policy sign` on it): whoever holds the state cannot choose
    /// the managers, and the managers can change them.
    pub fn rotate(state_dir: &Path, path: &Path) -> Result<PolicyRoot, PinError> {
        let pinned =
            PolicyRoot::read(state_dir)?.ok_or_else(|| PinError::NotPinned { state: state_dir.to_path_buf() })?;
        let bytes = std::fs::read(path).map_err(|source| PinError::File { path: path.to_path_buf(), source })?;
        let proposed = parse_root(path, &bytes)?;
        pinned.quorum(path, &bytes, Endorsed::Root).map_err(|signers| {
            PinError::NotEndorsed(format!(
                "the new root {} is endorsed by {} of the {} manager(s) of the pinned root that must endorse it{}; \
                 `escher policy sign {}` by {} does it",
                path.display(),
                signers.len(),
                pinned.threshold,
                by(&signers),
                path.display(),
                pinned.names()
            ))
        })?;
        let target = state_dir.join(ROOT_FILE);
        let temp = state_dir.join(format!(".{ROOT_FILE}.{}.tmp", std::process::id()));
        std::fs::write(&temp, &bytes)
            .and_then(|()| std::fs::rename(&temp, &target))
            .map_err(|source| PinError::File { path: target, source })?;
        Ok(proposed)
    }

    /// The root's managers (by name) whose valid signatures of `endorsed` over `bytes` lie beside `path`, when
    /// they are at least `threshold`; otherwise those there are.
    fn quorum<'a>(&'a self, path: &Path, bytes: &[u8], endorsed: Endorsed) -> Result<usize, BTreeSet<&'a str>> {
        let digest = sha256_hex(bytes);
        let signers: BTreeSet<&str> = signatures_of(path)
            .iter()
            .filter(|signed| signed.signs(&digest, endorsed))
            .filter_map(|signed| {
                let key = &signed.policy.signer.key;
                self.managers.iter().find(|manager| &manager.key == key).map(|manager| manager.name.as_str())
            })
            .collect();
        if signers.len() >= self.threshold as usize { Ok(signers.len()) } else { Err(signers) }
    }

    fn names(&self) -> String {
        join(&self.managers.iter().map(|manager| manager.name.as_str()).collect())
    }
}

/// What a manager's signature endorses. Each has its own signing domain, so a signature of one is never taken
/// for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endorsed {
    /// A policy file, to take effect under the pinned root.
    Policy,
    /// A new root, to replace the pinned one.
    Root,
}

impl Endorsed {
    /// What a file's `bytes` hold: a root (JSON, as `policy init --out` writes it) or a policy.
    pub fn of(bytes: &[u8]) -> Endorsed {
        match serde_json::from_slice::<PolicyRoot>(bytes) {
            Ok(_) => Endorsed::Root,
            Err(_) => Endorsed::Policy,
        }
    }

    fn domain(self) -> &'static str {
        match self {
            Endorsed::Policy => POLICY_DOMAIN,
            Endorsed::Root => ROOT_DOMAIN,
        }
    }
}

fn parse_root(path: &Path, bytes: &[u8]) -> Result<PolicyRoot, PinError> {
    let damaged = |reason: String| PinError::Damaged { path: path.to_path_buf(), reason };
    let root: PolicyRoot = serde_json::from_slice(bytes).map_err(|error| damaged(error.to_string()))?;
    PolicyRoot::new(root.managers, root.threshold).map_err(|error| damaged(error.to_string()))
}

fn by(signers: &BTreeSet<&str>) -> String {
    if signers.is_empty() { String::new() } else { format!(" (by {})", join(signers)) }
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
        SignedPolicy::endorse(Endorsed::Policy, signer, bytes, now)
    }

    /// `signer`'s endorsement of the policy or root whose bytes are `bytes`.
    pub fn endorse(
        endorsed: Endorsed,
        signer: &Identity,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<SignedPolicy, serde_json::Error> {
        let policy = PolicySignaturePayload {
            version: 1,
            policy_sha256: sha256_hex(bytes),
            signer: signer.principal(),
            signed_at: crate::clock::stamp(now),
        };
        let signature = signer.sign(&signing_bytes(endorsed.domain(), &policy)?);
        Ok(SignedPolicy { policy, signature })
    }

    /// Whether this is a valid endorsement of `endorsed` whose digest is `digest`.
    fn signs(&self, digest: &str, endorsed: Endorsed) -> bool {
        self.policy.policy_sha256 == digest
            && signing_bytes(endorsed.domain(), &self.policy)
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

    #[test]
    fn a_new_root_replaces_the_pinned_one_only_with_the_pinned_managers_endorsement() {
        let dir = tempfile::tempdir().expect("a directory");
        let (alice, carol) = (Identity::from_secret("alice", [1; 32]), Identity::from_secret("carol", [3; 32]));
        PolicyRoot::new(vec![alice.principal()], 1).expect("a root").pin(dir.path()).expect("pinned");
        let proposed = PolicyRoot::new(vec![carol.principal()], 1).expect("a root");
        let path = dir.path().join("new-root.json");
        std::fs::write(&path, proposed.to_bytes()).expect("proposed");
        let now = Utc::now();

        // Carol endorses her own root, and alice signs it as if it were a policy: neither counts.
        file_signature(
            &path,
            &SignedPolicy::endorse(Endorsed::Root, &carol, &proposed.to_bytes(), now).expect("signs"),
        )
        .expect("filed");
        file_signature(&path, &SignedPolicy::sign(&alice, &proposed.to_bytes(), now).expect("signs")).expect("filed");
        let refused = PolicyRoot::rotate(dir.path(), &path).expect_err("not endorsed");
        assert!(refused.to_string().contains("endorsed by 0 of the 1"), "{refused}");

        file_signature(
            &path,
            &SignedPolicy::endorse(Endorsed::Root, &alice, &proposed.to_bytes(), now).expect("signs"),
        )
        .expect("filed");
        assert_eq!(PolicyRoot::rotate(dir.path(), &path).expect("rotated"), proposed);
        assert_eq!(PolicyRoot::read(dir.path()).expect("reads"), Some(proposed));
        assert_eq!(Endorsed::of(&std::fs::read(&path).expect("reads")), Endorsed::Root);
        assert_eq!(Endorsed::of(b"self_approval = false\n"), Endorsed::Policy);
    }
}
