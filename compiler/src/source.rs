//! The files of one compilation. The compiler never reads the disk: hosts hand it text through a [`SourceLoader`].

use std::sync::OnceLock;

use crate::span::{FileId, LineColumn, LineIndex};

/// One source text and the name it is reported under (a path, `<stdin>`, or `stdlib/aws/ec2.esc`).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// All files a compilation has seen, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Each file's line index, made the first time a position in it is asked for.
    lines: Vec<OnceLock<LineIndex>>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile { name: name.into(), text: text.into() });
        self.lines.push(OnceLock::new());
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The line index of a file.
    pub fn lines(&self, id: FileId) -> &LineIndex {
        self.lines[id.0 as usize].get_or_init(|| LineIndex::new(&self.get(id).text))
    }

    /// The line and column of a byte offset in a file (see [`crate::span::line_column`]).
    pub fn line_column(&self, id: FileId, offset: usize) -> LineColumn {
        self.lines(id).line_column(&self.get(id).text, offset)
    }

    pub fn find(&self, name: &str) -> Option<FileId> {
        self.files.iter().position(|f| f.name == name).map(|i| FileId(i as u32))
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }
}

/// How the compiler obtains the text of `use "..."` imports. The CLI reads files relative to the importer;
/// embedders may serve them from memory, a bundle or their own store.
pub trait SourceLoader {
    /// Resolves `path` as written in a `use` of the file named `importer`, returning the imported file's
    /// canonical name and its text, or a message saying why it could not be loaded.
    fn load(&self, importer: &str, path: &str) -> Result<(String, String), String>;
}

/// A loader for single-file compilations: every import fails with a clear message.
pub struct NoImports;

impl SourceLoader for NoImports {
    fn load(&self, _importer: &str, path: &str) -> Result<(String, String), String> {
        Err(format!("imports are not available here (cannot load \"{path}\")"))
    }
}

/// A loader over an in-memory map of file name to text; names are matched as written.
#[derive(Debug, Default, Clone)]
pub struct MemoryLoader {
    pub files: std::collections::BTreeMap<String, String>,
}

impl SourceLoader for MemoryLoader {
    fn load(&self, _importer: &str, path: &str) -> Result<(String, String), String> {
        self.files
            .get(path)
            .map(|text| (path.to_string(), text.clone()))
            .ok_or_else(|| format!("no file named \"{path}\""))
    }
}
