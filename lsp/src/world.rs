//! The open documents, their text as the editor has it, and the last analysis of each.

use std::collections::BTreeMap;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::analysis::Analysis;
use crate::line_index::{Encoding, LineIndex};
use crate::loader::WorkspaceLoader;

pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub lines: LineIndex,
    /// The name it is compiled and imported under: its path, or the URI for a document that has none.
    pub name: String,
    /// `None` after an edit, until something needs it.
    analysis: Option<Analysis>,
    /// Whether the diagnostics of the current analysis were sent.
    published: bool,
}

impl Document {
    pub fn analysis(&self) -> Option<&Analysis> {
        self.analysis.as_ref()
    }
}

pub struct World {
    pub encoding: Encoding,
    /// By URI, as text: `Uri` caches its parse inside, so it makes no stable map key.
    documents: BTreeMap<String, Document>,
}

/// A request named a document that is not open.
#[derive(Debug)]
pub struct NotOpen(pub Uri);

impl World {
    pub fn new(encoding: Encoding) -> Self {
        World { encoding, documents: BTreeMap::new() }
    }

    pub fn open(&mut self, uri: Uri, version: i32, text: String) {
        let name = crate::uri::to_path(&uri).map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
        let lines = LineIndex::new(&text, self.encoding);
        let document = Document { uri: uri.clone(), version, text, lines, name, analysis: None, published: false };
        self.documents.insert(uri.as_str().to_string(), document);
        self.invalidate_importers_of(&uri);
    }

    /// Applies the edits in order, each range in the text the previous edit left.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Result<(), NotOpen> {
        let document = self.documents.get_mut(uri.as_str()).ok_or_else(|| NotOpen(uri.clone()))?;
        for change in changes {
            match change.range {
                Some(range) => {
                    let span = document.lines.span(&document.text, range);
                    document.text.replace_range(span.range(), &change.text);
                }
                None => document.text = change.text,
            }
            document.lines = LineIndex::new(&document.text, self.encoding);
        }
        document.version = version;
        document.analysis = None;
        document.published = false;
        self.invalidate_importers_of(uri);
        Ok(())
    }

    pub fn close(&mut self, uri: &Uri) {
        self.documents.remove(uri.as_str());
        self.invalidate_importers_of(uri);
    }

    pub fn document(&self, uri: &Uri) -> Result<&Document, NotOpen> {
        self.documents.get(uri.as_str()).ok_or_else(|| NotOpen(uri.clone()))
    }

    /// The document with an analysis of its current text, made now if an edit made the last one stale.
    pub fn analyzed(&mut self, uri: &Uri) -> Result<(&Document, &Analysis), NotOpen> {
        let stale = self.document(uri)?.analysis.is_none();
        if stale {
            let analysis = self.analyze(self.document(uri)?);
            let document = self.documents.get_mut(uri.as_str()).ok_or_else(|| NotOpen(uri.clone()))?;
            document.analysis = Some(analysis);
        }
        let document = self.document(uri)?;
        let analysis = document.analysis.as_ref().ok_or_else(|| NotOpen(uri.clone()))?;
        Ok((document, analysis))
    }

    /// The documents whose diagnostics have not been sent since their last change.
    pub fn unpublished(&self) -> Vec<Uri> {
        self.documents.values().filter(|d| !d.published).map(|d| d.uri.clone()).collect()
    }

    pub fn mark_published(&mut self, uri: &Uri) {
        if let Some(document) = self.documents.get_mut(uri.as_str()) {
            document.published = true;
        }
    }

    fn analyze(&self, document: &Document) -> Analysis {
        let open: BTreeMap<String, &str> = self.documents.values().map(|d| (d.name.clone(), d.text.as_str())).collect();
        Analysis::new(&document.name, &document.text, &WorkspaceLoader { open: &open })
    }

    /// Open documents that imported `uri`'s file (directly or not) are checked again: what they import changed.
    fn invalidate_importers_of(&mut self, uri: &Uri) {
        let name = crate::uri::to_path(uri).map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
        let importers: Vec<String> = self
            .documents
            .iter()
            .filter(|(_, d)| d.analysis.as_ref().is_some_and(|a| a.imports.contains(&name)))
            .map(|(key, _)| key.clone())
            .collect();
        for importer in importers {
            if let Some(document) = self.documents.get_mut(&importer) {
                document.analysis = None;
                document.published = false;
            }
        }
    }
}
