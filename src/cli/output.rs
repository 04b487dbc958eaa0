//! How much the command line says, and whether in colour: `--color auto|always|never` (auto: on a terminal, unless
//! `NO_COLOR` is set), `-q` (results and errors only: no plan before a run, no progress) and `-v` (each step's
//! start and progress as lines too). Set once from the flags before the command runs.

use std::io::IsTerminal;
use std::sync::OnceLock;

use anstyle::{AnsiColor, Style};
use escher_compiler::plan::RiskLevel;
use escher_compiler::plan::render::Tone;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// The flags every command takes.
#[derive(Debug, Default, clap::Args)]
pub struct OutputArgs {
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub color: ColorChoice,
    /// Say only results and errors: no plan before a run, no progress.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also show each step as it starts, and its progress.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

struct Settings {
    color: ColorChoice,
    verbosity: Verbosity,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Takes the flags; the first call wins.
pub fn set(args: &OutputArgs) {
    let verbosity = match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let _ = SETTINGS.set(Settings { color: args.color, verbosity });
}

pub fn verbosity() -> Verbosity {
    SETTINGS.get().map_or(Verbosity::Normal, |settings| settings.verbosity)
}

fn color(is_terminal: bool) -> bool {
    match SETTINGS.get().map_or(ColorChoice::Auto, |settings| settings.color) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && is_terminal,
    }
}

/// Whether what goes to stderr (diagnostics, progress) is coloured.
pub fn color_stderr() -> bool {
    color(std::io::stderr().is_terminal())
}

/// Whether what goes to stdout (the plan, the summary) is coloured.
pub fn color_stdout() -> bool {
    color(std::io::stdout().is_terminal())
}

fn painted(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// A plan table cell's colour: risk from green to red, approvals in yellow, the header bold.
pub fn paint_plan(tone: Tone, text: String) -> String {
    let style = match tone {
        Tone::Heading => Style::new().bold(),
        Tone::Risk(RiskLevel::Low) => AnsiColor::Green.on_default(),
        Tone::Risk(RiskLevel::Medium) => AnsiColor::Yellow.on_default(),
        Tone::Risk(RiskLevel::High) => AnsiColor::Red.on_default(),
        Tone::Risk(RiskLevel::Critical) => AnsiColor::Red.on_default().bold(),
        Tone::Approval => AnsiColor::Yellow.on_default(),
    };
    painted(style, &text)
}

/// A progress line coloured by the mark it starts with: done green, failed red, waiting yellow, skipped dim.
pub fn paint_line(line: &str) -> String {
    let style = match line.chars().next() {
        Some('✓') => AnsiColor::Green.on_default(),
        Some('✗') => AnsiColor::Red.on_default(),
        Some('⏸' | '?' | '◐') => AnsiColor::Yellow.on_default(),
        Some('↷') => Style::new().dimmed(),
        Some('↺') => AnsiColor::Magenta.on_default(),
        _ => return line.to_string(),
    };
    painted(style, line)
}

/// The plan as a person reads it, coloured when stdout is.
pub fn plan_table(plan: &escher_compiler::plan::Plan) -> String {
    if color_stdout() {
        escher_compiler::plan::render::human_painted(plan, &paint_plan)
    } else {
        escher_compiler::plan::render::human(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_coloured_by_its_mark_and_keeps_its_text() {
        let failed = paint_line("✗ stop: Failed");
        assert!(failed.starts_with("\u{1b}[") && failed.contains("✗ stop: Failed"), "{failed:?}");
        assert_eq!(paint_line("running nightly: 4 nodes"), "running nightly: 4 nodes");
    }
}
