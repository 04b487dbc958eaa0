//! `escher template publish FILE --name NAME [--bounds BOUNDS.toml]` and `escher template list`: a manager signs
//! a playbook with bounds on its parameters into `<approvals dir>/templates/`, where executors find it for
//! `escher run --template NAME`.

use std::path::{Path, PathBuf};

use escher::FsLoader;
use escher_compiler::{CompileOptions, compile_input};
use escher_governance::approvals::ApprovalsDir;
use escher_governance::template::{Bounds, SignedTemplate, TemplatePayload};
use escher_runtime::audit::AuditEntry;

use super::approvals::Where;
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
            TemplateCommand::Publish { at, .. } | TemplateCommand::List { at, .. } => at,
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
    let at = Where::new(state, args.at());
    match &args.command {
        TemplateCommand::Publish { file, name, bounds, .. } => publish(&at, file, name, bounds.as_deref()),
        TemplateCommand::List { format, .. } => list(&at, *format),
    }
}

fn publish(at: &Where<'_>, file: &Path, name: &str, bounds: Option<&Path>) -> Outcome {
    let (file_name, source) = read_source(file)?;
    let mut options = CompileOptions::check(&FsLoader);
    options.policy = super::policy::risk_policy_in_force(&super::state::state_dir(None))?;
    let compilation = compile_input(&file_name, &source, &options);
    let (errors, _) = print_diagnostics(&compilation, Format::Human, super::use_color());
    if errors > 0 {
        return Ok(EXIT_DIAGNOSTICS);
    }
    let bounds = match bounds {
        None => Bounds::default(),
        Some(path) => {
            let (bounds_name, text) = read_source(path)?;
            Bounds::parse(&text)
                .map_err(|error| CliError::Refused(format!("the bounds file {bounds_name} is not valid: {error}")))?
        }
    };
    // Steps the bounds cover must be steps of the playbook: a misspelt name would silently cover nothing.
    if let (Some(plan), Some(covers)) = (&compilation.plan, &bounds.covers) {
        for step in covers {
            if !plan.nodes.iter().any(|node| &node.id == step || node.id.starts_with(&format!("{step}."))) {
                let steps = plan.nodes.iter().map(|node| node.id.as_str()).collect::<Vec<_>>().join(", ");
                return Err(CliError::Refused(format!(
                    "the bounds cover step `{step}`, which {file_name} does not have (its steps: {steps})"
                )));
            }
        }
    }
    let identity = super::identity::local(at.state, None)?;
    let now = chrono::Utc::now();
    let payload = TemplatePayload {
        version: 1,
        name: name.to_string(),
        file: file_name,
        source,
        bounds,
        publisher: identity.principal(),
        published_at: escher_governance::clock::stamp(now),
    };
    let signed = SignedTemplate::sign(&identity, payload)
        .map_err(|error| CliError::Usage(format!("cannot sign the template: {error}")))?;
    let dir = ApprovalsDir::new(super::policy::approvals_dir(at.state, at.approvals));
    let path = match escher_governance::template::publish(&dir, &signed) {
        Ok(path) => path,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CliError::Refused(format!(
                "a template named `{name}` is already published; publish under a new name"
            )));
        }
        Err(error) => return Err(CliError::Usage(format!("cannot publish to {}: {error}", dir.root.display()))),
    };
    // The role is the publisher's under the policy in force here; the run verifies it again under its own.
    let role = match super::policy::load(at.state, at.policy) {
        Ok(Some(policy)) => {
            policy.roles_of(&identity.public_key()).iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", ")
        }
        Ok(None) | Err(_) => String::new(),
    };
    let entry = AuditEntry {
        at: escher_runtime::audit::stamp(now),
        who: identity.name.clone(),
        role,
        run_id: String::new(),
        plan_hash: String::new(),
        kind: "template.published".into(),
        step: None,
        action: None,
        targets: Vec::new(),
        approval: None,
        journal: None,
        result: format!("template `{name}` published to {}", path.display()),
    };
    super::audit::append(at.state, entry)?;
    eprintln!("{} published template `{name}`: {}", identity.name, path.display());
    Ok(EXIT_OK)
}

fn list(at: &Where<'_>, format: Format) -> Outcome {
    let policy = super::policy::load(at.state, at.policy)?;
    let dir = ApprovalsDir::new(super::policy::approvals_dir(at.state, at.approvals));
    for (path, template) in escher_governance::template::list(&dir) {
        let template = match template {
            Ok(template) => template,
            Err(error) => {
                eprintln!("warning: {} is not a readable template: {error}", path.display());
                continue;
            }
        };
        let verified = match &policy {
            Some(policy) => match template.verify(policy) {
                Ok(role) => format!("signed by {} ({role})", template.template.publisher.name),
                Err(why) => format!("NOT VALID: {why}"),
            },
            None => format!("signed by {} (no policy to verify against)", template.template.publisher.name),
        };
        let bounds = serde_json::to_string(&template.template.bounds).unwrap_or_default();
        match format {
            Format::Human => {
                outln!("{}  {}  {verified}  bounds {bounds}", template.template.name, template.template.published_at)
            }
            Format::Json => outln!(
                "{}",
                serde_json::json!({
                    "name": template.template.name,
                    "published_at": template.template.published_at,
                    "publisher": template.template.publisher,
                    "status": verified,
                    "bounds": template.template.bounds,
                })
            ),
        }
    }
    Ok(EXIT_OK)
}
