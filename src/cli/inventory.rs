//! `escher inventory --cloud aws [--regions a,b] [--aws-config FILE] [--state DIR]`: discovers the AWS estate
//! into `inventory/aws.json` in the state directory; `escher inventory --cloud azure [--subscriptions a,b]` the
//! Azure estate into `inventory/azure.json`; `escher inventory --cloud gcp [--projects a,b]` the GCP estate into
//! `inventory/gcp.json`; and the inventory's part of `escher plan` (how many resources each
//! step's query matches today).

use std::path::Path;

use escher_compiler::lint::TargetsToday;
use escher_compiler::plan::Plan;
use escher_runtime::provider::inventory::{self, Counts};

#[cfg(any(feature = "aws", feature = "azure", feature = "gcp"))]
use super::EXIT_OK;
use super::{CliError, Outcome};

#[derive(Debug, clap::Args)]
pub struct InventoryArgs {
    #[arg(long, value_enum)]
    pub cloud: InventoryCloud,
    /// Regions to list (a,b,c); default: `regions` of the AWS configuration, else every enabled region.
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// The AWS configuration (accounts and roles, regions); default: `aws.json` in the state directory.
    #[arg(long, value_name = "FILE")]
    pub aws_config: Option<std::path::PathBuf>,
    /// Azure subscriptions to list (a,b); default: `subscriptions` of `azure.json`, else every enabled one the
    /// credential sees.
    #[arg(long, value_delimiter = ',')]
    pub subscriptions: Vec<String>,
    /// GCP projects to list (a,b); default: `projects` of `gcp.json`, else the credentials' project.
    #[arg(long, value_delimiter = ',')]
    pub projects: Vec<String>,
    #[arg(long, value_name = "DIR")]
    pub state: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InventoryCloud {
    Aws,
    Azure,
    Gcp,
}

/// Discovers and saves the inventory; prints counts by kind. A discovery that fails leaves the saved one as it
/// was.
pub fn run(state: &Path, args: &InventoryArgs) -> Outcome {
    match args.cloud {
        InventoryCloud::Aws => run_aws(state, args),
        InventoryCloud::Azure => run_azure(state, args),
        InventoryCloud::Gcp => run_gcp(state, args),
    }
}

/// Says where a discovery was saved (or why it could not be) and how many resources of each kind it found.
#[cfg(any(feature = "aws", feature = "azure", feature = "gcp"))]
fn report(
    state: &Path,
    saved: std::io::Result<std::path::PathBuf>,
    headline: &str,
    by_kind: std::collections::BTreeMap<String, usize>,
) -> Outcome {
    let path = saved
        .map_err(|error| CliError::Usage(format!("cannot write the inventory under {}: {error}", state.display())))?;
    outln!("{headline}: {}", path.display());
    for (kind, count) in by_kind {
        outln!("  {kind:<28} {count}");
    }
    Ok(EXIT_OK)
}

#[cfg(feature = "azure")]
fn run_azure(state: &Path, args: &InventoryArgs) -> Outcome {
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CliError::Async)?;
    tokio.block_on(async {
        let setup = escher_runtime::provider::ProviderSetup { state_dir: state.to_path_buf(), ..Default::default() };
        let ctx =
            escher_azure::AzureFactory::context(&setup).await.map_err(|error| CliError::Usage(error.to_string()))?;
        let inventory = escher_azure::inventory::discover(&ctx, &args.subscriptions).await.map_err(|error| {
            CliError::Refused(format!("Azure discovery failed, the inventory is left as it was: {error}"))
        })?;
        let (resources, subscriptions) = (inventory.resources.len(), inventory.subscriptions.len());
        let headline = format!("{resources} Azure resources in {subscriptions} subscription(s)");
        report(state, inventory.save(state), &headline, inventory.by_kind())
    })
}

#[cfg(not(feature = "azure"))]
fn run_azure(_state: &Path, _args: &InventoryArgs) -> Outcome {
    Err(CliError::Usage("this escher was built without the `azure` feature".into()))
}

