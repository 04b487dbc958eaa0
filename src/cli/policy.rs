//! `escher policy check FILE`, and where the policy in force comes from: `--policy FILE`, else `ESCHER_POLICY`,
//! else `<state>/policy.toml` if it exists, else none (the built-in default risk policy, no signed approvals).

use std::path::{Path, PathBuf};

use escher_governance::policy::{Policy, check, render};

use super::{EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, Format, read_source};

/// The policy file in force, if any.
pub fn policy_path(state: &Path, flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("ESCHER_POLICY").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let default = state.join("policy.toml");
    default.exists().then_some(default)
}

/// The shared approvals directory: `--approvals DIR`, else `ESCHER_APPROVALS`, else `<state>/approvals`.
pub fn approvals_dir(state: &Path, flag: Option<&Path>) -> PathBuf {
    if let Some(path) = flag {
        return path.to_path_buf();
    }
    match std::env::var_os("ESCHER_APPROVALS").filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => state.join("approvals"),
    }
}

/// The policy in force, checked; `None` when there is no policy file. Errors are printed.
pub fn load(state: &Path, flag: Option<&Path>) -> Result<Option<Policy>, u8> {
    let Some(path) = policy_path(state, flag) else {
        return Ok(None);
    };
    escher_governance::policy::load(&path).map(Some).map_err(|error| {
        eprintln!("error: {error}");
        match error {
            escher_governance::policy::LoadError::Invalid { .. } => EXIT_DIAGNOSTICS,
            escher_governance::policy::LoadError::Read { .. } => EXIT_USAGE,
        }
    })
}

/// `escher policy check FILE`: 0 if valid, 1 with diagnostics, 2 if unreadable.
pub fn run_check(file: &Path, format: Format, color: bool) -> u8 {
    let (name, text) = match read_source(file) {
        Ok(source) => source,
        Err(code) => return code,
    };
    match check(&text) {
        Ok(policy) => {
            if format == Format::Human {
                let members: usize = policy.roles.values().map(|role| role.members.len()).sum();
                eprintln!("{name}: ok ({} role(s), {members} member(s))", policy.roles.len());
            }
            EXIT_OK
        }
        Err(errors) => {
            match format {
                Format::Human => eprint!("{}", render(&name, &text, &errors, color)),
                Format::Json => {
                    for error in &errors {
                        let span = miette::Diagnostic::labels(error)
                            .and_then(|mut labels| labels.next())
                            .map(|label| (label.offset(), label.len()))
                            .unwrap_or((0, 0));
                        outln!(
                            "{}",
                            serde_json::json!({
                                "code": error.code(),
                                "message": error.to_string(),
                                "file": name,
                                "offset": span.0,
                                "length": span.1,
                            })
                        );
                    }
                }
            }
            EXIT_DIAGNOSTICS
        }
    }
}

/// The compiler's risk policy for commands that take no `--policy` (`check`, `plan`): the policy in force
/// (`ESCHER_POLICY`, else `<state>/policy.toml`) for the local user if they have an identity; the built-in policy
/// when there is no policy file. Errors are printed.
pub fn risk_policy_in_force(state: &std::path::Path) -> Result<escher_compiler::risk::Policy, u8> {
    let Some(policy) = load(state, None)? else {
        return Ok(escher_compiler::risk::Policy::default());
    };
    let identity = escher_governance::identity::Identity::path(state);
    let runner = identity
        .exists()
        .then(|| escher_governance::identity::Identity::load(&identity).ok())
        .flatten()
        .map(|identity| identity.public_key());
    Ok(policy.risk_policy(runner.as_deref()))
}
