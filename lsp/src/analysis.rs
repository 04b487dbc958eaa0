//! What the server knows of one version of a document: its compilation, its syntax tree and where its names are.
//! Built once per version; every request on that version reads it.

use escher_compiler::resolve::{NameSite, name_sites};
use escher_compiler::syntax::ast::PlaybookFile;
use escher_compiler::{Compilation, CompileOptions, SourceLoader, compile};

pub struct Analysis {
    /// What `escher check` reports for this text: diagnostics with fixes, and the plan when it has no errors.
    pub compilation: Compilation,
    /// The members that parsed, even with syntax errors elsewhere, for names, hover and navigation.
    pub tree: Option<PlaybookFile>,
    pub sites: Vec<NameSite>,
    /// The names of the files the compilation imported, so a change to one re-checks this document.
    pub imports: Vec<String>,
}

impl Analysis {
    pub fn new(name: &str, text: &str, loader: &dyn SourceLoader) -> Self {
        let mut compilation = compile(name, text, &CompileOptions::check(loader));
        let tree = compilation.tree.take();
        let sites = tree.as_ref().map(name_sites).unwrap_or_default();
        let imports = compilation
            .sources
            .iter()
            .filter(|(file, _)| *file != compilation.main)
            .map(|(_, source)| source.name.clone())
            .collect();
        Analysis { compilation, tree, sites, imports }
    }
}
