//! `escher grammar --format lark|gbnf|json-schema`: the playbook language for grammar-constrained decoding,
//! translated from `grammar/escher.pest` (`escher_compiler::grammar_export`), or the JSON schema of the AI
//! response envelope for servers that constrain JSON instead.

use escher_compiler::grammar_export::{GrammarFormat, envelope_schema, export};

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GrammarOutput {
    /// llguidance's Lark dialect (llama.cpp built with llguidance, vLLM, SGLang).
    Lark,
    /// llama.cpp's GBNF (a superset: it cannot say what a name must not be).
    Gbnf,
    /// The JSON schema of the response envelope (`{"response_type", "playbook", ...}`).
    JsonSchema,
}

#[derive(Debug, clap::Args)]
pub struct GrammarArgs {
    #[arg(long, value_enum, default_value_t = GrammarOutput::Lark)]
    pub format: GrammarOutput,
}

pub fn run(args: &GrammarArgs) -> Outcome {
    out!("{}", text(args.format)?);
    Ok(EXIT_OK)
}

/// The export in `format`, as `escher grammar` prints it and `escher serve` answers it.
pub fn text(format: GrammarOutput) -> Result<String, CliError> {
    let grammar = |format| export(format).map_err(|error| CliError::Usage(error.to_string()));
    Ok(match format {
        GrammarOutput::Lark => grammar(GrammarFormat::Lark)?,
        GrammarOutput::Gbnf => grammar(GrammarFormat::Gbnf)?,
        GrammarOutput::JsonSchema => {
            let schema =
                serde_json::to_string_pretty(&envelope_schema()).map_err(|e| CliError::Usage(e.to_string()))?;
            schema + "\n"
        }
    })
}
