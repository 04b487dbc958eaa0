//! Templates on disk: `<approvals dir>/templates/NAME.json` (revision 1) and `NAME@N.json` (revision N). A
//! name asked for alone means its latest revision; `NAME@N` one revision.

use std::path::PathBuf;

use super::signed::SignedTemplate;
use crate::approvals::{ApprovalsDir, read_all};
use crate::files::{safe, write_new};

/// Writes a signed template under its name and revision; a file is never replaced.
pub fn publish(dir: &ApprovalsDir, template: &SignedTemplate) -> std::io::Result<PathBuf> {
    let path = file_of(dir, &template.template.name, template.template.revision);
    let mut bytes = serde_json::to_vec_pretty(template).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_new(&path, &bytes)?;
    Ok(path)
}

/// The latest revision published under `name`, if any.
pub fn latest_revision(dir: &ApprovalsDir, name: &str) -> Option<u32> {
    (1..).take_while(|revision| file_of(dir, name, *revision).exists()).last()
}

/// The template `NAME` (its latest revision) or `NAME@N`, unverified; a file that holds another template than
/// its name says (copied over it) is refused.
pub fn load(dir: &ApprovalsDir, asked: &str) -> Result<SignedTemplate, String> {
    let (name, revision) = match asked.rsplit_once('@') {
        Some((name, revision)) => {
            let revision = revision
                .parse::<u32>()
                .ok()
                .filter(|revision| *revision >= 1)
                .ok_or_else(|| format!("`{asked}`: a revision is a number from 1, as in `{name}@2`"))?;
            (name, revision)
        }
        None => (asked, latest_revision(dir, asked).unwrap_or(1)),
    };
    let path = file_of(dir, name, revision);
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("no template `{asked}` ({}: {error})", path.display()))?;
    let signed: SignedTemplate = serde_json::from_str(&text)
        .map_err(|error| format!("template `{asked}` ({}) is damaged: {error}", path.display()))?;
    let held = (&signed.template.name, signed.template.revision);
    if held != (&name.to_string(), revision) {
        return Err(format!(
            "{} holds template `{}` revision {}, not `{name}` revision {revision}: it was copied or renamed",
            path.display(),
            held.0,
            held.1
        ));
    }
    Ok(signed)
}

/// Every template file, readable or not.
pub fn list(dir: &ApprovalsDir) -> Vec<(PathBuf, Result<SignedTemplate, String>)> {
    read_all(&dir.templates_dir())
}

fn file_of(dir: &ApprovalsDir, name: &str, revision: u32) -> PathBuf {
    let name = safe(name);
    match revision {
        1 => dir.templates_dir().join(format!("{name}.json")),
        revision => dir.templates_dir().join(format!("{name}@{revision}.json")),
    }
}
