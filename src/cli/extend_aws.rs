//! `escher extend aws`, `extend destroy`, `extend status`: the Extended Laptop in an AWS account
//! (docs/extended-laptop.md). Every change is written to the state bucket's audit log as it is made.

use std::path::PathBuf;

use escher_engine::state::{AttachedState, StateLocation};
use escher_extend::aws::policies::Allow;
use escher_extend::aws::{AwsExtension, Clients, Settings};
use escher_extend::image::{self, ImageSpec};
use escher_extend::plan::{Action, Change, render, total};
use escher_extend::{ExtendError, Extension, Wanted};
use escher_runtime::audit::{AuditEntry, AuditLog, stamp};

use super::state::{holder_name, tokio};
use super::{CliError, EXIT_OK, Outcome};

/// Which Extended Laptop, in which account and region.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// The Extended Laptop's name: its resources are called `escher-NAME...`.
    #[arg(long)]
    pub name: String,
    /// The AWS region (default: the SDK's, from AWS_REGION or the profile).
    #[arg(long)]
    pub region: Option<String>,
    /// The state bucket's name, when `escher-NAME-state` is taken (S3 bucket names are global).
    #[arg(long)]
    pub bucket: Option<String>,
    /// Push the image to this registry (`HOST[:PORT]`) and name it in the task definition, instead of the ECR
    /// repository's own: a mirror, or a test registry. ECR's authorization token still signs in.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub registry_endpoint: Option<String>,
    /// Plain HTTP to --registry-endpoint: only for a registry on this machine.
    #[arg(long, requires = "registry_endpoint")]
    pub registry_plain_http: bool,
}

