//! `escher state show` and `escher state sync --from URL`.

use std::path::PathBuf;

use escher_engine::state::StateLocation;
use escher_state::layout::CURRENT_VERSION;

use super::state::{location, tokio};
use super::{EXIT_OK, Format, Outcome};

#[derive(Debug, clap::Args)]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
    /// The state: a directory or s3://, az://, gs:// URL (default: $ESCHER_STATE, else the XDG data directory).
    #[arg(long, value_name = "DIR|URL", global = true)]
    pub state: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum StateCommand {
    /// Where state lives, its layout version, and what it holds.
    Show {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Bring the local state up to date from a bucket (or another state directory).
    Sync {
        /// Where to copy from: s3://bucket/prefix, az://container/prefix, gs://bucket/prefix or a directory.
        #[arg(long, value_name = "URL")]
        from: String,
    },
}

pub fn run(args: &StateArgs) -> Outcome {
    match &args.command {
        StateCommand::Show { format } => show(args, *format),
        StateCommand::Sync { from } => sync(args, from),
    }
}

fn show(args: &StateArgs, format: Format) -> Outcome {
    let location = location(args.state.as_deref())?;
    let summary = tokio()?.block_on(location.summary())?;
    if format == Format::Json {
        outln!("{}", serde_json::to_string(&summary).unwrap_or_default());
        return Ok(EXIT_OK);
    }
    outln!("{}", human(&summary, &location));
    Ok(EXIT_OK)
}

/// `state show`'s text.
pub fn human(summary: &escher_state::summary::StateSummary, location: &StateLocation) -> String {
    let kind = if location.is_local() {
        "a local directory".to_string()
    } else {
        format!("a bucket; local copy in {}", location.dir().display())
    };
    let layout = match summary.layout_version {
        None => "none yet (empty)".to_string(),
        Some(version) if version < CURRENT_VERSION => {
            format!("version {version} (older: the next command that uses it migrates it to {CURRENT_VERSION})")
        }
        Some(version) => format!("version {version}"),
    };
    format!(
        "state:        {} ({kind})\nlayout:       {layout}\nruns:         {}\naudit:        {} records\nschedules:    {} ({} occurrences recorded)\napprovals:    {}\ninventory:    {}\nlocks:        {}",
        summary.location,
        summary.runs,
        summary.audit_records,
        summary.schedules,
        summary.occurrences,
        summary.approvals,
        summary.inventory,
        summary.locks
    )
}

fn sync(args: &StateArgs, from: &str) -> Outcome {
    let source = StateLocation::parse(from)?;
    let target = location(args.state.as_deref())?;
    let (report, runs) = tokio()?.block_on(target.sync_from(&source))?;
    outln!(
        "synced {} from {source}: {} objects copied, {} log bytes appended; {runs} runs here now",
        target.dir().display(),
        report.objects,
        report.log_bytes
    );
    Ok(EXIT_OK)
}
