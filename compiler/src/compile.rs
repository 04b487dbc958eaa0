//! The pipeline: parse → resolve → typecheck → lower → DAG → risk & policy → Plan with its hash.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::lower::{self, Mode, ParamInput, Program};
use crate::plan::{PLAN_FORMAT_VERSION, Plan, plan_hash};
use crate::resolve::{Gaps, Module, ResolveError, Scope, resolve};
use crate::risk::Policy;
use crate::source::{SourceLoader, SourceMap};
use crate::span::{FileId, Span};
use crate::stdlib::Catalog;
use crate::syntax::parse_playbook;
use crate::typecheck::{Typed, typecheck};

/// What a compilation produced: every file it read, the diagnostics, and the plan when there were no errors.
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
    pub plan: Option<Plan>,
    /// The file the compilation started from.
    pub main: FileId,
    /// The syntax tree of `main`, with every member that parsed, for tools that read it after compiling (the
    /// language server); `None` when not even its head parsed, or for input extracted from Markdown or an
    /// envelope, whose spans point into the extracted text.
    pub tree: Option<crate::syntax::ast::PlaybookFile>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }
}

/// How to compile: with or without parameter values, under which policy, loading imports how.
pub struct CompileOptions<'a> {
    pub loader: &'a dyn SourceLoader,
    pub params: BTreeMap<String, ParamInput>,
    pub policy: Policy,
    pub mode: Mode,
}

impl<'a> CompileOptions<'a> {
    /// Checking: parameters without defaults may stay unknown.
    pub fn check(loader: &'a dyn SourceLoader) -> Self {
        CompileOptions { loader, params: BTreeMap::new(), policy: Policy::default(), mode: Mode::Check }
    }

    /// Planning with these parameter values; every parameter must end up with a value.
    pub fn plan(loader: &'a dyn SourceLoader, params: BTreeMap<String, ParamInput>) -> Self {
        CompileOptions { loader, params, policy: Policy::default(), mode: Mode::Plan }
    }
}

/// Compiles the playbook `text`, reported under `name`, against the embedded stdlib.
pub fn compile(name: &str, text: &str, options: &CompileOptions<'_>) -> Compilation {
    compile_with(crate::stdlib::catalog(), name, text, options)
}

/// Compiles against a given catalog (tests use small ones).
pub fn compile_with(catalog: &Catalog, name: &str, text: &str, options: &CompileOptions<'_>) -> Compilation {
    let mut sources = SourceMap::new();
    let main = sources.add(name, text);
    let mut diagnostics = Diagnostics::default();
    let mut loader =
        ModuleLoader { loader: options.loader, sources: &mut sources, modules: Vec::new(), diagnostics: Vec::new() };
    let main_index = loader.load(main, &mut Vec::new());
    let ModuleLoader { mut modules, diagnostics: load_diagnostics, .. } = loader;
    diagnostics.0.extend(load_diagnostics);
    let Some(main_index) = main_index else {
        diagnostics.sort();
        return Compilation { sources, diagnostics, plan: None, main, tree: None };
    };
    let finish = |mut diagnostics: Diagnostics, sources: SourceMap, plan: Option<Plan>, modules: &mut Vec<Module>| {
        diagnostics.sort();
        let tree = Some(modules.swap_remove(main_index).ast);
        Compilation { sources, diagnostics, plan, main, tree }
    };

    // Every module that parsed, even in part, is checked: one mistake hides no other. Modules are loaded
    // depth-first, so each module's imports come before it. A partial module is checked but not planned, and
    // its importers do not check their calls against what it defines, which is incomplete.
    let mut scopes: Vec<Scope> = Vec::new();
    let mut typed: Vec<Typed> = Vec::new();
    for module in &modules {
        let (scope, resolve_diagnostics) = resolve(module, catalog);
        diagnostics.0.extend(resolve_diagnostics);
        let imports: BTreeMap<String, Typed> = module
            .imports
            .iter()
            .filter(|&(_, &index)| !modules[index].gaps.partial)
            .map(|(name, &index)| (name.clone(), typed[index].clone()))
            .collect();
        let (module_typed, type_diagnostics) = typecheck(module, &scope, &imports, catalog);
        diagnostics.0.extend(type_diagnostics);
        scopes.push(scope);
        typed.push(module_typed);
    }
    if diagnostics.has_errors() {
        return finish(diagnostics, sources, None, &mut modules);
    }

    let program = Program { modules: &modules, scopes: &scopes, typed: &typed, main: main_index };
    let (lowered, lower_diagnostics) = lower::lower(&program, &options.params, options.mode, catalog);
    diagnostics.0.extend(lower_diagnostics);
    if diagnostics.has_errors() {
        return finish(diagnostics, sources, None, &mut modules);
    }
    let lower::Lowered { nodes, edges, sources: node_sources, params, schedule } = lowered;
    let order = match crate::dag::order(&nodes, &edges, &node_sources) {
        Ok(order) => order,
        Err(cycles) => {
            // The safety rules do not need an order; report them with the cycle rather than after it is fixed.
            let mut nodes = nodes;
            diagnostics.0.extend(crate::risk::assess(&mut nodes, &edges, &options.policy, catalog, &node_sources));
            diagnostics.0.extend(cycles);
            return finish(diagnostics, sources, None, &mut modules);
        }
    };
    let mut slots: Vec<Option<crate::plan::PlanNode>> = nodes.into_iter().map(Some).collect();
    let mut nodes: Vec<crate::plan::PlanNode> = order.iter().filter_map(|&i| slots[i].take()).collect();
    diagnostics.0.extend(crate::risk::assess(&mut nodes, &edges, &options.policy, catalog, &node_sources));
    if diagnostics.has_errors() {
        return finish(diagnostics, sources, None, &mut modules);
    }
    let playbook = modules[main_index].playbook();
    let mut plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        playbook: playbook.name.name.clone(),
        docs: modules[main_index].ast.docs.iter().chain(&playbook.docs).cloned().collect::<Vec<_>>().join("\n"),
        params,
        schedule,
        nodes,
        edges,
        hash: String::new(),
    };
    plan.hash = plan_hash(&plan);
    finish(diagnostics, sources, Some(plan), &mut modules)
}

