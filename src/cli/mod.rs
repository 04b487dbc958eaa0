//! The `escher` command line: argument parsing and the exit-code contract.

pub mod check;
pub mod explain;
pub mod fmt;
pub mod plan;
pub mod report;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes: 0 success, 1 diagnostics with errors (or `fmt --check` found changes), 2 usage or IO errors.
pub const EXIT_OK: u8 = 0;
pub const EXIT_DIAGNOSTICS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "escher",
    version,
    about = "Compile, plan and run cloud-operations playbooks safely",
    after_help = "Exit codes: 0 success; 1 diagnostics with errors (or `fmt --check` found unformatted files); 2 usage or IO errors."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check playbooks: a .esc file, a Markdown answer with a fenced playbook, or an AI response envelope (.json).
    Check {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show the plan: steps, edges, effects, risk, approvals and blast radius.
    Plan {
        file: std::path::PathBuf,
        /// A parameter value, NAME=VALUE (lists as a,b,c or JSON); repeatable.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
        format: PlanFormat,
    },
    /// Format playbooks in place (canonical, idempotent, comments kept).
    Fmt {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Change nothing; exit 1 and list the files that are not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Explain a diagnostic code, such as E0201.
    Explain { code: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
    Dot,
}

/// Splits `NAME=VALUE`.
pub fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.to_string())),
        _ => Err(format!("--param takes NAME=VALUE, not \"{text}\"")),
    }
}

/// Whether coloured output is wanted: a terminal, and `NO_COLOR` unset.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}
