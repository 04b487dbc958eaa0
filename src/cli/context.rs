//! `escher context`: the estate as a model may see it (`escher_engine::context`), every identifier replaced by a
//! pseudonym under this machine's key; and `escher context --unmask FILE`, which maps the pseudonyms in a
//! playbook the model wrote back to the identifiers they stand for, before it is checked or run.

use std::path::PathBuf;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_engine::context::{ContextOptions, Pseudonyms, Unmask, context, inventory_resources};

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ContextFormat {
    /// A compact text block for a prompt.
    Prompt,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ContextArgs {
    #[arg(long, value_enum, default_value_t = ContextFormat::Prompt)]
    pub format: ContextFormat,
    /// Only these clouds' resources: aws, azure, gcp.
    #[arg(long, value_name = "CLOUDS", value_delimiter = ',', value_parser = |text: &str| text.parse::<Cloud>())]
    pub clouds: Vec<Cloud>,
    /// A tag key whose values are shown as they are (besides env, environment, stage and tier).
    #[arg(long = "show-tag", value_name = "KEY")]
    pub show_tags: Vec<String>,
    /// The simulated estate to describe (a JSON estate file; default: the built-in demo estate).
    #[arg(long, value_name = "FILE", conflicts_with = "inventory")]
    pub estate: Option<PathBuf>,
    /// Describe the inventories in the state directory (`escher inventory`) instead.
    #[arg(long)]
    pub inventory: bool,
    /// Print FILE with every pseudonym replaced by what it stands for (a playbook the model wrote).
    #[arg(long, value_name = "FILE")]
    pub unmask: Option<PathBuf>,
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

pub fn run(args: &ContextArgs) -> Outcome {
    let state = super::state::state_dir(args.state.as_deref());
    let resources = resources(args, &state)?;
    let pseudonyms = Pseudonyms::load_or_create(&state).map_err(|error| {
        CliError::Usage(format!("cannot read or make the context key in {}: {error}", state.display()))
    })?;
    if let Some(file) = &args.unmask {
        let text = std::fs::read_to_string(file)
            .map_err(|error| CliError::Usage(format!("cannot read {}: {error}", file.display())))?;
        let (unmasked, unknown) = Unmask::of(&resources, &pseudonyms).apply(&text);
        if !unknown.is_empty() {
            return Err(CliError::Refused(format!(
                "{} names pseudonyms that stand for nothing in this estate: {}",
                file.display(),
                unknown.join(", ")
            )));
        }
        out!("{unmasked}");
        return Ok(EXIT_OK);
    }
    let options = ContextOptions { clouds: args.clouds.clone(), shown_tags: args.show_tags.clone() };
    let context = context(&resources, &pseudonyms, &options);
    match args.format {
        ContextFormat::Prompt => out!("{}", context.to_prompt()),
        ContextFormat::Json => {
            outln!("{}", serde_json::to_string(&context).map_err(|error| CliError::Usage(error.to_string()))?)
        }
    }
    Ok(EXIT_OK)
}

fn resources(args: &ContextArgs, state: &std::path::Path) -> Result<Vec<Value>, CliError> {
    if args.inventory {
        return inventory_resources(state).map_err(CliError::Usage);
    }
    let sim = match &args.estate {
        Some(file) => escher_sim::Sim::from_file(file)
            .map_err(|error| CliError::Usage(format!("cannot read the estate {}: {error}", file.display())))?,
        None => escher_sim::Sim::demo(),
    };
    Ok(sim.resources())
}
