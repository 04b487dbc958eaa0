//! A template carries the text of every file its playbook imports, signed with it: a template run compiles from
//! those texts alone, so a file of the same name on the runner's disk cannot add a step to what a manager signed.

use std::cell::RefCell;

use escher_compiler::SourceLoader;
use serde::{Deserialize, Serialize};

/// One file a `use` brought in when the template was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateImport {
    /// The file whose `use` named it; `None` for the template's own playbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importer: Option<String>,
    /// The path as the `use` wrote it.
    pub path: String,
    /// The name the file was compiled under, and its text.
    pub name: String,
    pub text: String,
}

/// Loads imports through another loader and notes each one, for publishing them with the template.
pub struct RecordingLoader<'a> {
    inner: &'a dyn SourceLoader,
    main: String,
    loaded: RefCell<Vec<TemplateImport>>,
}

impl<'a> RecordingLoader<'a> {
    /// Records what compiling the playbook `main` (its name as given to the compiler) imports through `inner`.
    pub fn new(inner: &'a dyn SourceLoader, main: &str) -> Self {
        RecordingLoader { inner, main: main.to_string(), loaded: RefCell::default() }
    }

    /// Every import loaded, in the order the compiler asked for them.
    pub fn into_imports(self) -> Vec<TemplateImport> {
        self.loaded.into_inner()
    }
}

impl SourceLoader for RecordingLoader<'_> {
    fn load(&self, importer: &str, path: &str) -> Result<(String, String), String> {
        let (name, text) = self.inner.load(importer, path)?;
        let importer = (importer != self.main).then(|| importer.to_string());
        let import = TemplateImport { importer, path: path.to_string(), name: name.clone(), text: text.clone() };
        let mut loaded = self.loaded.borrow_mut();
        if !loaded.contains(&import) {
            loaded.push(import);
        }
        Ok((name, text))
    }
}

/// Answers a template run's imports from the texts the template carries, never from disk.
pub struct EmbeddedLoader<'a> {
    /// The name the template's playbook is compiled under in this run.
    pub main: &'a str,
    pub imports: &'a [TemplateImport],
}

impl SourceLoader for EmbeddedLoader<'_> {
    fn load(&self, importer: &str, path: &str) -> Result<(String, String), String> {
        let importer = (importer != self.main).then_some(importer);
        self.imports
            .iter()
            .find(|import| import.importer.as_deref() == importer && import.path == path)
            .map(|import| (import.name.clone(), import.text.clone()))
            .ok_or_else(|| {
                format!(
                    "\"{path}\" is not part of the template: a template runs only the files signed with it (publish it again to include them)"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use escher_compiler::{CompileOptions, MemoryLoader, compile};

    use super::*;

    const MAIN: &str = "use \"lib.esc\" as tell\nplaybook main {\n  step s = tell(message = \"done\")\n}\n";
    const LIB: &str =
        "playbook tell {\n  param message: string\n  step send = notify(channel = \"#ops\", message = message)\n}\n";

    fn disk(lib: &str) -> MemoryLoader {
        MemoryLoader { files: [("lib.esc".to_string(), lib.to_string())].into() }
    }

    #[test]
    fn what_publishing_recorded_is_what_a_run_loads() {
        let disk = disk(LIB);
        let recorder = RecordingLoader::new(&disk, "stop.esc");
        let compiled = compile("stop.esc", MAIN, &CompileOptions::check(&recorder));
        assert!(!compiled.diagnostics.has_errors(), "{:?}", compiled.diagnostics);
        let imports = recorder.into_imports();
        assert_eq!(
            imports,
            [TemplateImport { importer: None, path: "lib.esc".into(), name: "lib.esc".into(), text: LIB.into() }]
        );
        let embedded = EmbeddedLoader { main: "template:stop", imports: &imports };
        assert_eq!(embedded.load("template:stop", "lib.esc"), Ok(("lib.esc".to_string(), LIB.to_string())));
        let missing = embedded.load("template:stop", "other.esc").expect_err("not signed with the template");
        assert!(missing.contains("not part of the template"), "{missing}");
        assert!(embedded.load("lib.esc", "lib.esc").is_err(), "an import's own imports are keyed by it");
    }
}
