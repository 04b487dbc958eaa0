//! Templates on disk: `<approvals dir>/templates/NAME.json`.

use std::path::PathBuf;

use super::signed::SignedTemplate;
use crate::approvals::{ApprovalsDir, read_all};
use crate::files::{safe, write_new};

/// Writes a signed template; a template of the same name is never replaced.
pub fn publish(dir: &ApprovalsDir, template: &SignedTemplate) -> std::io::Result<PathBuf> {
    let path = dir.templates_dir().join(format!("{}.json", safe(&template.template.name)));
    let mut bytes = serde_json::to_vec_pretty(template).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_new(&path, &bytes)?;
    Ok(path)
}

/// The template of that name, unverified.
pub fn load(dir: &ApprovalsDir, name: &str) -> Result<SignedTemplate, String> {
    let path = dir.templates_dir().join(format!("{}.json", safe(name)));
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("no template `{name}` ({}: {error})", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("template `{name}` ({}) is damaged: {error}", path.display()))
}

/// Every template file, readable or not.
pub fn list(dir: &ApprovalsDir) -> Vec<(PathBuf, Result<SignedTemplate, String>)> {
    read_all(&dir.templates_dir())
}
