//! `escher template publish FILE --name NAME [--bounds BOUNDS.toml] [--expires-in 30d]`, `escher template revoke
//! NAME[@N] --reason TEXT` and `escher template list`: a manager signs a playbook, the files it imports and bounds
//! on its parameters into `<approvals dir>/templates/`, where executors find it for `escher run --template NAME`,
//! and may withdraw it for good (`escher_engine::approvals`).

use std::path::{Path, PathBuf};

use escher::FsLoader;
use escher_compiler::{CompileOptions, compile_input};
use escher_engine::GovernanceSettings;
use escher_engine::approvals::{Publication, TemplateStatus};
use escher_governance::template::{Bounds, RecordingLoader};

use super::report::print_diagnostics;
use super::{CliError, EXIT_DIAGNOSTICS, EXIT_OK, Format, GovWhere, Outcome, read_source};

#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    #[command(subcommand)]
    pub command: TemplateCommand,
}

impl TemplateArgs {
    /// Where the command looks for the state, the policy and the approvals directory.
    pub fn at(&self) -> &GovWhere {
        match &self.command {
            TemplateCommand::Publish { at, .. }
            | TemplateCommand::Revoke { at, .. }
            | TemplateCommand::List { at, .. } => at,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum TemplateCommand {
    /// Sign a playbook and its bounds with your key into <approvals>/templates/NAME.json.
    Publish {
        file: PathBuf,
        #[arg(long)]
        name: String,
        /// A TOML file of bounds: covers, max_targets, regions, accounts, [params.NAME] min/max/allowed/tag_values.
        #[arg(long, value_name = "FILE")]
        bounds: Option<PathBuf>,
        /// Publish a new revision of a template already published under NAME (earlier ones stay: NAME@1).
        #[arg(long)]
        new_version: bool,
        /// How long the template may run for, e.g. 30d or 12h (default: until it is revoked).
        #[arg(long, value_name = "DURATION", value_parser = escher_governance::duration::parse)]
        expires_in: Option<std::time::Duration>,
        #[command(flatten)]
        at: GovWhere,
    },
    /// Withdraw a published template for good (NAME: its latest revision; NAME@N: that one), signed with your key.
    Revoke {
        name: String,
        /// Why, for the audit log and for whoever tries to run it.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        at: GovWhere,
    },
    /// List published templates, verified against the policy.
    List {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        at: GovWhere,
    },
}

pub fn run(state: &Path, args: &TemplateArgs) -> Outcome {
    let at = args.at();
    let settings = escher_engine::GovernanceSettings::from_env(at.policy.as_deref(), at.approvals.as_deref());
    match &args.command {
        TemplateCommand::Publish { file, name, bounds, new_version, expires_in, .. } => {
            publish(state, &settings, (file, name), bounds.as_deref(), (*new_version, *expires_in))
        }
        TemplateCommand::Revoke { name, reason, .. } => {
            let path = settings.revoke_template(state, name, reason).map_err(super::approvals::approval_error)?;
            let revoker = settings.identity(state)?.name;
            eprintln!("{revoker} revoked template `{name}`: {}", path.display());
            Ok(EXIT_OK)
        }
        TemplateCommand::List { format, .. } => list(state, &settings, *format),
    }
}

/// Compiles the playbook (its diagnostics shown), noting the files it imports, reads the bounds, and has the
/// engine sign and publish them.
fn publish(
    state: &Path,
    settings: &GovernanceSettings,
    (file, name): (&Path, &str),
    bounds: Option<&Path>,
    (new_version, expires_in): (bool, Option<std::time::Duration>),
) -> Outcome {
    let (file_name, source) = read_source(file)?;
    let recorder = RecordingLoader::new(&FsLoader, &file_name);
    let mut options = CompileOptions::check(&recorder);
    options.policy = settings.risk_policy(state)?;
    let compilation = compile_input(&file_name, &source, &options);
    let (errors, _) = print_diagnostics(&compilation, Format::Human, super::use_color());
    let Some(plan) = compilation.plan.as_ref().filter(|_| errors == 0) else {
        return Ok(EXIT_DIAGNOSTICS);
    };
    let bounds = match bounds {
        None => Bounds::default(),
        Some(path) => {
            let (bounds_name, text) = read_source(path)?;
            Bounds::parse(&text)
                .map_err(|error| CliError::Refused(format!("the bounds file {bounds_name} is not valid: {error}")))?
        }
    };
    let publication = Publication {
        name: name.to_string(),
        file: file_name.clone(),
        source: source.clone(),
        imports: recorder.into_imports(),
        bounds,
        expires_in,
        new_version,
    };
    let path = settings.publish_template(state, publication, plan).map_err(super::approvals::approval_error)?;
    let publisher = settings.identity(state)?.name;
    eprintln!("{publisher} published template `{name}`: {}", path.display());
    Ok(EXIT_OK)
}

fn list(state: &Path, settings: &GovernanceSettings, format: Format) -> Outcome {
    for listed in settings.templates(state).map_err(super::approvals::approval_error)? {
        let TemplateStatus { template, status } = match listed {
            Ok(listed) => listed,
            Err((path, error)) => {
                eprintln!("warning: {} is not a readable template: {error}", path.display());
                continue;
            }
        };
        let template = template.template;
        let bounds = serde_json::to_string(&template.bounds).unwrap_or_default();
        match format {
            Format::Human => outln!(
                "{}  revision {}  {}  {status}  bounds {bounds}",
                template.name,
                template.revision,
                template.published_at
            ),
            Format::Json => outln!(
                "{}",
                serde_json::json!({
                    "name": template.name,
                    "revision": template.revision,
                    "published_at": template.published_at,
                    "publisher": template.publisher,
                    "status": status,
                    "bounds": template.bounds,
                })
            ),
        }
    }
    Ok(EXIT_OK)
}