#[cfg(feature = "gcp")]
fn run_gcp(state: &Path, args: &InventoryArgs) -> Outcome {
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CliError::Async)?;
    tokio.block_on(async {
        let setup = escher_runtime::provider::ProviderSetup { state_dir: state.to_path_buf(), ..Default::default() };
        let ctx = escher_gcp::GcpFactory::context(&setup).await.map_err(|error| CliError::Usage(error.to_string()))?;
        let inventory = escher_gcp::inventory::discover(&ctx, &args.projects).await.map_err(|error| {
            CliError::Refused(format!("GCP discovery failed, the inventory is left as it was: {error}"))
        })?;
        let (resources, projects) = (inventory.resources.len(), inventory.projects.len());
        let headline = format!("{resources} GCP resources in {projects} project(s)");
        report(state, inventory.save(state), &headline, inventory.by_kind())
    })
}

#[cfg(not(feature = "gcp"))]
fn run_gcp(_state: &Path, _args: &InventoryArgs) -> Outcome {
    Err(CliError::Usage("this escher was built without the `gcp` feature".into()))
}

#[cfg(feature = "aws")]
fn run_aws(state: &Path, args: &InventoryArgs) -> Outcome {
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CliError::Async)?;
    tokio.block_on(async {
        let ctx = context(state, args.aws_config.as_deref()).await.map_err(CliError::Usage)?;
        let inventory = escher_aws::inventory::discover(&ctx, &args.regions).await.map_err(|error| {
            CliError::Refused(format!("AWS discovery failed, the inventory is left as it was: {error}"))
        })?;
        let (resources, accounts) = (inventory.resources.len(), inventory.accounts.len());
        let headline =
            format!("{resources} AWS resources in {accounts} account(s), regions {}", inventory.regions.join(", "));
        report(state, inventory.save(state), &headline, inventory.by_kind())
    })
}

#[cfg(not(feature = "aws"))]
fn run_aws(_state: &Path, _args: &InventoryArgs) -> Outcome {
    Err(CliError::Usage("this escher was built without the `aws` feature".into()))
}

/// The AWS context: `--aws-config FILE`, else `aws.json` in the state directory, else the host's credentials
/// and enabled regions.
#[cfg(feature = "aws")]
async fn context(state: &Path, aws_config: Option<&Path>) -> Result<escher_aws::AwsContext, String> {
    let options = aws_config
        .map(|file| (escher_aws::factory::CONFIG.to_string(), file.to_string_lossy().into_owned()))
        .into_iter()
        .collect();
    let setup = escher_runtime::provider::ProviderSetup { state_dir: state.to_path_buf(), options, resuming: false };
    escher_aws::AwsFactory::context(&setup).await.map_err(|error| error.to_string())
}

/// The saved inventories `escher plan` and `escher lint` count from: each cloud's this build discovers, where
/// discovery ran.
fn saved(state: &Path) -> Result<Vec<Box<dyn Counts>>, String> {
    #[allow(unused_mut)]
    let mut saved: Vec<Box<dyn Counts>> = Vec::new();
    #[cfg(feature = "aws")]
    if let Some(inventory) = escher_aws::inventory::Inventory::load(state)? {
        saved.push(Box::new(inventory));
    }
    #[cfg(feature = "gcp")]
    if let Some(inventory) = escher_gcp::inventory::Inventory::load(state)? {
        saved.push(Box::new(inventory));
    }
    let _ = state;
    Ok(saved)
}

/// Lines for `escher plan` when the state directory holds inventories (see
/// `escher_runtime::provider::inventory::blast_lines`).
pub fn blast_lines(plan: &Plan, state: &Path) -> Option<String> {
    match saved(state) {
        Ok(saved) if saved.is_empty() => None,
        Ok(saved) => Some(inventory::blast_lines(plan, &saved.iter().map(Box::as_ref).collect::<Vec<_>>())),
        Err(message) => Some(format!("inventory: {message}\n")),
    }
}

/// What `escher lint` judges `max_targets` against: what each step's query matches in the state directory's
/// inventories, when it holds any.
pub fn targets_today(plan: &Plan, state: &Path) -> Result<Option<TargetsToday>, String> {
    let saved = saved(state)?;
    if saved.is_empty() {
        return Ok(None);
    }
    let held: Vec<String> =
        saved.iter().map(|i| format!("the {} inventory of {}", i.cloud(), i.discovered_at())).collect();
    let counts = inventory::targets_today(plan, &saved.iter().map(Box::as_ref).collect::<Vec<_>>());
    Ok(Some(TargetsToday { source: held.join(" and "), counts }))
}
