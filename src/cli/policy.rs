//! `escher policy check FILE`, `escher policy init --manager NAME=KEY...`, `escher policy sign FILE` and
//! `escher policy rotate FILE`. The policy in force is `--policy FILE`, else `ESCHER_POLICY`, else
//! `<state>/policy.toml` if it exists, else none (the built-in default risk policy, no signed approvals), and
//! with a root pinned in the state only a file its managers signed: see `escher_engine::GovernanceSettings` and
//! `escher_governance::policy::pinned`.

use std::path::{Path, PathBuf};

use escher_governance::policy::pinned::{Endorsed, PolicyRoot, SignedPolicy, file_signature};
use escher_governance::policy::{check, render};

use super::{CliError, EXIT_DIAGNOSTICS, EXIT_OK, Format, Outcome, read_source};

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Check a policy file; exit 1 with diagnostics if it is not valid.
    Check {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Pin, once, the managers whose signatures make a policy take effect on this state: from then on a run
    /// needs a policy signed by THRESHOLD of them, and never falls back to the built-in policy.
    Init {
        /// A manager, NAME=KEY (the key `escher identity` prints); repeatable.
        #[arg(long = "manager", value_name = "NAME=KEY", required = true)]
        managers: Vec<String>,
        /// How many of them must sign a policy.
        #[arg(long, default_value_t = 1)]
        threshold: u32,
        /// Write the root to FILE instead of pinning it: a new root for `escher policy rotate`, which the pinned
        /// root's managers endorse with `escher policy sign FILE`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The state (default: $ESCHER_STATE, else the XDG data directory).
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
    },
    /// Sign a policy file (or endorse a new root written by `policy init --out`) with your key, filed beside it
    /// in FILE.signatures/.
    Sign {
        file: PathBuf,
        /// The state holding your identity (default: $ESCHER_STATE, else the XDG data directory).
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
    },
    /// Replace the pinned root with the one in FILE, endorsed by enough of the pinned root's managers.
    Rotate {
        file: PathBuf,
        /// The state (default: $ESCHER_STATE, else the XDG data directory).
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
    },
}

pub fn run(args: &PolicyArgs, color: bool) -> Outcome {
    match &args.command {
        PolicyCommand::Check { file, format } => run_check(file, *format, color),
        PolicyCommand::Init { managers, threshold, out, state } => {
            init(managers, *threshold, out.as_deref(), &state_dir(state.as_deref()))
        }
        PolicyCommand::Sign { file, state } => sign(file, &state_dir(state.as_deref())),
        PolicyCommand::Rotate { file, state } => {
            let root = PolicyRoot::rotate(&state_dir(state.as_deref()), file)
                .map_err(|error| CliError::Refused(error.to_string()))?;
            let names: Vec<&str> = root.managers.iter().map(|manager| manager.name.as_str()).collect();
            eprintln!("rotated: a policy now takes effect when {} of {} sign it", root.threshold, names.join(", "));
            Ok(EXIT_OK)
        }
    }
}

/// `escher policy init --manager NAME=KEY... [--threshold N] [--out FILE]`: pins the root in the state, or
/// writes it to FILE as a proposed new root.
fn init(managers: &[String], threshold: u32, out: Option<&Path>, state: &Path) -> Outcome {
    let mut principals = Vec::new();
    for manager in managers {
        let (name, key) = super::parse_param(manager).map_err(|_| {
            CliError::Usage(format!("--manager takes NAME=KEY (the key `escher identity` prints), not \"{manager}\""))
        })?;
        if !escher_governance::identity::is_public_key(&key) {
            return Err(CliError::Usage(format!("--manager {name}: \"{key}\" is not a public key")));
        }
        principals.push(escher_governance::identity::Principal { name, key });
    }
    let root = PolicyRoot::new(principals, threshold).map_err(|error| CliError::Usage(error.to_string()))?;
    if let Some(out) = out {
        std::fs::write(out, root.to_bytes()).map_err(|source| CliError::Read { path: out.to_path_buf(), source })?;
        eprintln!(
            "a new root is in {}: the pinned root's managers endorse it with `escher policy sign`",
            out.display()
        );
        return Ok(EXIT_OK);
    }
    let path = root.pin(state).map_err(|error| CliError::Refused(error.to_string()))?;
    eprintln!(
        "pinned: a policy takes effect on this state when {threshold} of its managers sign it ({})",
        path.display()
    );
    Ok(EXIT_OK)
}

/// `escher policy sign FILE`: the local identity's signature of the file's exact bytes (a policy, or a new root),
/// filed beside it.
fn sign(file: &Path, state: &Path) -> Outcome {
    let bytes = std::fs::read(file).map_err(|source| CliError::Read { path: file.to_path_buf(), source })?;
    let endorsed = Endorsed::of(&bytes);
    let text = String::from_utf8_lossy(&bytes);
    if let (Endorsed::Policy, Err(errors)) = (endorsed, check(&text)) {
        eprint!("{}", render(&file.display().to_string(), &text, &errors, super::use_color()));
        return Ok(EXIT_DIAGNOSTICS);
    }
    let identity = escher_engine::GovernanceSettings::default().identity(state)?;
    let signed = SignedPolicy::endorse(endorsed, &identity, &bytes, escher_state::chrono::Utc::now())
        .map_err(|error| CliError::Refused(error.to_string()))?;
    let path = file_signature(file, &signed).map_err(|source| CliError::Read { path: file.to_path_buf(), source })?;
    eprintln!("{} signed {}: {}", identity.name, file.display(), path.display());
    Ok(EXIT_OK)
}

fn state_dir(flag: Option<&Path>) -> PathBuf {
    super::state::state_dir(flag)
}

/// `escher policy check FILE`: 0 if valid, 1 with diagnostics, 2 if unreadable.
fn run_check(file: &Path, format: Format, color: bool) -> Outcome {
    let (name, text) = read_source(file)?;
    match check(&text) {
        Ok(policy) => {
            if format == Format::Human {
                // People, not entries: one person may be a member of several roles.
                let people: std::collections::BTreeSet<&str> =
                    policy.roles.values().flat_map(|role| &role.members).map(|member| member.name.as_str()).collect();
                eprintln!("{name}: ok ({} role(s), {} people)", policy.roles.len(), people.len());
            }
            Ok(EXIT_OK)
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
            Ok(EXIT_DIAGNOSTICS)
        }
    }
}

/// The compiler's risk policy for commands that take no `--policy` (`check`, `plan`, `template publish`): see
/// `GovernanceSettings::risk_policy`.
pub fn risk_policy_in_force(state: &Path) -> Result<escher_compiler::risk::Policy, CliError> {
    Ok(escher_engine::GovernanceSettings::from_env(None, None).risk_policy(state)?)
}
