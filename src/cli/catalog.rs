//! `escher catalog [--format prompt|json] [--clouds aws,azure] [--only ec2,compute.stop]`: the stdlib sized for
//! a model's prompt (`escher_compiler::stdlib::brief`): every action and query with its parameters, defaults,
//! effect and notes, and every type they mention, as a compact text block or as JSON.

use escher_compiler::stdlib::{Cloud, Selection, brief, catalog};

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogFormat {
    /// A compact text block for a system prompt.
    Prompt,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    #[arg(long, value_enum, default_value_t = CatalogFormat::Prompt)]
    pub format: CatalogFormat,
    /// Only these clouds' actions and queries (and the cloud-agnostic ones): aws, azure, gcp.
    #[arg(long, value_name = "CLOUDS", value_delimiter = ',', value_parser = |text: &str| text.parse::<Cloud>())]
    pub clouds: Vec<Cloud>,
    /// Only actions and queries whose name contains one of these (`ec2`, `compute.stop`).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub only: Vec<String>,
}

pub fn run(args: &CatalogArgs) -> Outcome {
    let selection = Selection { clouds: args.clouds.clone(), only: args.only.clone() };
    let brief = brief(catalog(), &selection);
    if brief.queries.is_empty() && brief.actions.is_empty() {
        return Err(CliError::Usage(format!(
            "no stdlib action or query matches --only {}; `escher actions` lists them all",
            args.only.join(",")
        )));
    }
    match args.format {
        CatalogFormat::Prompt => out!("{}", brief.to_prompt()),
        CatalogFormat::Json => outln!("{}", serde_json::to_string(&brief).map_err(|e| CliError::Usage(e.to_string()))?),
    }
    Ok(EXIT_OK)
}
