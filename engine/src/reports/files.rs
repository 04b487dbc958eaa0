//! Where a run's reports go, and writing them there.

use std::path::{Path, PathBuf};

use super::{Report, RunHeading, page};

/// The run's page of all its reports, beside each report's own files.
pub const HTML_PAGE: &str = "report.html";

/// Writes each report as CSV, JSON and Markdown, and the page of them all ([`HTML_PAGE`]), under `dir`
/// (`<state>/reports/<run_id>` by default); the files written.
pub fn write(dir: &Path, heading: &RunHeading, reports: &[Report]) -> std::io::Result<Vec<PathBuf>> {
    // Rendered before anything is written, so a page that cannot be made leaves no half-written directory.
    let html = page(heading, reports).map_err(std::io::Error::other)?;
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for report in reports {
        let name = file_name(report.step());
        for (extension, text) in [
            ("csv", report.to_csv()),
            ("json", serde_json::to_string_pretty(&report.to_json()).unwrap_or_default() + "\n"),
            ("md", report.to_markdown()),
        ] {
            let path = dir.join(format!("{name}.{extension}"));
            std::fs::write(&path, text)?;
            written.push(path);
        }
    }
    let path = dir.join(HTML_PAGE);
    std::fs::write(&path, html)?;
    written.push(path);
    Ok(written)
}

/// Where a run's reports go by default.
pub fn default_dir(state_dir: &Path, run_id: &str) -> PathBuf {
    state_dir.join("reports").join(run_id)
}

/// A step's name as a file name (steps of a `for` carry `.` and `[`).
fn file_name(step: &str) -> String {
    step.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' }).collect()
}
