//! `escher state show` and `escher state sync --from URL`.

use std::path::PathBuf;

use escher_engine::state::StateLocation;
use escher_state::layout::{CURRENT_VERSION, check_readable, ensure_layout};
use escher_state::mirror::pull;
use escher_state::summary::summarize;

use super::state::{location, open, tokio};
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
    let store = open(&location)?;
    let summary = tokio()?.block_on(async {
        check_readable(&store).await?;
        summarize(&store).await
    })?;
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
    let source_location = StateLocation::parse(from)?;
    let target_dir = location(args.state.as_deref())?.dir().to_path_buf();
    let source = open(&source_location)?;
    let target = escher_state::Store::local(&target_dir);
    let (report, runs) = tokio()?.block_on(async {
        check_readable(&source).await?;
        check_readable(&target).await?;
        let report = pull(&source, &target_dir).await?;
        ensure_layout(&target).await?;
        let runs = escher_state::runs::journal_run_ids(&target).await?.len();
        Ok::<_, escher_state::StoreError>((report, runs))
    })?;
    outln!(
        "synced {} from {source_location}: {} objects copied, {} log bytes appended; {runs} runs here now",
        target_dir.display(),
        report.objects,
        report.log_bytes
    );
    Ok(EXIT_OK)
}
