//! One test per file under `tests/fixtures/` (see its README): valid playbooks must plan, broken ones must report
//! exactly the codes their first line expects, and every broken one has a snapshot of its diagnostics as a person
//! and as a tool read them. Machine-applicable fixes are checked by applying them and compiling again. Lint
//! fixtures (`lint/`) must compile cleanly and give exactly the lint findings their first line expects.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use escher_compiler::diagnostics::{Applicability, Diagnostic, TextEdit, render_human, to_json};
use escher_compiler::plan::{Edge, EdgeKind, NodeSource, PlanSources};
use escher_compiler::{
    Compilation, CompileOptions, FileId, ParamInput, SourceLoader, SourceMap, Span, compile, compile_input_bytes,
};
use libtest_mimic::{Arguments, Failed, Trial};

mod support {
    pub mod inventory;
}

fn main() {
    let arguments = Arguments::from_args();
    let root = fixtures_root();
    let mut trials = Vec::new();
    for folder in ["ok", "err", "input", "stdlib"] {
        for (name, bytes) in fixture_files(&root, folder) {
            trials.extend(trials_for(&root, folder, name, bytes));
        }
    }
    for (name, bytes) in fixture_files(&root, "lint") {
        trials.push(lint_trial(&root, name, bytes));
    }
    trials.push(Trial::test("internal/E0502_edge_to_an_unknown_node", an_edge_to_an_unknown_node_is_reported));
    libtest_mimic::run(&arguments, trials).exit();
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// The files of one fixture folder as (name relative to the fixtures root, bytes), sorted by name. AI output is
/// compiled from its bytes, as the command line reads it, so an input fixture may be something other than UTF-8.
fn fixture_files(root: &Path, folder: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(root.join(folder))
        .unwrap_or_else(|e| panic!("cannot read the fixture folder {folder}: {e}"))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| {
            let extension = path.extension().and_then(|e| e.to_str());
            matches!(extension, Some("esc" | "md" | "json"))
        })
        .map(|path| {
            let file_name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 file name");
            let bytes = std::fs::read(&path).expect("a readable fixture");
            (format!("{folder}/{file_name}"), bytes)
        })
        .collect();
    files.sort();
    files
}

fn trials_for(root: &Path, folder: &str, name: String, bytes: Vec<u8>) -> Vec<Trial> {
    let root = root.to_path_buf();
    let input = folder == "input";
    let expectation = match std::str::from_utf8(&bytes) {
        _ if input => expectation_from_file_name(&name),
        Ok(text) => expectation_from_header(text),
        Err(_) => Err("only AI output (`input/`) may be other than UTF-8".to_string()),
    };
    let expectation = match expectation {
        Ok(expectation) => expectation,
        Err(problem) => {
            let message = format!("{name}: {problem}");
            return vec![Trial::test(name, move || Err(message.into()))];
        }
    };
    let test_name = name.trim_end_matches(".esc").to_string();
    if folder == "stdlib" {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        return vec![Trial::test(test_name, move || check_declarations(&name, &text, &expectation))];
    }
    let fixture = Fixture { root, name, bytes, expectation, input };
    let mut trials = Vec::new();
    if fixture.has_machine_applicable_fixes() {
        let fixed = fixture.clone();
        trials.push(Trial::test(format!("fixes/{test_name}"), move || fixed.fixes_remove_their_diagnostics()));
    }
    trials.push(Trial::test(test_name, move || fixture.check()));
    trials
}

// ---- Expectations ---------------------------------------------------------------------------------------

/// What a fixture must produce: no errors and a plan, or exactly these codes (errors and warnings).
#[derive(Debug, Clone)]
struct Expectation {
    codes: Vec<String>,
    /// Parameter values to plan with; `None` compiles in check mode.
    params: Option<BTreeMap<String, ParamInput>>,
}

/// `// expect: ok` or `// expect: E0201, E0301` on the first line, and optionally `// params: a=1; b=x,y` on
/// the second (which plans with those values instead of checking).
fn expectation_from_header(text: &str) -> Result<Expectation, String> {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let expect =
        first.strip_prefix("// expect:").ok_or("the first line must be `// expect: ok` or `// expect: CODE, ...`")?;
    let params = lines.next().and_then(|line| line.strip_prefix("// params:")).map(parse_params);
    Ok(Expectation { codes: parse_codes(expect.split(','))?, params })
}

/// AI output cannot carry our comments, so an input fixture's name says what it expects:
/// `W0701_W0702_claims_too_low.json`, `ok_markdown_answer.md`.
fn expectation_from_file_name(name: &str) -> Result<Expectation, String> {
    let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let leading = stem.split('_').take_while(|part| *part == "ok" || is_code(part));
    Ok(Expectation { codes: parse_codes(leading)?, params: None })
}

