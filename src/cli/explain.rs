//! `escher explain CODE`: a diagnostic code's or a lint rule's explanation.

use escher_governance::explain_code;

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    pub code: String,
}

pub fn run(args: &ExplainArgs) -> Outcome {
    let code = &args.code;
    let info = explain_code(code).ok_or_else(|| {
        CliError::Usage(format!("there is no diagnostic code \"{code}\"; codes look like E0201, W0701, L0101 or P0101"))
    })?;
    outln!("{}: {}\n\n{}", info.code, info.title, info.explanation.trim());
    Ok(EXIT_OK)
}
