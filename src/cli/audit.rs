//! `escher audit verify` and `escher audit export`.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use escher_runtime::audit::{ExportFormat, export, verify};

use super::{CliError, EXIT_DIAGNOSTICS, EXIT_OK, Outcome};

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
    #[arg(long, value_name = "DIR|URL", global = true)]
    pub state: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain; report the first record that was edited, removed, inserted or reordered.
    Verify,
    /// Print the audit log.
    Export {
        #[arg(long, value_enum, default_value_t = ExportChoice::Jsonl)]
        format: ExportChoice,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportChoice {
    Jsonl,
    Csv,
}

pub fn run(state: &Path, args: &AuditArgs) -> Outcome {
    match args.command {
        AuditCommand::Verify => run_verify(state),
        AuditCommand::Export { format: ExportChoice::Jsonl } => run_export(state, ExportFormat::Jsonl),
        AuditCommand::Export { format: ExportChoice::Csv } => run_export(state, ExportFormat::Csv),
    }
}

/// The audit log's chain and anchor, then every run's journal (its chain, and the records the audit log vouches
/// for): a damaged file is named with the line where the damage is.
fn run_verify(state: &Path) -> Outcome {
    let report = verify(state).map_err(|error| CliError::Usage(error.to_string()))?;
    outln!("{report}");
    if !report.is_intact() {
        return Ok(EXIT_DIAGNOSTICS);
    }
    let damaged = damaged_journals(state);
    for damage in &damaged {
        outln!("damaged journal: {damage}");
    }
    Ok(if damaged.is_empty() { EXIT_OK } else { EXIT_DIAGNOSTICS })
}

/// Why each run's journal that does not check out is damaged.
fn damaged_journals(state: &Path) -> Vec<String> {
    match escher_runtime::journal::damaged_journals(state) {
        Ok(damaged) => damaged.iter().map(ToString::to_string).collect(),
        Err(error) => vec![error.to_string()],
    }
}

fn run_export(state: &Path, format: ExportFormat) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    export(state, format, &mut stdout).map_err(|error| CliError::Usage(error.to_string()))?;
    Ok(EXIT_OK)
}