#[derive(Debug, clap::Args)]
pub struct AwsArgs {
    #[command(flatten)]
    pub target: Target,
    /// Show what would be created or changed, and change nothing.
    #[arg(long)]
    pub plan: bool,
    /// What scheduled playbooks may do beyond the state: read-only, ec2-start-stop, rds-start-stop,
    /// assume-role=ARN (repeatable; each is listed in the plan's task role policy).
    #[arg(long, value_name = "PRESET")]
    pub allow: Vec<String>,
    /// The Linux `escher` binary for the image (default: the one running).
    #[arg(long, value_name = "FILE")]
    pub binary: Option<PathBuf>,
    /// The CA bundle for TLS inside the container.
    #[arg(long, value_name = "FILE", default_value = image::CA_BUNDLE_PATH)]
    pub ca_bundle: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub target: Target,
    /// Delete the state bucket too, with every version of everything in it (runs, journals, the audit log).
    #[arg(long)]
    pub delete_state: bool,
    /// Do not ask for the typed confirmation.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum SecretsCommand {
    /// Store a secret for `secret("NAME")` in scheduled playbooks, as a SecureString under /escher/NAME/secrets/.
    Set {
        #[command(flatten)]
        target: Target,
        /// The secret's name, as playbooks ask for it.
        secret: String,
        /// The environment variable that holds the value (never the value itself on the command line).
        #[arg(long, value_name = "VAR")]
        value_env: String,
    },
    /// The Azure service principal the container's Azure provider signs in with, instead of the environment.
    Azure {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        tenant_id: String,
        #[arg(long)]
        client_id: String,
        /// The environment variable that holds the client secret.
        #[arg(long, value_name = "VAR")]
        client_secret_env: String,
    },
    /// The GCP service account key the container's GCP provider signs in with (the key file's JSON is stored,
    /// the file itself is not needed in the account).
    Gcp {
        #[command(flatten)]
        target: Target,
        /// The service account key file, as Google issues it.
        #[arg(long, value_name = "FILE")]
        key_file: PathBuf,
    },
    /// Another AWS account the container reaches by assuming a role in it (the task role must be allowed to:
    /// `escher extend aws --allow assume-role=ARN`).
    AwsRole {
        #[command(flatten)]
        target: Target,
        /// The other account's 12-digit id.
        #[arg(long)]
        account: String,
        #[arg(long, value_name = "ARN")]
        role_arn: String,
        /// The environment variable holding the role's external id, if its trust policy asks for one.
        #[arg(long, value_name = "VAR")]
        external_id_env: Option<String>,
        /// A name for the account in plans and reports.
        #[arg(long)]
        label: Option<String>,
    },
    /// The container's own identity for governed runs, made on first use and kept in the parameter store: prints
    /// its name and public key, which the policy lists as a runner (an executor) for scheduled runs.
    Identity {
        #[command(flatten)]
        target: Target,
        /// The runner's name in the policy, requests and the audit log (first use only).
        #[arg(long = "as", value_name = "NAME")]
        runner: Option<String>,
    },
    /// What is stored: each secret's name, and whether there is an Azure service principal (never a value).
    List {
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub target: Target,
}

fn extend_error(error: ExtendError) -> CliError {
    match error {
        ExtendError::Usage(message) => CliError::Usage(message),
        other => CliError::Refused(other.to_string()),
    }
}

fn allow_presets(allow: &[String]) -> Result<Vec<Allow>, CliError> {
    allow.iter().map(|text| text.parse::<Allow>()).collect::<Result<_, _>>().map_err(extend_error)
}

async fn extension(target: &Target, allow: &[String], spec: Option<&ImageSpec>) -> Result<AwsExtension, CliError> {
    let mut settings = Settings::new(&target.name);
    settings.bucket = target.bucket.clone();
    settings.registry_endpoint = target.registry_endpoint.clone();
    settings.registry_plain_http = target.registry_plain_http;
    settings.allow = allow_presets(allow)?;
    let image = spec.map(image::build).transpose().map_err(|error| extend_error(error.into()))?;
    let clients = Clients::load(target.region.as_deref()).await;
    AwsExtension::new(clients, settings, image).await.map_err(extend_error)
}

fn image_spec(binary: Option<&PathBuf>, ca_bundle: &std::path::Path) -> Result<ImageSpec, CliError> {
    let binary = match binary {
        Some(binary) => binary.clone(),
        None => std::env::current_exe().map_err(|error| {
            CliError::Usage(format!("cannot find the running binary: {error}; name one with --binary"))
        })?,
    };
    let mut spec = ImageSpec::new(binary);
    spec.ca_bundle = ca_bundle.to_path_buf();
    Ok(spec)
}

pub fn apply(args: &AwsArgs) -> Outcome {
    let spec = image_spec(args.binary.as_ref(), &args.ca_bundle)?;
    tokio()?.block_on(async {
        let extension = extension(&args.target, &args.allow, Some(&spec)).await?;
        apply_on(&extension, args.plan).await
    })
}

/// `extend CLOUD [--plan]` on any cloud's Extended Laptop.
async fn apply_on(extension: &dyn Extension, plan_only: bool) -> Outcome {
    let name = extension.name();
    outln!("Extended Laptop `{name}` in {}", extension.place());
    let changes = extension.plan().await.map_err(extend_error)?;
    out!("{}", render(&changes));
    if plan_only {
        return Ok(EXIT_OK);
    }
    if changes.iter().all(|change| change.action == Action::Keep) {
        outln!("Nothing to change.");
        return Ok(EXIT_OK);
    }
    // The state's storage first, then it is the state the audit log of every other change goes to.
    let (storage, id) = extension.ensure_state().await.map_err(extend_error)?;
    let state = attach(&extension.state_url()).await?;
    let mut audit = Audit::new(&state);
    audit.write("extend.started", &[], format!("extend `{name}`: {}", total(&changes)))?;
    if storage.action != Action::Keep {
        outln!("{}: {} {}", verb(storage.action), storage.kind, storage.name);
        audit.change(&storage, &id)?;
    }
    // The storage is kept from here on: the rest is reported as it is made.
    let mut report = |change: &Change, id: &str| -> Result<(), ExtendError> {
        if change.action != Action::Keep {
            outln!("{}: {} {}", verb(change.action), change.kind, change.name);
            audit.change(change, id).map_err(|error| ExtendError::Refused(error.to_string()))?;
        }
        Ok(())
    };
    let applied = extension.apply(&mut report).await;
    let record = match applied {
        Ok(record) => record,
        Err(error) => {
            let _ = audit.write("extend.failed", &[], error.to_string());
            super::close(state, Ok(EXIT_OK))?;
            return Err(extend_error(error));
        }
    };
    audit.write(
        "extend.finished",
        &[],
        format!("{} resources, image {}", record.resources.len(), record.image_digest.as_deref().unwrap_or("")),
    )?;
    super::close(state, Ok(EXIT_OK))?;
    outln!("Done: `{name}` is up to date; its state is {}.", extension.state_url());
    Ok(EXIT_OK)
}

pub fn destroy(args: &DestroyArgs) -> Outcome {
    tokio()?.block_on(async {
        let extension = extension(&args.target, &[], None).await?;
        destroy_on(&extension, args.delete_state, args.yes).await
    })
}

/// `extend destroy` on any cloud's Extended Laptop.
async fn destroy_on(extension: &dyn Extension, delete_state: bool, yes: bool) -> Outcome {
    let name = extension.name();
    let changes = extension.destroy_plan(delete_state).await.map_err(extend_error)?;
    if changes.is_empty() {
        outln!("Nothing of Extended Laptop `{name}` is left in {}.", extension.place());
        return Ok(EXIT_OK);
    }
    out!("{}", render(&changes));
    if !delete_state {
        outln!("The state {} is kept (--delete-state deletes it).", extension.state_url());
    }
    if !yes && super::approver::ask(&format!("Type `{name}` to destroy it: ")) != name {
        return Err(CliError::Refused("not confirmed; nothing was deleted".to_string()));
    }
    // The audit goes to the state while it is there; with --delete-state it goes with it.
    let state = if delete_state { None } else { Some(attach(&extension.state_url()).await?) };
    let mut audit = state.as_ref().map(Audit::new);
    let mut report = |change: &Change, id: &str| -> Result<(), ExtendError> {
        outln!("deleted: {} {}", change.kind, change.name);
        match audit.as_mut() {
            Some(audit) => audit.change(change, id).map_err(|error| ExtendError::Refused(error.to_string())),
            None => Ok(()),
        }
    };
    let destroyed = extension.destroy(delete_state, &mut report).await;
    if let Some(state) = state {
        super::close(state, Ok(EXIT_OK))?;
    }
    destroyed.map_err(extend_error)?;
    outln!("Done: Extended Laptop `{name}` is gone.");
    Ok(EXIT_OK)
}

pub fn status(args: &StatusArgs) -> Outcome {
    tokio()?.block_on(async {
        let extension = extension(&args.target, &[], None).await?;
        let Some(record) = extension.record().await.map_err(extend_error)? else {
            outln!("Extended Laptop `{}` does not exist in {}.", extension.name(), extension.place());
            return Ok(EXIT_OK);
        };
        // Compared with what was set up, the grants included.
        let extension = extension.allowing(allow_presets(&record.allow)?);
        status_on(&extension, &record).await
    })
}

/// `extend status` on any cloud's Extended Laptop, against its record.
async fn status_on(extension: &dyn Extension, record: &escher_extend::Record) -> Outcome {
    outln!("Extended Laptop `{}` in {}, state {}", record.name, extension.place(), record.state);
    outln!("image: {} (set up by Escher {})", record.image_digest.as_deref().unwrap_or("none"), record.escher_version);
    let changes = extension.plan().await.map_err(extend_error)?;
    for change in &changes {
        let recorded =
            record.resources.iter().find(|resource| resource.name == change.name && resource.kind == change.kind);
        let state = match change.action {
            Action::Keep => "ok",
            Action::Create => "missing (deleted outside Escher?)",
            Action::Update => "drifted",
            Action::Delete => "to delete",
        };
        let id = recorded.map(|r| format!("  {}", r.id)).unwrap_or_default();
        outln!("  {} {}: {state}{id}", change.kind, change.name);
        for difference in &change.differences {
            outln!("      {difference}");
        }
    }
    let schedule_drift = show_schedules(extension).await?;
    let drift = changes.iter().filter(|change| change.action != Action::Keep).count() + schedule_drift;
    if drift == 0 {
        outln!("no drift");
    } else {
        outln!(
            "{drift} resource(s) differ from what Escher set up: `escher extend {} --name {}` brings them back",
            record.cloud,
            record.name
        );
    }
    Ok(EXIT_OK)
}

/// The state's schedules with their next occurrences and last runs, each beside the cloud's schedule; how many
/// differ from the cloud's.
async fn show_schedules(extension: &dyn Extension) -> Result<usize, CliError> {
    let store = StateLocation::parse(&extension.state_url()).map_err(CliError::Store)?.open()?;
    let views = escher_engine::schedules::manage::list(&store, escher_state::chrono::Utc::now(), 3).await?;
    let wanted: Vec<Wanted> = views
        .iter()
        .map(|view| Wanted {
            name: view.schedule.name.clone(),
            cron: view.schedule.cron.clone(),
            tz: view.schedule.tz.clone(),
        })
        .collect();
    let changes = extension.sync_schedules(&wanted, false).await.map_err(extend_error)?;
    let scheduler = extension.scheduler();
    if views.is_empty() && changes.is_empty() {
        outln!("schedules: none");
    }
    for view in &views {
        let change = changes.iter().find(|change| change.name == view.schedule.name);
        let account = match change.map(|change| change.action) {
            Some(Action::Keep) => format!("{scheduler} {}", change.map_or("", |change| change.summary.as_str())),
            Some(Action::Create) => format!("missing in {scheduler}"),
            _ => format!("differs in {scheduler}"),
        };
        outln!("schedule {} \"{}\" {}: {account}", view.schedule.name, view.schedule.cron, view.schedule.tz);
        for difference in change.map(|change| change.differences.as_slice()).unwrap_or_default() {
            outln!("      {difference}");
        }
        for at in &view.next {
            outln!("  next  {}", at.format("%Y-%m-%dT%H:%M:%SZ"));
        }
        for occurrence in view.occurrences.iter().rev().take(3) {
            outln!("  last  {occurrence}");
        }
    }
    for change in changes.iter().filter(|change| change.action == Action::Delete) {
        outln!("schedule {} in {scheduler} only ({}): not in the state", change.name, change.summary);
    }
    Ok(changes.iter().filter(|change| change.action != Action::Keep).count())
}

pub fn secrets(command: &SecretsCommand) -> Outcome {
    use escher_extend::aws::secrets;
    tokio()?.block_on(async {
        match command {
            SecretsCommand::Set { target, secret, value_env } => {
                let value = std::env::var(value_env)
                    .map_err(|_| CliError::Usage(format!("--value-env names {value_env}, which is not set")))?;
                let extension = extension(target, &[], None).await?;
                let parameter = secrets::put(&extension, secret, &value).await.map_err(extend_error)?;
                let state = attach(&extension.names().state_url()).await?;
                let mut audit = Audit::new(&state);
                // The audit names the secret and where it is, never its value.
                audit.write(
                    "extend.secret.set",
                    std::slice::from_ref(&parameter),
                    format!("secret `{secret}` stored"),
                )?;
                super::close(state, Ok(EXIT_OK))?;
                outln!("stored secret `{secret}` as SecureString {parameter}");
            }
            SecretsCommand::Azure { target, tenant_id, client_id, client_secret_env } => {
                let client_secret = std::env::var(client_secret_env).map_err(|_| {
                    CliError::Usage(format!("--client-secret-env names {client_secret_env}, which is not set"))
                })?;
                let extension = extension(target, &[], None).await?;
                let principal = secrets::AzureServicePrincipal {
                    tenant_id: tenant_id.clone(),
                    client_id: client_id.clone(),
                    client_secret,
                };
                let parameter = secrets::put_azure(&extension, &principal).await.map_err(extend_error)?;
                let state = attach(&extension.names().state_url()).await?;
                let mut audit = Audit::new(&state);
                let what = format!("azure service principal {client_id} of tenant {tenant_id} stored");
                audit.write("extend.secret.set", std::slice::from_ref(&parameter), what)?;
                super::close(state, Ok(EXIT_OK))?;
                outln!(
                    "stored the Azure service principal {client_id} (tenant {tenant_id}) as SecureString {parameter}"
                );
            }
            SecretsCommand::Gcp { target, key_file } => {
                let key = std::fs::read_to_string(key_file)
                    .map_err(|source| CliError::Read { path: key_file.clone(), source })?;
                let extension = extension(target, &[], None).await?;
                let parameter = secrets::put_gcp(&extension, &key).await.map_err(extend_error)?;
                let state = attach(&extension.names().state_url()).await?;
                let mut audit = Audit::new(&state);
                audit.write(
                    "extend.secret.set",
                    std::slice::from_ref(&parameter),
                    "gcp service account key stored".into(),
                )?;
                super::close(state, Ok(EXIT_OK))?;
                outln!("stored the GCP service account key as SecureString {parameter}");
            }
            SecretsCommand::AwsRole { target, account, role_arn, external_id_env, label } => {
                let external_id = match external_id_env {
                    Some(variable) => Some(std::env::var(variable).map_err(|_| {
                        CliError::Usage(format!("--external-id-env names {variable}, which is not set"))
                    })?),
                    None => None,
                };
                let extension = extension(target, &[], None).await?;
                let stored = secrets::AwsAccount {
                    id: account.clone(),
                    role_arn: role_arn.clone(),
                    external_id,
                    name: label.clone(),
                };
                let (parameter, accounts) = secrets::put_aws_account(&extension, stored).await.map_err(extend_error)?;
                let state = attach(&extension.names().state_url()).await?;
                let mut audit = Audit::new(&state);
                let what = format!("aws account {account} through {role_arn} stored");
                audit.write("extend.secret.set", std::slice::from_ref(&parameter), what)?;
                super::close(state, Ok(EXIT_OK))?;
                outln!("stored account {account} (role {role_arn}) in SecureString {parameter}: {} account(s)", accounts.len());
                let granted = extension.record().await.map_err(extend_error)?.is_some_and(|record| {
                    record.allow.iter().any(|allow| allow == &format!("assume-role={role_arn}"))
                });
                if !granted {
                    outln!(
                        "the task role may assume it once granted: escher extend aws --name {} --allow assume-role={role_arn}",
                        extension.names().name
                    );
                }
            }
            SecretsCommand::Identity { target, runner } => {
                use escher_governance::identity::Identity;
                let extension = extension(target, &[], None).await?;
                let parameter = format!("{}{}", extension.names().parameter_path(), secrets::IDENTITY);
                let shown = std::path::Path::new(&parameter);
                let identity = match secrets::identity(&extension).await.map_err(extend_error)? {
                    Some(text) => Identity::from_secret_text(&text, shown).map_err(CliError::Identity)?,
                    None => {
                        let name = runner.clone().unwrap_or_else(|| format!("escher-{}", extension.names().name));
                        let identity = Identity::generate(&name).map_err(CliError::Identity)?;
                        secrets::put_identity(&extension, &identity.to_secret_text()).await.map_err(extend_error)?;
                        let state = attach(&extension.names().state_url()).await?;
                        let mut audit = Audit::new(&state);
                        let what = format!("runner identity {name} made, key {}", identity.public_key());
                        audit.write("extend.secret.set", std::slice::from_ref(&parameter), what)?;
                        super::close(state, Ok(EXIT_OK))?;
                        identity
                    }
                };
                outln!("runner {} key {} (in SecureString {parameter})", identity.name, identity.public_key());
            }
            SecretsCommand::List { target } => {
                let extension = extension(target, &[], None).await?;
                let names = secrets::list(&extension).await.map_err(extend_error)?;
                if names.is_empty() {
                    outln!("nothing stored in {}", extension.names().parameter_path());
                }
                for name in names {
                    outln!("{name}");
                }
            }
        }
        Ok(EXIT_OK)
    })
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Keep => "kept",
        Action::Delete => "deleted",
    }
}

