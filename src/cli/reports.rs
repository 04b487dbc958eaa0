//! `escher report RUN_ID [--format text|csv|json|md] [--step S] [--write]`: a finished run's reports again, from
//! its journal.

use std::path::{Path, PathBuf};

use escher_engine::reports::{Report, default_dir, reports, write};
use escher_runtime::journal::read_state;

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    pub run_id: String,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Only this step's report.
    #[arg(long, value_name = "STEP")]
    pub step: Option<String>,
    /// Write the report files again (under <state>/reports/RUN_ID, or --dir).
    #[arg(long)]
    pub write: bool,
    #[arg(long, value_name = "DIR", requires = "write")]
    pub dir: Option<PathBuf>,
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Csv,
    Json,
    Md,
}

pub fn run(state: &Path, args: &ReportArgs) -> Outcome {
    let run_id = &args.run_id;
    let journal = read_state(state, run_id).map_err(|error| CliError::Usage(error.to_string()))?;
    let plan =
        journal.plan.as_ref().ok_or_else(|| CliError::Usage(format!("run {run_id} has no plan in its journal")))?;
    let steps = plan.nodes.iter().filter_map(|node| {
        let (_, output) = journal.finished.get(&node.id)?;
        Some((node.id.as_str(), node.action.as_str(), output))
    });
    let found: Vec<Report> = reports(steps)
        .into_iter()
        .filter(|report| args.step.as_deref().is_none_or(|step| report.step() == step))
        .collect();
    if found.is_empty() {
        let which = args.step.as_deref().map_or_else(String::new, |step| format!(" from step `{step}`"));
        return Err(CliError::Usage(format!("run {run_id} has no report{which}")));
    }
    for report in &found {
        match args.format {
            ReportFormat::Text => out!("{}\n", report.to_text(usize::MAX, usize::MAX, usize::MAX)),
            ReportFormat::Csv => out!("{}", report.to_csv()),
            ReportFormat::Json => outln!("{}", report.to_json()),
            ReportFormat::Md => out!("{}\n", report.to_markdown()),
        }
    }
    if args.write {
        let dir = args.dir.clone().unwrap_or_else(|| default_dir(state, run_id));
        write(&dir, &found).map_err(|error| CliError::Usage(format!("cannot write to {}: {error}", dir.display())))?;
        eprintln!("reports written to {}", dir.display());
    }
    Ok(EXIT_OK)
}