fn parse_codes<'a>(parts: impl Iterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut codes = Vec::new();
    for part in parts.map(str::trim) {
        match part {
            "ok" => {}
            code if is_code(code) => codes.push(code.to_string()),
            other => return Err(format!("`{other}` is neither `ok` nor a code such as E0201")),
        }
    }
    codes.sort();
    Ok(codes)
}

fn is_code(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some('E' | 'W' | 'L')) && text.len() == 5 && chars.all(|c| c.is_ascii_digit())
}

fn parse_params(line: &str) -> BTreeMap<String, ParamInput> {
    line.split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.trim().to_string(), ParamInput::Text(value.trim().to_string())))
        .collect()
}

// ---- Playbook and input fixtures ------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Fixture {
    root: PathBuf,
    /// The name relative to the fixtures root, which diagnostics are reported under.
    name: String,
    bytes: Vec<u8>,
    expectation: Expectation,
    /// AI output (`compile_input`) rather than a playbook file (`compile`).
    input: bool,
}

impl Fixture {
    fn compile(&self, bytes: &[u8]) -> Compilation {
        let loader = FixtureLoader { root: self.root.clone() };
        let options = match &self.expectation.params {
            Some(params) => CompileOptions::plan(&loader, params.clone()),
            None => CompileOptions::check(&loader),
        };
        if self.input {
            compile_input_bytes(&self.name, bytes, &options)
        } else {
            compile(&self.name, std::str::from_utf8(bytes).expect("a playbook fixture is UTF-8"), &options)
        }
    }

    fn check(&self) -> Result<(), Failed> {
        let compilation = self.compile(&self.bytes);
        let found = sorted_codes(compilation.diagnostics.iter());
        if found != self.expectation.codes {
            return Err(format!(
                "expected {:?}, found {:?}:\n{}",
                self.expectation.codes,
                found,
                render_all(&compilation)
            )
            .into());
        }
        if compilation.has_errors() {
            insta_snapshot(&self.name, &snapshot(&compilation));
            return Ok(());
        }
        let hash = compilation.plan.as_ref().map(|plan| plan.hash.clone()).unwrap_or_default();
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("a valid playbook must give a plan with a SHA-256 hash, got {hash:?}").into());
        }
        if let Some(plan) = &compilation.plan
            && plan.hash != value_form_hash(plan)
        {
            return Err(
                "the plan hash is not the SHA-256 of the plan's canonical JSON as serde_json's Value prints it".into(),
            );
        }
        if !found.is_empty() {
            // Warnings only (an input whose claims differ): they are snapshotted like errors.
            insta_snapshot(&self.name, &snapshot(&compilation));
        }
        Ok(())
    }

    fn has_machine_applicable_fixes(&self) -> bool {
        let compilation = self.compile(&self.bytes);
        compilation.diagnostics.iter().any(|d| !machine_applicable(d, &compilation).is_empty())
    }

    /// Applies every machine-applicable fix in the main file and compiles again: the fixed diagnostics are gone
    /// and no error that was not there before appears (a warning may: an envelope's claims are compared only
    /// once its playbook compiles).
    fn fixes_remove_their_diagnostics(&self) -> Result<(), Failed> {
        let before = self.compile(&self.bytes);
        let mut edits: Vec<TextEdit> = Vec::new();
        let mut fixed: Vec<(String, String)> = Vec::new();
        let mut unfixed: Vec<(String, String)> = Vec::new();
        for diagnostic in before.diagnostics.iter() {
            let fixes = machine_applicable(diagnostic, &before);
            let key = (diagnostic.code(), diagnostic.message());
            if fixes.is_empty() {
                unfixed.push(key)
            } else {
                fixed.push(key)
            }
            edits.extend(fixes);
        }
        let fixed_text = apply_edits(&String::from_utf8_lossy(&self.bytes), edits)?;
        let after = self.compile(fixed_text.as_bytes());
        for diagnostic in after.diagnostics.iter() {
            let key = (diagnostic.code(), diagnostic.message());
            if let Some(index) = unfixed.iter().position(|old| *old == key) {
                unfixed.remove(index);
            } else if diagnostic.is_error() || fixed.contains(&key) {
                let rendered = render_human(diagnostic, &after.sources, false);
                return Err(format!(
                    "after applying the fixes, this remains or appears:\n{rendered}\n--- fixed text ---\n{fixed_text}"
                )
                .into());
            }
        }
        Ok(())
    }
}

