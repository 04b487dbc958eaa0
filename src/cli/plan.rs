//! `escher plan FILE [--param NAME=VALUE]... [--format human|json|dot] [--state DIR]`

use std::path::PathBuf;

use escher::FsLoader;
use escher_compiler::plan::render::{dot, human};
use escher_compiler::{CompileOptions, compile_input};

use super::report::print_diagnostics;
use super::{EXIT_DIAGNOSTICS, EXIT_OK, Format, Outcome, PlanFormat, parse_params, read_source};

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
}

pub fn run(args: &PlanArgs, color: bool) -> Outcome {
    let state = super::state::state_dir(args.state.as_deref());
    let format = args.format;
    let given = parse_params(&args.params)?;
    let (name, text) = read_source(&args.file)?;
    let mut options = CompileOptions::plan(&FsLoader, given);
    options.policy = super::policy::risk_policy_in_force(&state)?;
    let compilation = compile_input(&name, &text, &options);
    let diagnostics_format = if format == PlanFormat::Json { Format::Json } else { Format::Human };
    let (errors, _) = print_diagnostics(&compilation, diagnostics_format, color);
    let Some(plan) = compilation.plan.filter(|_| errors == 0) else {
        return Ok(EXIT_DIAGNOSTICS);
    };
    match format {
        PlanFormat::Json => outln!("{}", serde_json::to_string_pretty(&plan).unwrap_or_default()),
        PlanFormat::Dot => out!("{}", dot(&plan)),
        PlanFormat::Human => {
            out!("{}", human(&plan));
            // With an AWS inventory in the state directory, what each step's query matches today.
            if let Some(lines) = super::inventory::blast_lines(&plan, &state) {
                out!("\n{lines}");
            }
        }
    }
    Ok(EXIT_OK)
}
