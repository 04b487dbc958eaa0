//! Imports for the server's compilations: an open document's text (what the user sees, saved or not), else the
//! file on disk, relative to the importing file as `escher check` resolves them.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use escher_compiler::SourceLoader;

/// Reads imports from the open documents first, then from disk.
pub struct WorkspaceLoader<'a> {
    /// Open documents by the name they are compiled under (their path).
    pub open: &'a BTreeMap<String, &'a str>,
}

impl SourceLoader for WorkspaceLoader<'_> {
    fn load(&self, importer: &str, path: &str) -> Result<(String, String), String> {
        let name = import_name(importer, path);
        if let Some(text) = self.open.get(&name) {
            return Ok((name, (*text).to_string()));
        }
        let bytes = std::fs::read(&name).map_err(|error| error.to_string())?;
        let text = String::from_utf8(bytes).map_err(|error| format!("the file is not UTF-8: {error}"))?;
        Ok((name, text))
    }
}

/// The name a `use "path"` in `importer` loads: the path joined to the importer's directory, with `.` and `..`
/// folded so one file imported along two paths is one name.
pub fn import_name(importer: &str, path: &str) -> String {
    let base = Path::new(importer).parent().unwrap_or(Path::new("."));
    let mut parts: Vec<Component<'_>> = Vec::new();
    let joined = base.join(path);
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect::<PathBuf>().display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_is_named_relative_to_its_importer_with_dots_folded() {
        assert_eq!(import_name("/p/examples/main.esc", "lib/../lib/./notify.esc"), "/p/examples/lib/notify.esc");
    }

    #[test]
    fn an_open_document_is_read_before_the_disk() {
        let open = BTreeMap::from([("/nowhere/lib.esc".to_string(), "playbook lib {}")]);
        let loader = WorkspaceLoader { open: &open };
        assert_eq!(
            loader.load("/nowhere/main.esc", "lib.esc"),
            Ok(("/nowhere/lib.esc".into(), "playbook lib {}".into()))
        );
        assert!(loader.load("/nowhere/main.esc", "missing.esc").is_err());
    }
}