/// Loads a file and, depth-first, everything it imports.
struct ModuleLoader<'a> {
    loader: &'a dyn SourceLoader,
    sources: &'a mut SourceMap,
    modules: Vec<Module>,
    diagnostics: Vec<Diagnostic>,
}

impl ModuleLoader<'_> {
    /// Parses `file` and its imports; returns its module index, or `None` if not even its head parsed.
    /// `stack` holds the files being loaded, to detect import cycles.
    fn load(&mut self, file: FileId, stack: &mut Vec<FileId>) -> Option<usize> {
        let text = self.sources.get(file).text.clone();
        let parsed = parse_playbook(&text);
        let mut gaps = Gaps {
            unknown_names: parsed.unparsed_names.into_iter().collect(),
            unknown_import: parsed.unparsed_use,
            partial: !parsed.errors.is_empty(),
        };
        self.diagnostics.extend(parsed.errors.into_iter().map(|e| Diagnostic::new(file, e)));
        let ast = parsed.tree?;
        stack.push(file);
        let importer = self.sources.get(file).name.clone();
        let mut imports = BTreeMap::new();
        for import in &ast.uses {
            let Some(index) = self.load_import(file, &importer, import, stack) else {
                // Reported; a name it would have given is not reported again.
                match &import.alias {
                    Some(alias) => {
                        gaps.unknown_names.insert(alias.name.clone());
                    }
                    None => gaps.unknown_import = true,
                }
                continue;
            };
            let name = match &import.alias {
                Some(alias) => alias.name.clone(),
                None => self.modules[index].playbook().name.name.clone(),
            };
            if imports.insert(name.clone(), index).is_some() {
                self.diagnostics.push(Diagnostic::new(
                    file,
                    ResolveError::DuplicateImport { name: name.clone(), span: import.span.into() },
                ));
                // Which of the two a call means is unknown: its calls are not checked against either.
                gaps.unknown_names.insert(name);
            }
        }
        imports.retain(|name, _| !gaps.is_unknown(name));
        stack.pop();
        self.modules.push(Module { file, ast, imports, gaps });
        Some(self.modules.len() - 1)
    }

    fn load_import(
        &mut self,
        file: FileId,
        importer: &str,
        import: &crate::syntax::ast::Use,
        stack: &mut Vec<FileId>,
    ) -> Option<usize> {
        let span: Span = import.path.span;
        let (name, text) = match self.loader.load(importer, &import.path.value) {
            Ok(loaded) => loaded,
            Err(reason) => {
                self.diagnostics.push(Diagnostic::new(
                    file,
                    ResolveError::ImportFailed { path: import.path.value.clone(), reason, span: span.into() },
                ));
                return None;
            }
        };
        if let Some(existing) = self.sources.find(&name) {
            if stack.contains(&existing) {
                let chain: Vec<String> = stack.iter().map(|f| self.sources.get(*f).name.clone()).collect();
                self.diagnostics.push(Diagnostic::new(
                    file,
                    ResolveError::ImportCycle {
                        path: import.path.value.clone(),
                        chain: format!("{} → {name}", chain.join(" → ")),
                        span: span.into(),
                    },
                ));
                return None;
            }
            return self.modules.iter().position(|m| m.file == existing);
        }
        let imported = self.sources.add(name, text);
        self.load(imported, stack)
    }
}