/// The edits of a diagnostic's machine-applicable fixes, when they apply to the compilation's main file.
fn machine_applicable(diagnostic: &Diagnostic, compilation: &Compilation) -> Vec<TextEdit> {
    if diagnostic.file != compilation.main {
        return Vec::new();
    }
    diagnostic
        .fixes
        .iter()
        .filter(|fix| fix.applicability == Applicability::MachineApplicable)
        .flat_map(|fix| fix.edits.iter().cloned())
        .collect()
}

/// Applies edits from the end of the text backwards, so earlier offsets stay valid; overlaps are refused.
fn apply_edits(text: &str, mut edits: Vec<TextEdit>) -> Result<String, Failed> {
    edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
    for pair in edits.windows(2) {
        if pair[0].span.end > pair[1].span.start {
            return Err(format!("machine-applicable edits overlap: {pair:?}").into());
        }
    }
    let mut out = text.to_string();
    for edit in edits.iter().rev() {
        out.replace_range(edit.span.range(), &edit.replacement);
    }
    Ok(out)
}

/// The plan hash computed the slow, obvious way: the whole plan as one `serde_json::Value` (sorted keys), its
/// hash blanked, printed compactly, hashed. The compiler writes the same bytes without building the value.
fn value_form_hash(plan: &escher_compiler::plan::Plan) -> String {
    use sha2::{Digest, Sha256};
    let mut value = serde_json::to_value(plan).expect("a plan converts to JSON");
    value["hash"] = serde_json::Value::String(String::new());
    Sha256::digest(value.to_string().as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

fn sorted_codes<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> Vec<String> {
    let mut codes: Vec<String> = diagnostics.map(Diagnostic::code).collect();
    codes.sort();
    codes
}

fn render_all(compilation: &Compilation) -> String {
    compilation.diagnostics.iter().map(|d| render_human(d, &compilation.sources, false)).collect()
}

/// Resolves `use "..."` relative to the importing fixture, inside the fixtures folder.
struct FixtureLoader {
    root: PathBuf,
}

impl SourceLoader for FixtureLoader {
    fn load(&self, importer: &str, path: &str) -> Result<(String, String), String> {
        let base = Path::new(importer).parent().unwrap_or(Path::new(""));
        let name = normalize(&base.join(path));
        // A stable message rather than the OS's, so snapshots read the same everywhere.
        let text = std::fs::read_to_string(self.root.join(&name))
            .map_err(|_| format!("there is no fixture file \"{name}\""))?;
        Ok((name, text))
    }
}

/// `err/../lib/x.esc` → `lib/x.esc`, with `/` separators on every platform.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(part) => parts.push(part.to_str().unwrap_or_default()),
            _ => {}
        }
    }
    parts.join("/")
}

// ---- Lint fixtures -------------------------------------------------------------------------------------

/// A playbook that compiles without a diagnostic, linted at the rules' default levels: exactly the expected
/// findings, and a snapshot of them.
fn lint_trial(root: &Path, name: String, bytes: Vec<u8>) -> Trial {
    let root = root.to_path_buf();
    let test_name = name.trim_end_matches(".esc").to_string();
    Trial::test(test_name, move || {
        let text = std::str::from_utf8(&bytes).map_err(|_| "a lint fixture is UTF-8")?;
        let expectation = expectation_from_header(text).map_err(|problem| format!("{name}: {problem}"))?;
        let loader = FixtureLoader { root };
        let compilation = compile(&name, text, &CompileOptions::check(&loader));
        if !compilation.diagnostics.is_empty() {
            return Err(format!("a lint fixture must compile cleanly:\n{}", render_all(&compilation)).into());
        }
        let mut settings = escher_compiler::lint::LintSettings::default();
        if let Some(targets) = support::inventory::inventory_from_header(text)? {
            settings = settings.with_targets_today(targets);
        }
        let findings = escher_compiler::lint::lint(&compilation, &settings);
        let found = sorted_codes(findings.iter());
        if found != expectation.codes {
            let rendered: String = findings.iter().map(|d| render_human(d, &compilation.sources, false)).collect();
            return Err(format!("expected {:?}, found {found:?}:\n{rendered}", expectation.codes).into());
        }
        if !findings.is_empty() {
            let diagnostics: Vec<Diagnostic> = findings.into_iter().collect();
            insta_snapshot(&name, &snapshot_of(&compilation.sources, &[compilation.main], &diagnostics));
        }
        Ok(())
    })
}

// ---- Stdlib declaration fixtures ------------------------------------------------------------------------

