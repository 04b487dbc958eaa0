//! `escher audit verify [--anchor DIR [--runner KEY]]` and `escher audit export`.

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
    Verify {
        /// Also check the log against the heads its runner signed into this approvals store at the end of each
        /// governed run: a log rewritten and re-chained, or cut short, since then is found.
        #[arg(long, value_name = "DIR")]
        anchor: Option<PathBuf>,
        /// The runner's public key whose heads to check (default: the key of the identity in the state; give it
        /// when checking someone else's log, so a replaced identity file cannot hide their heads).
        #[arg(long, value_name = "KEY", requires = "anchor")]
        runner: Option<String>,
    },
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
    match &args.command {
        AuditCommand::Verify { anchor, runner } => run_verify(state, anchor.as_deref(), runner.as_deref()),
        AuditCommand::Export { format: ExportChoice::Jsonl } => run_export(state, ExportFormat::Jsonl),
        AuditCommand::Export { format: ExportChoice::Csv } => run_export(state, ExportFormat::Csv),
    }
}

/// The audit log's chain and anchor, then every run's journal (its chain, and the records the audit log vouches
/// for): a damaged file is named with the line where the damage is.
fn run_verify(state: &Path, anchor: Option<&Path>, runner: Option<&str>) -> Outcome {
    let report = verify(state).map_err(|error| CliError::Usage(error.to_string()))?;
    outln!("{report}");
    if !report.is_intact() {
        return Ok(EXIT_DIAGNOSTICS);
    }
    let damaged = damaged_journals(state);
    for damage in &damaged {
        outln!("damaged journal: {damage}");
    }
    let anchored = match anchor {
        Some(dir) => anchored_heads_hold(state, dir, runner)?,
        None => true,
    };
    Ok(if damaged.is_empty() && anchored { EXIT_OK } else { EXIT_DIAGNOSTICS })
}

/// Whether the log still holds every head its runner anchored in `dir`, saying which does not.
fn anchored_heads_hold(state: &Path, dir: &Path, runner: Option<&str>) -> Result<bool, CliError> {
    use escher_governance::audit_head::{check_log, heads_of};
    use escher_governance::identity::Identity;
    let key = match runner {
        Some(key) => key.to_string(),
        None => Identity::load(&Identity::path(state))?.public_key(),
    };
    let (heads, ignored) = heads_of(&escher_governance::approvals::ApprovalsDir::new(dir), &key);
    if ignored > 0 {
        outln!("anchors: {ignored} file(s) under {} are not heads signed by {key}; ignored", dir.display());
    }
    let records = escher_runtime::audit::records(state).map_err(|error| CliError::Usage(error.to_string()))?;
    let records: Vec<(u64, String)> = records.into_iter().map(|record| (record.seq, record.hash)).collect();
    match check_log(&heads, &records) {
        Ok(held) => {
            outln!("anchors: {held} head(s) signed by {key} hold");
            Ok(true)
        }
        Err(broken) => {
            outln!("anchors: {broken}");
            Ok(false)
        }
    }
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