/// Compiles AI output as received: a `.esc` file, a Markdown answer or a JSON envelope (see [`crate::input`]).
/// Diagnostics point into `original`; an envelope's risk and approval claims are checked against the plan.
pub fn compile_input(name: &str, original: &str, options: &CompileOptions<'_>) -> Compilation {
    let extracted = match crate::input::extract(name, original) {
        Ok(extracted) => extracted,
        Err(error) => {
            let mut sources = SourceMap::new();
            let main = sources.add(name, original);
            let diagnostics = Diagnostics(vec![Diagnostic::new(main, error)]);
            return Compilation { sources, diagnostics, plan: None, main, tree: None };
        }
    };
    if extracted.kind == crate::input::InputKind::Playbook {
        return compile(name, original, options);
    }
    let mut compilation = compile(&format!("{name} (extracted playbook)"), &extracted.text, options);
    let original_file = compilation.sources.add(name, original);
    let extracted_file = compilation.main;
    for diagnostic in &mut compilation.diagnostics.0 {
        if diagnostic.file == extracted_file {
            *diagnostic = crate::input::remap(diagnostic, &extracted, original_file);
        }
    }
    if let (Some(claims), Some(plan)) = (&extracted.claims, &compilation.plan) {
        for warning in crate::input::compare_claims(claims, plan) {
            compilation.diagnostics.push(Diagnostic::new(original_file, warning));
        }
    }
    compilation.main = original_file;
    compilation.tree = None;
    compilation.diagnostics.sort();
    compilation
}

/// Compiles AI output as a host read it, as bytes: bytes that are not UTF-8 are answered with E0706 at the first
/// bad one, so every input gets diagnostics; text is compiled as by [`compile_input`].
pub fn compile_input_bytes(name: &str, bytes: &[u8], options: &CompileOptions<'_>) -> Compilation {
    match crate::input::decode_utf8(bytes) {
        Ok(text) => compile_input(name, text, options),
        Err(crate::input::NotUtf8 { text, error }) => {
            let mut sources = SourceMap::new();
            let main = sources.add(name, text);
            let diagnostics = Diagnostics(vec![Diagnostic::new(main, error)]);
            Compilation { sources, diagnostics, plan: None, main, tree: None }
        }
    }
}

#[cfg(test)]
mod tree_tests {
    use super::*;
    use crate::NoImports;

    #[test]
    fn the_tree_of_the_main_file_is_kept_with_every_member_that_parsed() {
        let text = "playbook p {\n  step a = wait(1m)\n  step b = wait(\n  step c = wait(2m)\n}\n";
        let compilation = compile("p.esc", text, &CompileOptions::check(&NoImports));
        assert!(compilation.has_errors());
        let tree = compilation.tree.expect("the head parsed");
        let names: Vec<&str> =
            tree.playbook.members.iter().filter_map(|m| m.defined_name()).map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["a", "c"]);
    }

    #[test]
    fn a_playbook_that_plans_keeps_its_tree_and_extracted_input_does_not() {
        let text = "playbook p {\n  step a = wait(1m)\n}\n";
        let planned = compile("p.esc", text, &CompileOptions::check(&NoImports));
        assert!(planned.plan.is_some() && planned.tree.is_some());
        let markdown = format!("Here it is:\n\n```escher\n{text}```\n");
        let extracted = compile_input("answer.md", &markdown, &CompileOptions::check(&NoImports));
        assert!(extracted.plan.is_some() && extracted.tree.is_none());
    }
}
