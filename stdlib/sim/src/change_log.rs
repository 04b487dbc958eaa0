//! Reading the change log an estate file may have beside it (`<file>.changes.jsonl`, written by
//! [`crate::SavedEstate`]; its module says what the log holds and when it is read).

use std::path::{Path, PathBuf};

use escher_compiler::plan::Value;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{LoadError, Problem};
use crate::estate::Estate;
use crate::record;

/// The change log beside an estate file.
pub fn change_log_path(estate: &Path) -> PathBuf {
    let mut name = estate.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".changes.jsonl");
    estate.with_file_name(name)
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Base {
    pub(crate) base: String,
}

#[derive(Deserialize)]
struct ChangesIn {
    serial: u64,
    #[serde(default)]
    put: Vec<Value>,
    #[serde(default)]
    removed: Vec<String>,
}

/// Applies the change log beside `path` (read as `text`) to `estate`, if it follows that file.
pub(crate) fn apply_change_log(path: &Path, text: &str, estate: &mut Estate) -> Result<(), LoadError> {
    let log_path = change_log_path(path);
    let log = match std::fs::read_to_string(&log_path) {
        Ok(log) => log,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(LoadError::Io { path: log_path, source }),
    };
    let damaged = |line: usize, message: String| LoadError::ChangeLog { path: log_path.clone(), line, message };
    let mut lines = log.split_inclusive('\n').enumerate().map(|(i, line)| (i + 1, line));
    let Some((_, first)) = lines.next() else { return Ok(()) };
    match serde_json::from_str::<Base>(first.trim_end()) {
        Ok(base) if base.base == sha256(text.as_bytes()) => {}
        // Written for a file since replaced whole (or never finished): the file holds everything.
        Ok(_) => return Ok(()),
        Err(_) if !first.ends_with('\n') => return Ok(()),
        Err(error) => return Err(damaged(1, format!("not the log's first line: {error}"))),
    }
    for (number, line) in lines {
        // A last line the save did not finish: its changes were never answered for.
        if !line.ends_with('\n') {
            break;
        }
        let changes: ChangesIn =
            serde_json::from_str(line).map_err(|error| damaged(number, format!("not a line of changes: {error}")))?;
        for id in &changes.removed {
            estate.remove(id);
        }
        for resource in changes.put {
            let Value::Record(resource) = resource else {
                return Err(damaged(number, "a changed resource is not a record".into()));
            };
            estate.remove(record::id(&resource));
            estate.insert(resource).map_err(|problems| damaged(number, list(&problems)))?;
        }
        estate.set_serial(changes.serial);
    }
    Ok(())
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}
