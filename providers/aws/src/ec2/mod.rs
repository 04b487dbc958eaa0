//! Amazon EC2 and EBS: the `aws.ec2.*` queries and actions, and `describe` for their records. Every action
//! passes `DryRun` in a dry run: `DryRunOperation` reports the target changed (as it would be), any refusal
//! (`UnauthorizedOperation`...) reports it failed, and nothing changes. What the actions create carries the
//! batch's idempotency key (`identity.rs`); `done.rs` tells the other actions' effects from the target's record.

mod done;
mod identity;
mod ingress;
mod instances;
pub(crate) mod list;
pub(crate) mod records;
mod send;
mod storage;
mod waiters;

use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};

use crate::context::AwsContext;
use escher_runtime::provider::args::Args;
use instances::Change;
use list::{Kind, Narrow};
use storage::Act;

pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    let query = match call.action.as_str() {
        "aws.ec2.instances" => Some(Kind::Instances),
        "aws.ec2.volumes" => Some(Kind::Volumes),
        "aws.ec2.snapshots" => Some(Kind::Snapshots),
        "aws.ec2.images" => Some(Kind::Images),
        "aws.ec2.open_ingress_rules" => Some(Kind::OpenIngress),
        _ => None,
    };
    if let Some(kind) = query {
        let regions = args.strings("regions")?;
        let found = list::list(ctx, kind, &regions, &Narrow::from_args(&args)?).await?;
        return Ok(ProviderResponse::Value(Value::List(found)));
    }
    let results = match call.action.as_str() {
        "aws.ec2.start" => instances::change_state(ctx, call, Change::Start).await?,
        "aws.ec2.stop" => instances::change_state(ctx, call, Change::Stop).await?,
        "aws.ec2.reboot" => instances::change_state(ctx, call, Change::Reboot).await?,
        "aws.ec2.terminate" => instances::change_state(ctx, call, Change::Terminate).await?,
        "aws.ec2.resize" => instances::resize(ctx, call).await?,
        "aws.ec2.tag" => instances::retag(ctx, call, false).await?,
        "aws.ec2.untag" => instances::retag(ctx, call, true).await?,
        "aws.ec2.create_images" => storage::run(ctx, call, Act::CreateImage).await?,
        "aws.ec2.deregister_images" => storage::run(ctx, call, Act::DeregisterImage).await?,
        "aws.ec2.create_snapshots" => storage::run(ctx, call, Act::CreateSnapshot).await?,
        "aws.ec2.delete_volumes" => storage::run(ctx, call, Act::DeleteVolume).await?,
        "aws.ec2.restore_volumes" => storage::run(ctx, call, Act::RestoreVolume).await?,
        "aws.ec2.delete_snapshots" => storage::run(ctx, call, Act::DeleteSnapshot).await?,
        "aws.ec2.copy_snapshots" => storage::run(ctx, call, Act::CopySnapshot).await?,
        "aws.ec2.revoke_ingress" => ingress::revoke(ctx, call).await?,
        "aws.ec2.authorize_ingress" => ingress::authorize(ctx, call).await?,
        other => return Err(ProviderError::Unsupported(format!("the AWS provider has no EC2 action `{other}`"))),
    };
    Ok(ProviderResponse::Targets(results))
}

pub(crate) use done::is_done;

pub(crate) async fn describe(ctx: &AwsContext, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
    list::describe(ctx, resources).await
}
