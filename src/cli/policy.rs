//! `escher policy check FILE`. The policy in force is `--policy FILE`, else `ESCHER_POLICY`, else
//! `<state>/policy.toml` if it exists, else none (the built-in default risk policy, no signed approvals): see
//! `escher_engine::GovernanceSettings::from_env`.

use std::path::{Path, PathBuf};

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
}

pub fn run(args: &PolicyArgs, color: bool) -> Outcome {
    match &args.command {
        PolicyCommand::Check { file, format } => run_check(file, *format, color),
    }
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
