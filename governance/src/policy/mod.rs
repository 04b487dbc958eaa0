//! The policy file: who is in which role, what each role may run alone and where, and who approves the rest.
//! Its format is TOML (docs/policy.md); problems are diagnostics with codes P01xx, rendered like a playbook's.

mod check;
mod codes;
mod error;
mod file;
mod model;
mod people;
pub mod pinned;

use std::path::{Path, PathBuf};

pub use check::check;
pub use codes::{CODES, explain};
pub use error::PolicyError;
pub use model::{ApprovalRule, DEFAULT_VALIDITY, MAX_SAFE_RETRIES, Member, Policy, Role};

/// A policy file that could not be used: unreadable, or with diagnostics (rendered in the error).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the policy {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the policy {path} has {count} error(s):\n{rendered}")]
    Invalid { path: PathBuf, count: usize, rendered: String },
    #[error(transparent)]
    Root(#[from] pinned::PinError),
    /// A root is pinned and the policy does not carry its managers' signatures.
    #[error("{0}")]
    Unsigned(String),
    /// A root is pinned and no policy file is in force: there is no falling back to the built-in policy.
    #[error(
        "a policy root is pinned in {}, so runs need a policy signed by its managers, and none is in force \
         (--policy FILE, ESCHER_POLICY or {}/policy.toml)",
        .state.display(),
        .state.display()
    )]
    NoPolicy { state: PathBuf },
}

/// Reads and checks a policy file.
pub fn load(path: &Path) -> Result<Policy, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
    checked(path, &text)
}

/// The policy in force for the state `state_dir` given the file chosen for it (`--policy`, `ESCHER_POLICY` or
/// `<state>/policy.toml`, if any): with a root pinned there, only a file its managers signed, and never none.
pub fn load_in(state_dir: &Path, path: Option<&Path>) -> Result<Option<Policy>, LoadError> {
    let root = pinned::PolicyRoot::read(state_dir)?;
    let Some(path) = path else {
        return match root {
            Some(_) => Err(LoadError::NoPolicy { state: state_dir.to_path_buf() }),
            None => Ok(None),
        };
    };
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
    if let Some(root) = root {
        root.check_signed(path, text.as_bytes()).map_err(LoadError::Unsigned)?;
    }
    checked(path, &text).map(Some)
}

fn checked(path: &Path, text: &str) -> Result<Policy, LoadError> {
    check(text).map_err(|errors| LoadError::Invalid {
        path: path.to_path_buf(),
        count: errors.len(),
        rendered: render(&path.display().to_string(), text, &errors, false),
    })
}

/// The diagnostics as a person reads them: code, message, the source with a label, help.
pub fn render(name: &str, text: &str, errors: &[PolicyError], color: bool) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource};
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    for error in errors {
        let report = miette::Report::new(error.clone()).with_source_code(NamedSource::new(name, text.to_string()));
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out.push_str(&format!("{}: {error}\n", error.code()));
        }
    }
    out
}

#[cfg(test)]
mod tests;
