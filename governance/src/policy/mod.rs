//! The policy file: who is in which role, what each role may run alone and where, and who approves the rest.
//! Its format is TOML (docs/policy.md); problems are diagnostics with codes P01xx, rendered like a playbook's.

mod check;
mod codes;
mod error;
mod file;
mod model;
mod people;

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
}

/// Reads and checks a policy file.
pub fn load(path: &Path) -> Result<Policy, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
    check(&text).map_err(|errors| LoadError::Invalid {
        path: path.to_path_buf(),
        count: errors.len(),
        rendered: render(&path.display().to_string(), &text, &errors, false),
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
