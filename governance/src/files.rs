//! Writing shared files: atomically (a temporary file, then a link to the final name) and never over an
//! existing file, so a reader sees a whole file or none and nobody's decision replaces another's.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path`, failing with `AlreadyExists` if the file is there.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    // A hard link fails if the target exists, where a rename would replace it.
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    linked?;
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Writes a new file only its owner can read (a private key), failing with `AlreadyExists` if it is there.
#[cfg(unix)]
pub fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Writes a new file (no owner-only mode on this platform), failing with `AlreadyExists` if it is there.
#[cfg(not(unix))]
pub fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    write_new(path, bytes)
}

/// The part of a document's file name that comes from its content: the first 16 hex digits of its SHA-256.
/// A name anyone can work out in advance (a signer's key, a template's name) could be taken by a file planted
/// there first, blocking the document; with this in it, only the document itself has its name.
pub fn content_tag(bytes: &[u8]) -> String {
    sha256_hex(bytes)[..16].to_string()
}

/// SHA-256 of `bytes`, lowercase hex: how a file's exact content is named (a policy's hash, a signed digest).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// File-name-safe form of a step id or run id (`call.step[0]` becomes `call.step_0_`).
pub fn safe(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_never_replaced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.json");
        write_new(&path, b"first").expect("first write");
        let error = write_new(&path, b"second").expect_err("second write is refused");
        assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).expect("read"), b"first");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }
}
