//! `escher plan FILE [--param NAME=VALUE]... [--format human|json|dot] [--state DIR] [--estate FILE | --cloud sim]`

use std::path::PathBuf;

use escher::FsLoader;
use escher_compiler::plan::Plan;
use escher_compiler::plan::render::dot;
use escher_compiler::{CompileOptions, compile_input_bytes};

use super::report::{print_diagnostics, print_diagnostics_beside_json};
use super::{CliError, EXIT_DIAGNOSTICS, EXIT_OK, Format, Outcome, PlanFormat, parse_params, read_bytes};

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    pub file: PathBuf,
    /// A parameter value, NAME=VALUE (lists as a,b,c or JSON); repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// The state whose policy and inventory the plan uses (default: $ESCHER_STATE, else the XDG data
    /// directory).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Also save the plan here, to be run exactly as reviewed: `escher run FILE` refuses it if the playbook, its
    /// imports, the stdlib or the parameters would now give another plan.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Read this simulated estate (JSON, as `run --estate` takes it) and show, under the plan, each resource
    /// every step would change: a dry run on the simulator that changes nothing and records no run.
    #[arg(long, value_name = "FILE")]
    pub estate: Option<PathBuf>,
    /// `sim`: the same on the built-in demo estate. (For AWS, the plan already shows what each query matches in
    /// the state's inventory: `escher inventory --cloud aws`.)
    #[arg(long, value_name = "NAME", value_parser = ["sim"])]
    pub cloud: Option<String>,
}

pub fn run(args: &PlanArgs, color: bool) -> Outcome {
    let state = super::state::state_dir(args.state.as_deref());
    let format = args.format;
    let given = parse_params(&args.params)?;
    let (name, bytes) = read_bytes(&args.file)?;
    let mut options = CompileOptions::plan(&FsLoader, given);
    options.policy = super::policy::risk_policy_in_force(&state)?;
    let compilation = compile_input_bytes(&name, &bytes, &options);
    // With `--format json`, stdout is the plan and nothing else: the diagnostics, as JSON lines, go to stderr.
    let (errors, _) = match format {
        PlanFormat::Json => print_diagnostics_beside_json(&compilation, color),
        PlanFormat::Human | PlanFormat::Dot => print_diagnostics(&compilation, Format::Human, color),
    };
    let Some(plan) = compilation.plan.filter(|_| errors == 0) else {
        return Ok(EXIT_DIAGNOSTICS);
    };
    if let Some(out) = &args.out {
        save(out, &args.file, &args.params, &plan)?;
    }
    let previewed = args.estate.is_some() || args.cloud.as_deref() == Some("sim");
    match format {
        // With a preview, the plan's document gains `preview`: each step's changes, as a run report has them.
        PlanFormat::Json if previewed => {
            let mut document = serde_json::to_value(&plan).unwrap_or_default();
            let report = preview(plan, args.estate.as_deref())?;
            let changes: serde_json::Map<String, serde_json::Value> = report
                .steps
                .iter()
                .filter(|step| !step.changes.is_empty())
                .map(|step| (step.node.clone(), serde_json::to_value(&step.changes).unwrap_or_default()))
                .collect();
            document["preview"] = serde_json::json!({ "steps": changes });
            outln!("{}", serde_json::to_string_pretty(&document).unwrap_or_default());
        }
        PlanFormat::Json => outln!("{}", serde_json::to_string_pretty(&plan).unwrap_or_default()),
        PlanFormat::Dot => out!("{}", dot(&plan)),
        PlanFormat::Human => {
            out!("{}", super::output::plan_table(&plan));
            // With an AWS inventory in the state directory, what each step's query matches today.
            if let Some(lines) = super::inventory::blast_lines(&plan, &state) {
                out!("\n{lines}");
            }
            if previewed {
                let report = preview(plan, args.estate.as_deref())?;
                out!("\n{}", escher_runtime::report::text::resource_diff(&report));
            }
        }
    }
    Ok(EXIT_OK)
}

/// Each step's resources with what would change, from a dry run on the simulated estate (the engine's
/// `preview`: read-only, no run recorded).
fn preview(plan: Plan, estate: Option<&std::path::Path>) -> Result<escher_runtime::report::RunReport, CliError> {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(CliError::Async)?;
    Ok(tokio.block_on(escher_engine::preview(plan, estate))?)
}

/// Writes the plan with what it was compiled from (see `escher_engine::SavedPlan`).
fn save(out: &std::path::Path, file: &std::path::Path, params: &[String], plan: &Plan) -> Result<(), CliError> {
    let mut given = std::collections::BTreeMap::new();
    for param in params {
        let (name, value) = super::parse_param(param).map_err(CliError::Usage)?;
        given.insert(name, value);
    }
    let source = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let saved = escher_engine::SavedPlan::new(source, given, plan.clone());
    let text = serde_json::to_string_pretty(&saved).map_err(|error| CliError::Usage(error.to_string()))?;
    std::fs::write(out, text + "\n")
        .map_err(|error| CliError::Usage(format!("cannot write the plan to {}: {error}", out.display())))?;
    eprintln!(
        "plan {} saved to {}: `escher run {}` runs exactly it",
        &plan.hash[..16.min(plan.hash.len())],
        out.display(),
        out.display()
    );
    Ok(())
}
