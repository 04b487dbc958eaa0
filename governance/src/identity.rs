//! A user's identity: a name and an ed25519 key pair. The secret key lives in `<state>/identity.json`, created on
//! first use and readable by its owner only; the public key (hex) and the name are what a policy lists.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Who someone is, as files and policies name them: a display name and a public key (64 hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub name: String,
    pub key: String,
}

/// The local user's key pair (or a host's, held in memory).
#[derive(Clone)]
pub struct Identity {
    pub name: String,
    key: SigningKey,
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    name: String,
    /// The 32-byte secret key, hex.
    secret_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot read the identity in {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write a new identity to {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("the identity file {path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("the identity file {path} can be read by others (mode {mode:o}); make it owner-only: chmod 600 {path}")]
    Exposed { path: PathBuf, mode: u32 },
    #[error("no randomness from the operating system for a new key: {0}")]
    Random(String),
}

impl Identity {
    /// The file that holds the identity of a state directory.
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join("identity.json")
    }

    /// A new identity named `name`, in memory only (a host keeps it in its own secret store).
    pub fn generate(name: &str) -> Result<Identity, IdentityError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|error| IdentityError::Random(error.to_string()))?;
        Ok(Identity { name: name.to_string(), key: SigningKey::from_bytes(&secret) })
    }

    /// The identity as its file holds it (name and secret key): what a host puts in its secret store.
    pub fn to_secret_text(&self) -> String {
        let file = KeyFile { name: self.name.clone(), secret_key: hex::encode(self.key.to_bytes()) };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// An identity from [`Identity::to_secret_text`]'s text, read from a host's secret store; `shown` names where.
    pub fn from_secret_text(text: &str, shown: &Path) -> Result<Identity, IdentityError> {
        let damaged = |reason: String| IdentityError::Damaged { path: shown.to_path_buf(), reason };
        let file: KeyFile = serde_json::from_str(text).map_err(|error| damaged(error.to_string()))?;
        let bytes = hex::decode(&file.secret_key).map_err(|error| damaged(format!("secret_key: {error}")))?;
        let secret: [u8; 32] = bytes.try_into().map_err(|_| damaged("secret_key is not 32 bytes".into()))?;
        Ok(Identity { name: file.name, key: SigningKey::from_bytes(&secret) })
    }

    /// Loads the state directory's identity, or creates one named `name` on first use.
    pub fn load_or_create(state_dir: &Path, name: &str) -> Result<Identity, IdentityError> {
        let path = Identity::path(state_dir);
        if path.exists() {
            return Identity::load(&path);
        }
        let identity = Identity::generate(name)?;
        let text = identity.to_secret_text();
        match crate::files::write_owner_only(&path, text.as_bytes()) {
            Ok(()) => Ok(identity),
            // Another process created it first: theirs is the identity.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Identity::load(&path),
            Err(source) => Err(IdentityError::Write { path, source }),
        }
    }

    /// Loads an existing identity file, refusing one that others can read.
    pub fn load(path: &Path) -> Result<Identity, IdentityError> {
        check_owner_only(path)?;
        let text =
            std::fs::read_to_string(path).map_err(|source| IdentityError::Read { path: path.to_path_buf(), source })?;
        Identity::from_secret_text(&text, path)
    }

    /// An identity from a known secret (tests).
    pub fn from_secret(name: &str, secret: [u8; 32]) -> Identity {
        Identity { name: name.to_string(), key: SigningKey::from_bytes(&secret) }
    }

    /// The public key, 64 hex digits.
    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    pub fn principal(&self) -> Principal {
        Principal { name: self.name.clone(), key: self.public_key() }
    }

    /// The signature of `bytes`, 128 hex digits.
    pub fn sign(&self, bytes: &[u8]) -> String {
        hex::encode(self.key.sign(bytes).to_bytes())
    }
}

/// Checks that `signature` (hex) is `key`'s (hex) signature of `bytes`.
pub fn verify(key: &str, bytes: &[u8], signature: &str) -> Result<(), String> {
    let key: [u8; 32] = hex::decode(key)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| "the signer's key is not 64 hex digits".to_string())?;
    let key =
        VerifyingKey::from_bytes(&key).map_err(|_| "the signer's key is not an ed25519 public key".to_string())?;
    let signature: [u8; 64] = hex::decode(signature)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| "the signature is not 128 hex digits".to_string())?;
    key.verify(bytes, &Signature::from_bytes(&signature))
        .map_err(|_| "the signature does not match the signed content and the signer's key".to_string())
}

/// Whether `text` looks like a public key: 64 hex digits that decode to a curve point.
pub fn is_public_key(text: &str) -> bool {
    hex::decode(text)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .is_some_and(|bytes| VerifyingKey::from_bytes(&bytes).is_ok())
}

#[cfg(unix)]
fn check_owner_only(path: &Path) -> Result<(), IdentityError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata =
        std::fs::metadata(path).map_err(|source| IdentityError::Read { path: path.to_path_buf(), source })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(IdentityError::Exposed { path: path.to_path_buf(), mode });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_path: &Path) -> Result<(), IdentityError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_in_a_secret_store_reads_back_the_same_and_damage_is_named() {
        let identity = Identity::generate("extended-lab").expect("randomness");
        let back = Identity::from_secret_text(&identity.to_secret_text(), Path::new("/escher/lab/identity"))
            .expect("reads back");
        assert_eq!(back.principal(), identity.principal());
        let error = Identity::from_secret_text("{}", Path::new("/escher/lab/identity")).err().expect("damaged");
        assert!(error.to_string().starts_with("the identity file /escher/lab/identity is damaged"), "{error}");
    }

    #[test]
    fn a_new_identity_is_kept_owner_only_and_loads_back_the_same() {
        let dir = tempfile::tempdir().expect("temp dir");
        let created = Identity::load_or_create(dir.path(), "alice").expect("created");
        let loaded = Identity::load_or_create(dir.path(), "someone-else").expect("loaded");
        assert_eq!(created.public_key(), loaded.public_key());
        assert_eq!(loaded.name, "alice", "the name given on first use stays");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(Identity::path(dir.path())).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        Identity::load_or_create(dir.path(), "alice").expect("created");
        let path = Identity::path(dir.path());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(Identity::load(&path), Err(IdentityError::Exposed { .. })));
    }

    #[test]
    fn a_signature_verifies_only_for_its_bytes_and_its_key() {
        let alice = Identity::from_secret("alice", [1; 32]);
        let bob = Identity::from_secret("bob", [2; 32]);
        let signature = alice.sign(b"approve");
        assert_eq!(verify(&alice.public_key(), b"approve", &signature), Ok(()));
        assert!(verify(&alice.public_key(), b"approvf", &signature).is_err());
        assert!(verify(&bob.public_key(), b"approve", &signature).is_err());
        assert!(verify(&alice.public_key(), b"approve", "00").is_err());
        assert!(is_public_key(&alice.public_key()));
        assert!(!is_public_key("abc"));
    }
}
