//! The estate saved as it changes, so that it outlives a crash of the process running on it the way a real
//! cloud's does, at a cost that follows the changes rather than the estate's size.
//!
//! Two files: the estate file, written whole (temporary file, sync, rename, directory sync), and beside it a
//! change log, `<file>.changes.jsonl`, that each save appends one line to, holding only the resources that
//! changed since the last one, then syncs. The log's first line names the whole file it follows by its SHA-256:
//!
//! ```text
//! {"base":"<sha-256 of the estate file>"}
//! {"serial":12,"put":[{"kind":"aws.ec2.Instance","id":"i-0…",…}],"removed":["snap-0…"]}
//! ```
//!
//! A reader ([`crate::Sim::from_file`]) applies the log when its base is the file beside it. A log whose base is
//! another file is one the whole file has since replaced (a save wrote it whole and died before starting the
//! new log), and is left unread. Only the last line may be incomplete: a save that died while writing it had not
//! answered yet. Any other line that does not read is damage, and loading fails naming the file and the line.
//! The file is written whole again when the log outgrows it, and by [`SavedEstate::finish`], which removes the
//! log.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::change_log::{Base, change_log_path, sha256};
use crate::error::LoadError;
use crate::estate::file::JsonCache;
use crate::record::{self, Record};
use crate::sim::Sim;

/// An estate file kept up to date with a simulator: see the module's documentation.
pub struct SavedEstate {
    path: PathBuf,
    log_path: PathBuf,
    /// The log, open for appending, once the whole file it follows is written.
    log: Option<File>,
    /// What the file and its log hold now, by id: the simulator's own records, so that a record that changed
    /// since (copy-on-write) is told from one that did not by its pointer.
    held: HashMap<String, Arc<Record>>,
    serial: u64,
    whole_len: usize,
    log_len: usize,
    json: JsonCache,
}

#[derive(Serialize)]
struct ChangesOut<'a> {
    serial: u64,
    put: Vec<Compact<'a>>,
    removed: Vec<&'a str>,
}

/// A record as one line holds it.
struct Compact<'a>(&'a Record);

impl Serialize for Compact<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter())
    }
}

impl SavedEstate {
    /// Nothing is written until the first [`SavedEstate::save`], which writes the whole file.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        SavedEstate {
            log_path: change_log_path(&path),
            path,
            log: None,
            held: HashMap::new(),
            serial: 0,
            whole_len: 0,
            log_len: 0,
            json: JsonCache::default(),
        }
    }

    /// Makes the files hold the simulator's estate as it is now, durably: one line of changes, or the whole
    /// file when none is written yet or the log has outgrown it. Returns whether anything was written.
    pub fn save(&mut self, sim: &Sim) -> Result<bool, LoadError> {
        if self.log.is_none() || self.log_len > self.whole_len {
            self.write_whole(sim)?;
            return Ok(true);
        }
        let (kinds, serial) = sim.settled_resources();
        let put: Vec<&Arc<Record>> = kinds
            .values()
            .flat_map(|by_id| by_id.values())
            .filter(|resource| !self.held.get(record::id(resource)).is_some_and(|held| Arc::ptr_eq(held, resource)))
            .collect();
        let removed: Vec<String> = self
            .held
            .iter()
            .filter(|(id, held)| !kinds.get(record::kind(held)).is_some_and(|by_id| by_id.contains_key(*id)))
            .map(|(id, _)| id.clone())
            .collect();
        if put.is_empty() && removed.is_empty() && serial == self.serial {
            return Ok(false);
        }
        let removed_ids = removed.iter().map(String::as_str).collect();
        let line = ChangesOut { serial, put: put.iter().map(|r| Compact(r)).collect(), removed: removed_ids };
        let mut text = serde_json::to_string(&line)?;
        text.push('\n');
        let io = |source| LoadError::Io { path: self.log_path.clone(), source };
        let log = self.log.as_mut().ok_or_else(|| io(std::io::Error::other("the change log is not open")))?;
        log.write_all(text.as_bytes()).and_then(|()| log.sync_data()).map_err(io)?;
        self.log_len += text.len();
        for id in &removed {
            self.held.remove(id);
        }
        for resource in put {
            self.held.insert(record::id(resource).to_string(), Arc::clone(resource));
        }
        self.serial = serial;
        Ok(true)
    }

    /// Writes the whole file and removes the change log: what a run that ends leaves behind.
    pub fn finish(&mut self, sim: &Sim) -> Result<(), LoadError> {
        self.write_whole(sim)?;
        self.log = None;
        std::fs::remove_file(&self.log_path)
            .and_then(|()| sync_directory(&self.path))
            .map_err(|source| LoadError::Io { path: self.log_path.clone(), source })
    }

    /// The whole file, then a new log that names it. A crash between the two leaves the old log, whose base is
    /// no longer the file, so it is left unread.
    fn write_whole(&mut self, sim: &Sim) -> Result<(), LoadError> {
        let estate = sim.settled_estate();
        let text = estate.to_json_cached(&mut self.json);
        write_durably(&self.path, text.as_bytes())?;
        let mut base = serde_json::to_string(&Base { base: sha256(text.as_bytes()) })?;
        base.push('\n');
        write_durably(&self.log_path, base.as_bytes())?;
        let log = OpenOptions::new()
            .append(true)
            .open(&self.log_path)
            .map_err(|source| LoadError::Io { path: self.log_path.clone(), source })?;
        self.held =
            estate.share().values().flat_map(|by_id| by_id.iter()).map(|(id, r)| (id.clone(), r.clone())).collect();
        self.serial = estate.serial();
        self.whole_len = text.len();
        self.log_len = base.len();
        self.log = Some(log);
        Ok(())
    }
}

/// Replaces `path` with `bytes` so that a crash leaves the old file or the new one, synced.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), LoadError> {
    let io = |source| LoadError::Io { path: path.to_path_buf(), source };
    let mut name = path.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let mut file = File::create(&tmp).map_err(io)?;
    file.write_all(bytes).and_then(|()| file.sync_data()).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    sync_directory(path).map_err(io)
}

/// Makes a rename or removal in `path`'s directory durable.
fn sync_directory(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}
