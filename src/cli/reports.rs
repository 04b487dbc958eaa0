//! `escher report RUN_ID [--format text|csv|json|md|html] [--step S] [--write]`: a finished run's reports again,
//! from its journal.

use std::path::{Path, PathBuf};

use escher_engine::reports::{Report, RunHeading, default_dir, page, reports, write};
use escher_runtime::journal::read_run;

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    pub run_id: String,
    /// html: one page of the reports, as the run's report.html.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Only this step's report.
    #[arg(long, value_name = "STEP")]
    pub step: Option<String>,
    /// Write all the run's report files again, report.html included (under <state>/reports/RUN_ID, or --dir).
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
    Html,
}

pub fn run(state: &Path, args: &ReportArgs) -> Outcome {
    let run_id = &args.run_id;
    let (journal, records) = read_run(state, run_id).map_err(|error| CliError::Usage(error.to_string()))?;
    let no_plan = || CliError::Usage(format!("run {run_id} has no plan in its journal"));
    let plan = journal.plan.as_ref().ok_or_else(no_plan)?;
    let heading = RunHeading::from_journal(&records).ok_or_else(no_plan)?;
    let steps = plan.nodes.iter().filter_map(|node| {
        let (_, output) = journal.finished.get(&node.id)?;
        Some((node.id.as_str(), node.action.as_str(), output))
    });
    let all = reports(steps);
    let found: Vec<Report> =
        all.iter().filter(|report| args.step.as_deref().is_none_or(|step| report.step() == step)).cloned().collect();
    if found.is_empty() {
        let which = args.step.as_deref().map_or_else(String::new, |step| format!(" from step `{step}`"));
        return Err(CliError::Usage(format!("run {run_id} has no report{which}")));
    }
    let shown: String = match args.format {
        ReportFormat::Text => {
            found.iter().map(|report| report.to_text(usize::MAX, usize::MAX, usize::MAX) + "\n").collect()
        }
        ReportFormat::Csv => found.iter().map(Report::to_csv).collect(),
        ReportFormat::Json => found.iter().map(|report| format!("{}\n", report.to_json())).collect(),
        ReportFormat::Md => found.iter().map(|report| report.to_markdown() + "\n").collect(),
        ReportFormat::Html => {
            page(&heading, &found).map_err(|error| CliError::Usage(format!("cannot make the page: {error}")))?
        }
    };
    out!("{shown}");
    if args.write {
        let dir = args.dir.clone().unwrap_or_else(|| default_dir(state, run_id));
        write(&dir, &heading, &all)
            .map_err(|error| CliError::Usage(format!("cannot write to {}: {error}", dir.display())))?;
        eprintln!("reports written to {}", dir.display());
    }
    Ok(EXIT_OK)
}
