//! `escher identity`: the user's name and public key, created on first use. A manager's key goes into the
//! policy's roles; so does every executor's.

use std::path::Path;

use escher_governance::identity::Identity;

use super::approver::user_name;
use super::{EXIT_OK, EXIT_USAGE, Format};

/// The state directory's identity, created as `name` (else `$USER`) on first use; errors are printed.
pub fn local(state: &Path, name: Option<&str>) -> Result<Identity, u8> {
    let name = name.map(str::to_string).unwrap_or_else(user_name);
    Identity::load_or_create(state, &name).map_err(|error| {
        eprintln!("error: {error}");
        EXIT_USAGE
    })
}

pub fn run(state: &Path, name: Option<&str>, format: Format) -> u8 {
    let identity = match local(state, name) {
        Ok(identity) => identity,
        Err(code) => return code,
    };
    match format {
        Format::Human => outln!("{} {}", identity.name, identity.public_key()),
        Format::Json => outln!("{}", serde_json::json!({ "name": identity.name, "key": identity.public_key() })),
    }
    EXIT_OK
}
