//! Why an estate could not be loaded or saved.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with an estate file, naming the resource (its id, or its position when it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub resource: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.resource, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read or write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the estate is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the estate has {} problem(s):\n{}", .0.len(), list(.0))]
    Invalid(Vec<Problem>),
    #[error("the estate's change log {path} is damaged at line {line}: {message}")]
    ChangeLog { path: PathBuf, line: usize, message: String },
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}
