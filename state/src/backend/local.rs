//! A local directory as a store. A write goes to a temporary file in the same folder, is synced, and renamed over
//! the key (then the folder is synced), so a crash leaves the old object or the new one. Conditional writes hold
//! an exclusive lock on `.escher-store.lock` while they compare and write, so processes on this machine take
//! turns; the version is a hash of the content.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::types::{BackendError, Object, PutMode, Version};

const LOCK_FILE: &str = ".escher-store.lock";

pub(crate) struct LocalBackend {
    root: PathBuf,
}

fn other(path: &Path) -> impl Fn(io::Error) -> BackendError + '_ {
    move |error| BackendError::Other(format!("{}: {error}", path.display()))
}

pub(crate) fn content_version(bytes: &[u8]) -> Version {
    let digest = Sha256::digest(bytes);
    Version(digest.iter().take(12).map(|b| format!("{b:02x}")).collect())
}

impl LocalBackend {
    pub(crate) fn new(root: PathBuf) -> LocalBackend {
        LocalBackend { root }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    pub(crate) fn get(&self, key: &str) -> Result<Option<Object>, BackendError> {
        let path = self.path(key);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(Object { version: content_version(&bytes), bytes: Bytes::from(bytes) })),
            Err(error) if matches!(error.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => Ok(None),
            Err(error) => Err(other(&path)(error)),
        }
    }

    pub(crate) fn put(&self, key: &str, bytes: &[u8], mode: PutMode) -> Result<Version, BackendError> {
        let path = self.path(key);
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir).map_err(other(&dir))?;
        // Plain overwrites need no lock: rename replaces atomically. Conditional ones compare, then write, as one.
        let _lock = match mode {
            PutMode::Overwrite => None,
            _ => Some(self.lock()?),
        };
        match &mode {
            PutMode::Overwrite => {}
            PutMode::Create => {
                if path.exists() {
                    return Err(BackendError::Exists);
                }
            }
            PutMode::Update(expected) => match self.get(key)? {
                Some(current) if &current.version == expected => {}
                _ => return Err(BackendError::Changed),
            },
        }
        let temp = dir.join(format!(".{}.tmp-{:08x}", file_name(&path), rand::random::<u32>()));
        let written = write_synced(&temp, bytes).and_then(|()| fs::rename(&temp, &path)).and_then(|()| sync_dir(&dir));
        if let Err(error) = written {
            let _ = fs::remove_file(&temp);
            return Err(other(&path)(error));
        }
        Ok(content_version(bytes))
    }

    pub(crate) fn list(&self, prefix: &str) -> Result<Vec<String>, BackendError> {
        let mut keys = Vec::new();
        let start = self.path(prefix.trim_end_matches('/'));
        walk(&start, &mut |path| {
            if let Ok(relative) = path.strip_prefix(&self.root) {
                let key = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                if key.starts_with(prefix) {
                    keys.push(key);
                }
            }
        })
        .map_err(other(&start))?;
        Ok(keys)
    }

    pub(crate) fn delete(&self, key: &str) -> Result<(), BackendError> {
        let path = self.path(key);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(other(&path)(error)),
        }
    }

    /// The store-wide lock for conditional writes, released when the file is dropped.
    fn lock(&self) -> Result<File, BackendError> {
        let path = self.root.join(LOCK_FILE);
        fs::create_dir_all(&self.root).map_err(other(&self.root))?;
        let file = OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(other(&path))?;
        file.lock().map_err(other(&path))?;
        Ok(file)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) { File::open(dir)?.sync_all() } else { Ok(()) }
}

/// Calls `found` for every file under `dir`; hidden files (temporaries, the lock) are not keys.
fn walk(dir: &Path, found: &mut dyn FnMut(&Path)) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if matches!(error.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
            return Ok(());
        }
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, found)?;
        } else {
            found(&path);
        }
    }
    Ok(())
}
