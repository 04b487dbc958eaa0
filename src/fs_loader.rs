//! Imports read from disk, relative to the importing file.

use std::path::{Path, PathBuf};

use escher_compiler::SourceLoader;

/// Loads `use "x.esc"` relative to the directory of the file that imports it.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&self, importer: &str, path: &str) -> Result<(String, String), String> {
        let base = Path::new(importer).parent().unwrap_or(Path::new("."));
        let full: PathBuf = base.join(path);
        let text = std::fs::read_to_string(&full).map_err(|e| e.to_string())?;
        let name = normalize(&full);
        Ok((name, text))
    }
}

/// `a/b/../c.esc` → `a/c.esc`, so one file imported along two paths is loaded once.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<std::path::Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if matches!(parts.last(), Some(std::path::Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect::<PathBuf>().display().to_string()
}
