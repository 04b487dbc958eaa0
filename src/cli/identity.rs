//! `escher identity`: the user's name and public key, created on first use. A manager's key goes into the
//! policy's roles; so does every executor's.

use std::path::{Path, PathBuf};

use escher_governance::identity::Identity;

use super::{CliError, EXIT_OK, Format, Outcome};
use escher_engine::user_name;

#[derive(Debug, clap::Args)]
pub struct IdentityArgs {
    /// The name to create the identity under (default: $USER); an existing identity keeps its name.
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// The state directory's identity, created as `name` (else `$USER`) on first use.
pub fn local(state: &Path, name: Option<&str>) -> Result<Identity, CliError> {
    let name = name.map(str::to_string).unwrap_or_else(user_name);
    Ok(Identity::load_or_create(state, &name)?)
}

pub fn run(args: &IdentityArgs) -> Outcome {
    let identity = local(&super::state::state_dir(args.state.as_deref()), args.name.as_deref())?;
    match args.format {
        Format::Human => outln!("{} {}", identity.name, identity.public_key()),
        Format::Json => outln!("{}", serde_json::json!({ "name": identity.name, "key": identity.public_key() })),
    }
    Ok(EXIT_OK)
}
