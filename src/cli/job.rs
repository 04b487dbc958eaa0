//! `escher job run-due`: the engine's container entry point. It runs what is due in the state (a bucket), each
//! occurrence claimed once, governed through the engine as `escher daemon` runs it, and exits when nothing more
//! is due. Started by a scheduler for one occurrence (`--at`), two starts for the same occurrence run it once.

use std::path::PathBuf;

use escher_state::chrono::{DateTime, Utc};

use super::daemon::{self, DaemonArgs};
use super::schedule::parse_time;
use super::{CliError, Outcome};

#[derive(Debug, clap::Subcommand)]
pub enum JobCommand {
    /// Run the due occurrences of the state's schedules, then exit (with --exit-when-idle) or wait for more.
    RunDue(RunDueArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunDueArgs {
    /// The state: a directory or s3://, az://, gs:// URL (default: $ESCHER_STATE).
    #[arg(long, value_name = "DIR|URL")]
    pub state: Option<PathBuf>,
    /// The occurrence this start is for (RFC 3339; EventBridge passes its scheduled time): what is due at it
    /// runs. Default: now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
    /// Exit once nothing is due (a container's life); without it, wait for the next occurrence as the daemon does.
    #[arg(long)]
    pub exit_when_idle: bool,
    /// This job's name in occurrence records, locks and the audit log (default: user@host:pid).
    #[arg(long)]
    pub holder: Option<String>,
}

/// Where an Extended Laptop's task finds its secrets: the SSM parameter path (the task definition sets it).
const SSM_PATH_VARIABLE: &str = "ESCHER_SECRETS_SSM_PATH";

pub fn run(command: &JobCommand) -> Outcome {
    let JobCommand::RunDue(args) = command;
    let daemon =
        DaemonArgs { once: args.exit_when_idle, now: args.at, state: args.state.clone(), holder: args.holder.clone() };
    let held = match std::env::var(SSM_PATH_VARIABLE).ok().filter(|path| !path.is_empty()) {
        Some(path) => from_ssm(&path)?,
        None => daemon::Held::default(),
    };
    daemon::run_with(&daemon, held)
}

/// The secrets and credentials under the parameter path, decrypted, held in memory only (never written,
/// printed or logged): the secrets for `secret("...")`, and the providers signing in with the credentials.
#[cfg(feature = "aws")]
fn from_ssm(path: &str) -> Result<daemon::Held, CliError> {
    use std::sync::Arc;

    use escher_engine::ProviderRegistry;
    use escher_runtime::provider::Secret;

    let fetched = super::state::tokio()?.block_on(async {
        let clients = escher_extend::aws::Clients::load(None).await;
        escher_extend::aws::secrets::fetch(&clients.ssm, path)
            .await
            .map_err(|error| CliError::Refused(format!("cannot read the secrets under {path}: {error}")))
    })?;
    #[allow(unused_mut)]
    let mut registry = ProviderRegistry::builtin();
    #[cfg(feature = "azure")]
    if let Some(principal) = fetched.azure {
        let credential = escher_azure::HostCredential::ClientSecret {
            client_id: principal.client_id,
            secret: escher_azure::Secret::new(principal.client_secret),
        };
        registry.register(Arc::new(escher_azure::SignedInAzureFactory::new(credential, Some(principal.tenant_id))));
    }
    if !fetched.aws_accounts.is_empty() {
        let accounts = fetched
            .aws_accounts
            .into_iter()
            .map(|account| escher_aws::AccountConfig {
                id: account.id,
                role_arn: Some(account.role_arn),
                external_id: account.external_id,
                name: account.name,
            })
            .collect();
        registry.register(Arc::new(escher_aws::WithAccountsAwsFactory::new(accounts)));
    }
    #[cfg(feature = "gcp")]
    if let Some(key) = fetched.gcp {
        registry.register(Arc::new(escher_gcp::SignedInGcpFactory::new(key)));
    }
    let runner = match fetched.identity {
        Some(text) => Some(
            escher_governance::identity::Identity::from_secret_text(
                &text,
                std::path::Path::new(&format!("{path}identity")),
            )
            .map_err(CliError::Identity)?,
        ),
        None => None,
    };
    let secrets = fetched.secrets.into_iter().map(|(name, value)| (name, Secret::new(value))).collect();
    Ok(daemon::Held { secrets: Arc::new(secrets), registry, runner })
}

#[cfg(not(feature = "aws"))]
fn from_ssm(path: &str) -> Result<daemon::Held, CliError> {
    Err(CliError::Usage(format!("{SSM_PATH_VARIABLE} is {path}, but this escher is built without AWS")))
}
