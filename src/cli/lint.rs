//! `escher lint FILE...`: the lint rules (`escher_compiler::lint`) over playbooks that compile, at the levels of
//! the nearest `escher.toml`, as text, JSON lines or one SARIF log.

use std::path::{Component, Path, PathBuf};

use clap::ValueEnum;
use escher::FsLoader;
use escher_compiler::diagnostics::{Diagnostic, Severity, render_human, to_json};
use escher_compiler::lint::{LintSettings, lint, sarif};
use escher_compiler::{Compilation, CompileOptions, compile_input_bytes};

use super::report::plural;
use super::{CliError, EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, Outcome, read_bytes_or_say};

/// The file that sets rule levels, in its `[lint]` table.
pub const CONFIG_FILE: &str = "escher.toml";

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Rendered diagnostics on stderr.
    Human,
    /// One rustc-style JSON diagnostic per line on stdout.
    Json,
    /// One SARIF 2.1.0 log on stdout.
    Sarif,
}

/// One file's compilation and what to report of it: its compile diagnostics, or, when it compiled, its findings.
struct Linted {
    compilation: Compilation,
    diagnostics: Vec<Diagnostic>,
}

/// Lints every file, reporting an unreadable one or an invalid `escher.toml` and going on; the worst outcome is
/// the exit code (1 for a finding at the error level or a compile error).
pub fn run(args: &LintArgs, color: bool) -> Outcome {
    let mut exit = EXIT_OK;
    let state = super::state::state_dir(None);
    let policy = super::policy::risk_policy_in_force(&state)?;
    let mut linted = Vec::new();
    for path in &args.files {
        let settings = match settings_for(path) {
            Ok(settings) => settings,
            Err(error) => {
                eprintln!("{}", error.render());
                exit = EXIT_USAGE;
                continue;
            }
        };
        let Some((name, bytes)) = read_bytes_or_say(path) else {
            exit = EXIT_USAGE;
            continue;
        };
        let mut options = CompileOptions::check(&FsLoader);
        options.policy = policy.clone();
        let compilation = compile_input_bytes(&name, &bytes, &options);
        // With an inventory in the state, bounds are judged against what the estate holds today.
        let settings = match compilation.plan.as_ref().map(|plan| super::inventory::targets_today(plan, &state)) {
            Some(Ok(Some(targets))) => settings.with_targets_today(targets),
            Some(Err(problem)) => {
                eprintln!("warning: the inventory is not used: {problem}");
                settings
            }
            _ => settings,
        };
        let diagnostics: Vec<Diagnostic> = if compilation.has_errors() {
            compilation.diagnostics.iter().cloned().collect()
        } else {
            compilation.diagnostics.iter().cloned().chain(lint(&compilation, &settings)).collect()
        };
        if diagnostics.iter().any(Diagnostic::is_error) && exit == EXIT_OK {
            exit = EXIT_DIAGNOSTICS;
        }
        let file = Linted { compilation, diagnostics };
        match args.format {
            LintFormat::Human => print_human(&name, &file, color),
            LintFormat::Json => print_json(&file),
            LintFormat::Sarif => linted.push(file),
        }
    }
    if args.format == LintFormat::Sarif {
        print_sarif(&linted)?;
    }
    Ok(exit)
}

fn print_human(name: &str, file: &Linted, color: bool) {
    let count = |severity: Severity| file.diagnostics.iter().filter(|d| d.severity() == severity).count();
    for diagnostic in &file.diagnostics {
        eprint!("{}", render_human(diagnostic, &file.compilation.sources, color));
    }
    let (errors, warnings, notes) = (count(Severity::Error), count(Severity::Warning), count(Severity::Note));
    if errors + warnings + notes == 0 {
        eprintln!("ok: {name}");
    } else {
        eprintln!("{name}: {}, {}, {}", plural(errors, "error"), plural(warnings, "warning"), plural(notes, "note"));
    }
}

fn print_json(file: &Linted) {
    for diagnostic in &file.diagnostics {
        outln!("{}", serde_json::to_string(&to_json(diagnostic, &file.compilation.sources)).unwrap_or_default());
    }
}

fn print_sarif(linted: &[Linted]) -> Result<(), CliError> {
    let checked: Vec<sarif::Checked<'_>> = linted
        .iter()
        .map(|file| sarif::Checked { sources: &file.compilation.sources, diagnostics: &file.diagnostics })
        .collect();
    let tool = sarif::Tool {
        name: "escher",
        version: env!("CARGO_PKG_VERSION"),
        information_uri: Some(env!("CARGO_PKG_HOMEPAGE")).filter(|uri| !uri.is_empty()),
    };
    let cwd =
        std::env::current_dir().map_err(|e| CliError::Usage(format!("cannot read the current directory: {e}")))?;
    let log = sarif::log(tool, &checked, &|name: &str| sarif::uri_reference(&relative_to(&cwd, Path::new(name))));
    let text =
        serde_json::to_string_pretty(&log).map_err(|e| CliError::Usage(format!("cannot write the SARIF log: {e}")))?;
    outln!("{text}");
    Ok(())
}

/// `path` relative to `base`, with `/` separators (`..` where it lies outside); a relative path is taken as
/// relative to `base` already.
fn relative_to(base: &Path, path: &Path) -> String {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { base.join(path) };
    let normal = |p: &Path| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for component in p.components() {
            match component {
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                _ => {}
            }
        }
        parts
    };
    let (from, to) = (normal(base), normal(&absolute));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(to[common..].iter().cloned());
    parts.join("/")
}

/// The settings of the `escher.toml` nearest to `playbook` (its directory, then each one above it), else the
/// current directory's; the defaults where there is none.
fn settings_for(playbook: &Path) -> Result<LintSettings, CliError> {
    let directory = std::path::absolute(playbook).ok().and_then(|p| p.parent().map(Path::to_path_buf));
    let found = directory
        .iter()
        .flat_map(|directory| directory.ancestors())
        .map(|directory| directory.join(CONFIG_FILE))
        .chain(std::iter::once(PathBuf::from(CONFIG_FILE)))
        .find(|candidate| candidate.is_file());
    match found {
        Some(path) => read_settings(&path),
        None => Ok(LintSettings::default()),
    }
}

/// The `[lint]` table of a config file: each key a rule (id or name), each value a level.
fn read_settings(path: &Path) -> Result<LintSettings, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read { path: path.to_path_buf(), source })?;
    let invalid = |problem: String| CliError::Usage(format!("{}: {problem}", path.display()));
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| invalid(e.message().to_string()))?;
    let Some(lint_table) = table.get("lint") else { return Ok(LintSettings::default()) };
    let lint_table = lint_table.as_table().ok_or_else(|| invalid("`lint` must be a table: [lint]".into()))?;
    let mut entries = Vec::new();
    for (rule, level) in lint_table {
        let level = level
            .as_str()
            .ok_or_else(|| invalid(format!("the level of `{rule}` must be a string such as \"deny\"")))?;
        entries.push((rule.as_str(), level));
    }
    LintSettings::parse(entries).map_err(|problems| invalid(problems.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::relative_to;
    use std::path::Path;

    #[test]
    fn paths_are_made_relative_to_the_current_directory() {
        let base = Path::new("/work/repo");
        assert_eq!(relative_to(base, Path::new("examples/a.esc")), "examples/a.esc");
        assert_eq!(relative_to(base, Path::new("/work/repo/x/./b.esc")), "x/b.esc");
        assert_eq!(relative_to(base, Path::new("/work/other/c.esc")), "../other/c.esc");
        assert_eq!(relative_to(base, Path::new("../d.esc")), "../d.esc");
    }
}
