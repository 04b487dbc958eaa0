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
        let bytes = std::fs::read(&full).map_err(|e| e.to_string())?;
        // An import that is not UTF-8 is named with its first bad byte, as the main file is (E0706).
        let text = match escher_compiler::input::decode_utf8(&bytes) {
            Ok(text) => text.to_string(),
            Err(not_utf8) => match not_utf8.error {
                escher_compiler::input::InputError::NotUtf8 { ref help, .. } => {
                    return Err(format!("{}: {help}", not_utf8.error));
                }
                other => return Err(other.to_string()),
            },
        };
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
