//! `escher state show` and `escher state sync --from URL`.

use std::path::PathBuf;

use escher_state::StoreUrl;
use escher_state::layout::{CURRENT_VERSION, check_readable, ensure_layout};
use escher_state::mirror::pull;
use escher_state::summary::summarize;

use super::state::{cache_dir, open, tokio, url};
use super::{EXIT_OK, EXIT_USAGE, Format};

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

pub fn run(args: &StateArgs) -> u8 {
    match &args.command {
        StateCommand::Show { format } => show(args, *format),
        StateCommand::Sync { from } => sync(args, from),
    }
}

fn show(args: &StateArgs, format: Format) -> u8 {
    let (url, tokio) = match url(args.state.as_deref()).and_then(|url| Ok((url, tokio()?))) {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let store = match open(&url) {
        Ok(store) => store,
        Err(code) => return code,
    };
    let summary = match tokio.block_on(async {
        check_readable(&store).await?;
        summarize(&store).await
    }) {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_USAGE;
        }
    };
    if format == Format::Json {
        outln!("{}", serde_json::to_string(&summary).unwrap_or_default());
        return EXIT_OK;
    }
    outln!("{}", human(&summary, &url));
    EXIT_OK
}

/// `state show`'s text.
pub fn human(summary: &escher_state::summary::StateSummary, url: &StoreUrl) -> String {
    let kind = match url {
        StoreUrl::Local(_) => "a local directory".to_string(),
        remote => format!("a bucket; local copy in {}", cache_dir(remote).display()),
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

fn sync(args: &StateArgs, from: &str) -> u8 {
    let source_url = match StoreUrl::parse(from) {
        Ok(url) => url,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_USAGE;
        }
    };
    let target_url = match url(args.state.as_deref()) {
        Ok(url) => url,
        Err(code) => return code,
    };
    let target_dir = match &target_url {
        StoreUrl::Local(dir) => dir.clone(),
        remote => cache_dir(remote),
    };
    let (source, tokio) = match open(&source_url).and_then(|store| Ok((store, tokio()?))) {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let target = escher_state::Store::local(&target_dir);
    let result = tokio.block_on(async {
        check_readable(&source).await?;
        check_readable(&target).await?;
        let report = pull(&source, &target_dir).await?;
        ensure_layout(&target).await?;
        let runs = escher_state::runs::journal_run_ids(&target).await?.len();
        Ok::<_, escher_state::StoreError>((report, runs))
    });
    match result {
        Ok((report, runs)) => {
            outln!(
                "synced {} from {source_url}: {} objects copied, {} log bytes appended; {runs} runs here now",
                target_dir.display(),
                report.objects,
                report.log_bytes
            );
            EXIT_OK
        }
        Err(error) => {
            eprintln!("error: {error}");
            EXIT_USAGE
        }
    }
}