/// A declaration file loaded on its own: exactly the expected codes, and a snapshot.
fn check_declarations(name: &str, text: &str, expectation: &Expectation) -> Result<(), Failed> {
    let (_, errors) = escher_compiler::stdlib::load(&[(name, text)]);
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let diagnostics: Vec<Diagnostic> = errors.into_iter().map(|(_, error)| Diagnostic::new(file, error)).collect();
    let found = sorted_codes(diagnostics.iter());
    if found != expectation.codes {
        let rendered: String = diagnostics.iter().map(|d| render_human(d, &sources, false)).collect();
        return Err(format!("expected {:?}, found {found:?}:\n{rendered}", expectation.codes).into());
    }
    insta_snapshot(name, &snapshot_of(&sources, &[file], &diagnostics));
    Ok(())
}

// ---- The internal error ---------------------------------------------------------------------------------

/// E0502 cannot come from a playbook: the lowering pass only makes edges between nodes it made. It is checked
/// by handing the DAG pass a valid plan's nodes plus an edge from a node that does not exist.
fn an_edge_to_an_unknown_node_is_reported() -> Result<(), Failed> {
    let name = "internal/E0502_edge_to_an_unknown_node.esc";
    let text = "playbook tidy {\n  step summary = report.summary(\"Nothing to tidy\")\n}\n";
    let compilation = compile(name, text, &CompileOptions::check(&escher_compiler::NoImports));
    let plan = compilation.plan.as_ref().ok_or("the playbook should compile")?;
    let step_start = text.find("summary").ok_or("the step name is in the text")?;
    let step_name = Span::new(step_start, step_start + "summary".len());
    let mut sources = PlanSources::default();
    sources.nodes.insert(
        "summary".to_string(),
        NodeSource {
            file: compilation.main,
            span: Span::new(text.find("step").unwrap_or_default(), text.len() - 3),
            name: step_name,
            options: BTreeMap::new(),
            options_insert_at: Span::empty_at(text.len() - 3),
            has_options_block: false,
        },
    );
    let mut edges = plan.edges.clone();
    edges.push(Edge { from: "inventory".into(), to: "summary".into(), kind: EdgeKind::Data });
    let diagnostics = match escher_compiler::dag::order(&plan.nodes, &edges, &sources) {
        Ok(order) => return Err(format!("an edge from a missing node was accepted: {order:?}").into()),
        Err(diagnostics) => diagnostics,
    };
    if sorted_codes(diagnostics.iter()) != ["E0502"] {
        return Err(format!("expected one E0502, found {diagnostics:?}").into());
    }
    insta_snapshot(name, &snapshot_of(&compilation.sources, &[compilation.main], &diagnostics));
    Ok(())
}

// ---- Snapshots ------------------------------------------------------------------------------------------

/// The compilation's diagnostics, with the main file and every file they point into.
fn snapshot(compilation: &Compilation) -> String {
    let mut files: Vec<FileId> = vec![compilation.main];
    files.extend(compilation.diagnostics.iter().map(|d| d.file));
    files.sort();
    files.dedup();
    let diagnostics: Vec<Diagnostic> = compilation.diagnostics.iter().cloned().collect();
    snapshot_of(&compilation.sources, &files, &diagnostics)
}

/// Gleam-style: the source, then the diagnostics as a person reads them, then as a tool reads them.
fn snapshot_of(sources: &SourceMap, files: &[FileId], diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for &file in files {
        let source = sources.get(file);
        if files.len() == 1 {
            out.push_str("----- SOURCE -----\n");
        } else {
            out.push_str(&format!("----- SOURCE {} -----\n", source.name));
        }
        out.push_str(&source.text);
        if !source.text.ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str("----- ERROR -----\n");
    for diagnostic in diagnostics {
        out.push_str(&render_human(diagnostic, sources, false));
        out.push('\n');
    }
    out.push_str("----- JSON -----\n");
    let json: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut value = serde_json::to_value(to_json(diagnostic, sources)).expect("diagnostics serialize");
            // `rendered` is the text under ERROR; repeating it would only make the snapshot longer.
            value["rendered"] = serde_json::Value::String("(the text under ----- ERROR -----)".into());
            value
        })
        .collect();
    out.push_str(&serde_json::to_string_pretty(&json).expect("JSON values serialize"));
    out.push('\n');
    out
}

/// Snapshot files are named after the fixture: `fixtures__err__E0201_unknown_name.snap`.
fn insta_snapshot(name: &str, content: &str) {
    let snapshot_name = name.trim_end_matches(".esc").replace('/', "__").replace('.', "_");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.set_omit_expression(true);
    settings.set_input_file(fixtures_root().join(name));
    settings.bind(|| insta::assert_snapshot!(snapshot_name, content));
}