async fn attach(url: &str) -> Result<AttachedState, CliError> {
    let location = StateLocation::parse(url).map_err(CliError::Store)?;
    AttachedState::attach(location, |failure| eprintln!("warning: the state could not be pushed: {failure}"))
        .await
        .map_err(CliError::State)
}

/// The state's audit log, written as each change is made (the bucket's copy is pushed within a second).
struct Audit {
    dir: PathBuf,
    who: String,
}

impl Audit {
    fn new(state: &AttachedState) -> Audit {
        Audit { dir: state.dir().to_path_buf(), who: holder_name() }
    }

    fn change(&mut self, change: &Change, id: &str) -> Result<(), CliError> {
        let kind = format!("extend.{}", verb(change.action));
        self.write(&kind, &[id.to_string()], format!("{} {} {}", verb(change.action), change.kind, change.name))
    }

    fn write(&mut self, kind: &str, targets: &[String], result: String) -> Result<(), CliError> {
        let entry = AuditEntry {
            at: stamp(escher_state::chrono::Utc::now()),
            who: self.who.clone(),
            role: "operator".to_string(),
            run_id: String::new(),
            plan_hash: String::new(),
            kind: kind.to_string(),
            step: None,
            action: None,
            targets: targets.to_vec(),
            approval: None,
            journal: None,
            result,
            policy: None,
        };
        let mut log = AuditLog::open(&self.dir)
            .map_err(|error| CliError::Refused(format!("cannot open the audit log: {error}")))?;
        log.append(entry).map(drop).map_err(|error| CliError::Refused(format!("cannot write the audit log: {error}")))
    }
}
