//! `escher lsp`: the language server for editors, on stdin and stdout (docs/lsp.md).

use super::{CliError, EXIT_OK, Outcome};

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted and ignored: editors' clients pass it, and stdio is the only transport.
    #[arg(long, hide = true)]
    pub stdio: bool,
}

/// Serves one editor until it shuts the server down; a client that breaks the protocol (an `exit` without
/// `shutdown`, a malformed message) ends it with exit code 1, as the protocol asks.
pub fn run(_args: &LspArgs) -> Outcome {
    escher_lsp::run_stdio().map_err(|error| CliError::Refused(error.to_string()))?;
    Ok(EXIT_OK)
}
