//! The shared approvals directory: `requests/`, `decisions/`, `templates/`, `revocations/` and `audit-heads/`, one
//! JSON file per document, written atomically and never overwritten.

use std::path::{Path, PathBuf};

use super::decision::SignedDecision;
use super::request::SignedRequest;
use crate::files::{safe, write_new};

#[derive(Debug, Clone)]
pub struct ApprovalsDir {
    pub root: PathBuf,
}

/// A file that could not be read as what its folder holds; kept in listings so nothing is silently skipped.
pub type Read<T> = (PathBuf, Result<T, String>);

impl ApprovalsDir {
    pub fn new(root: impl Into<PathBuf>) -> ApprovalsDir {
        ApprovalsDir { root: root.into() }
    }

    pub fn requests_dir(&self) -> PathBuf {
        self.root.join("requests")
    }

    pub fn decisions_dir(&self) -> PathBuf {
        self.root.join("decisions")
    }

    pub fn templates_dir(&self) -> PathBuf {
        self.root.join("templates")
    }

    pub fn revocations_dir(&self) -> PathBuf {
        self.root.join("revocations")
    }

    /// Where the audit heads signed by the holder of `key` are anchored.
    pub fn audit_heads_dir(&self, key: &str) -> PathBuf {
        let key: String = key.chars().take(16).collect();
        self.root.join("audit-heads").join(safe(&key))
    }

    /// The store's own name, the same on every machine that reads it (a shared directory, or approvals that
    /// travel in a bucket): a random id filed once in `store-id.json`, never replaced. Approvers key their
    /// decision chains by it.
    pub fn store_id(&self) -> std::io::Result<String> {
        let path = self.root.join("store-id.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let id: serde_json::Value = serde_json::from_str(&text).map_err(std::io::Error::other)?;
            let named = id["store_id"].as_str().map(str::to_string);
            return named.ok_or_else(|| std::io::Error::other(format!("{} names no `store_id`", path.display())));
        }
        let random: [u8; 16] = rand_bytes()?;
        let id = hex::encode(random);
        match write_new(&path, &to_json(&serde_json::json!({ "store_id": id }))?) {
            Ok(()) => Ok(id),
            // Another approver named the store first: theirs is its name.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => self.store_id(),
            Err(error) => Err(error),
        }
    }

    fn prefix(run_id: &str, step: &str) -> String {
        format!("{}--{}--", safe(run_id), safe(step))
    }

    /// Writes a request; each has its own file (named by when it was made and its content), so a renewed request
    /// never replaces the one before it and no file planted in advance takes its name.
    pub fn write_request(&self, signed: &SignedRequest) -> std::io::Result<PathBuf> {
        let request = &signed.request;
        let stamp: String = request.requested_at.chars().filter(char::is_ascii_digit).collect();
        let bytes = to_json(signed)?;
        let tag = crate::files::content_tag(&bytes);
        let name = format!("{}{stamp}-{tag}.json", Self::prefix(&request.run_id, &request.step));
        let path = self.requests_dir().join(name);
        write_new(&path, &bytes)?;
        Ok(path)
    }

    /// The newest request of a run's step whose signature is its requester's, so that a file made later in its
    /// name does not hide it; if none verifies, the newest there is, for the caller to refuse by name. Whether
    /// the requester is the run's runner is for the caller to check.
    pub fn latest_request(&self, run_id: &str, step: &str) -> Option<SignedRequest> {
        let prefix = Self::prefix(run_id, step);
        let (verified, unverified): (Vec<SignedRequest>, Vec<SignedRequest>) =
            read_matching::<SignedRequest>(&self.requests_dir(), &prefix)
                .into_iter()
                .filter_map(|(_, signed)| signed.ok())
                .filter(|signed| signed.request.run_id == run_id && signed.request.step == step)
                .partition(|signed| signed.verify_signature().is_ok());
        let newest = |requests: Vec<SignedRequest>| {
            requests.into_iter().max_by(|a, b| a.request.requested_at.cmp(&b.request.requested_at))
        };
        newest(verified).or_else(|| newest(unverified))
    }

    /// Every request file, readable or not.
    pub fn requests(&self) -> Vec<Read<SignedRequest>> {
        read_all(&self.requests_dir())
    }

    /// Writes a decision under its step, its signer's key and its content (so no file planted in advance can
    /// take its name). Whether the signer already decided is for the caller to ask of the decisions filed: a
    /// person decides once, whichever of their keys signs.
    pub fn write_decision(&self, decision: &SignedDecision) -> std::io::Result<PathBuf> {
        let payload = &decision.decision;
        let key: String = payload.signer.key.chars().take(16).collect();
        let name = format!("{}{}-{}.json", Self::prefix(&payload.run_id, &payload.step), safe(&key), decision.tag());
        let path = self.decisions_dir().join(name);
        write_new(&path, &decision.to_file_bytes())?;
        Ok(path)
    }

    /// Whether the decision tagged `tag` and signed with `key` is in the store (on any run and step): a file
    /// whose name ends with the tag, whose content has that tag, signed by that key.
    pub fn holds_decision(&self, tag: &str, key: &str) -> bool {
        // Only files named with the tag are read: the store holds every decision of every run.
        let suffix = format!("-{tag}.json");
        read_where::<SignedDecision>(&self.decisions_dir(), |name| name.ends_with(&suffix)).into_iter().any(
            |(_, read)| {
                read.is_ok_and(|decision| {
                    decision.tag() == tag && decision.decision.signer.key == key && decision.verify_signature().is_ok()
                })
            },
        )
    }

    /// The decision files filed for a run's step (by file name: what they say inside is for the verifier).
    pub fn decisions_for(&self, run_id: &str, step: &str) -> Vec<Read<SignedDecision>> {
        read_matching(&self.decisions_dir(), &Self::prefix(run_id, step))
    }
}

fn rand_bytes() -> std::io::Result<[u8; 16]> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| std::io::Error::other(error.to_string()))?;
    Ok(bytes)
}

fn to_json(value: &impl serde::Serialize) -> std::io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Every `*.json` file of a folder (none if the folder does not exist yet), sorted by name.
pub fn read_all<T: serde::de::DeserializeOwned>(dir: &Path) -> Vec<Read<T>> {
    read_where(dir, |_| true)
}

/// The `*.json` files of a folder whose names start with `prefix`; only those are read.
fn read_matching<T: serde::de::DeserializeOwned>(dir: &Path, prefix: &str) -> Vec<Read<T>> {
    read_where(dir, |name| name.starts_with(prefix))
}

/// The `*.json` files of a folder (not hidden ones, which are writes in progress) whose names `keep` keeps;
/// only those are read.
fn read_where<T: serde::de::DeserializeOwned>(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<Read<T>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter(|path| !file_name(path).starts_with('.') && keep(&file_name(path)))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let read = std::fs::read_to_string(&path)
                .map_err(|error| error.to_string())
                .and_then(|text| serde_json::from_str(&text).map_err(|error| error.to_string()));
            (path, read)
        })
        .collect()
}
