//! Amazon RDS: `aws.rds.*` queries and actions, and `describe` for RDS instances and snapshots. RDS has no
//! dry-run parameter: in a dry run its actions are reported not simulated and nothing is called.

mod done;
mod instance_actions;
mod list;
mod lookup;
pub(crate) mod records;
mod snapshot_actions;

use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};

use crate::context::AwsContext;
use crate::outcome::{Done, each_target, home, not_simulated, unknown_action};
use crate::record::str_field;
use escher_runtime::provider::args::Args;

pub(crate) use done::is_done;

pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    match call.action.as_str() {
        "aws.rds.instances" => return list::instances(ctx, &args).await.map(ProviderResponse::Value),
        "aws.rds.snapshots" => return list::snapshots(ctx, &args).await.map(ProviderResponse::Value),
        _ => {}
    }
    check_args(&call.action, &args)?;
    if call.dry_run {
        return Ok(not_simulated(call, "RDS"));
    }
    each_target(&call.targets, |target| act(ctx, call, &args, target)).await
}

async fn act(ctx: &AwsContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let (account, region) = home(target);
    let client = ctx.rds(account, region).await?;
    match call.action.as_str() {
        "aws.rds.start" => instance_actions::start(&client, target).await,
        "aws.rds.stop" => instance_actions::stop(&client, target).await,
        "aws.rds.reboot" => instance_actions::reboot(&client, target).await,
        "aws.rds.create_snapshots" => instance_actions::create_snapshot(&client, args, call, target).await,
        "aws.rds.modify_class" => instance_actions::modify_class(&client, args, target).await,
        "aws.rds.tag" => instance_actions::tag(&client, args, target).await,
        "aws.rds.delete" => instance_actions::delete(&client, args, target).await,
        "aws.rds.restore_snapshots" => snapshot_actions::restore(&client, args, call, target).await,
        "aws.rds.delete_snapshots" => snapshot_actions::delete(&client, target).await,
        other => Err(unknown_action("RDS", other)),
    }
}

/// The arguments an action needs, checked before anything is called (in dry runs too).
fn check_args(action: &str, args: &Args<'_>) -> Result<(), ProviderError> {
    match action {
        "aws.rds.start" | "aws.rds.stop" | "aws.rds.reboot" | "aws.rds.delete_snapshots" => Ok(()),
        "aws.rds.create_snapshots" => args.opt_str("name_prefix").map(drop),
        "aws.rds.modify_class" => match args.str("instance_class")? {
            class if class.starts_with("db.") => Ok(()),
            class => Err(ProviderError::Invalid(format!("`{class}` is not a DB instance class (db.*)"))),
        },
        "aws.rds.tag" => args.tags("tags").map(drop),
        "aws.rds.delete" => args.opt_bool("skip_final_snapshot").map(drop),
        "aws.rds.restore_snapshots" => args.str("name_prefix").and(args.opt_str("instance_class")).map(drop),
        other => Err(unknown_action("RDS", other)),
    }
}

/// The current records of RDS instances and snapshots (told apart by their ARN); those gone are left out.
pub(crate) async fn describe(ctx: &AwsContext, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
    let mut found = Vec::new();
    for resource in resources {
        let (account, region) = home(resource);
        let client = ctx.rds(account, region).await?;
        let name = lookup::identifier(resource);
        let (account, region) = (str_field(resource, "account"), str_field(resource, "region"));
        if str_field(resource, "id").contains(":snapshot:") {
            if let Some(snap) = lookup::snapshot(&client, name).await? {
                found.push(records::snapshot(&snap, account, region));
            }
        } else if let Some(db) = lookup::instance(&client, name).await? {
            found.push(records::instance(&db, account, region));
        }
    }
    Ok(found)
}
