//! Image, snapshot and volume actions, one request per target (their batch size is 1). Deleting what is already
//! gone is "unchanged", so a retried or resumed batch does not fail on its own earlier success. What these
//! actions create carries the batch's idempotency key, and a call in doubt looks for it before creating again
//! (see `identity.rs`): a target whose image, snapshot, copy or volume an earlier call made is reported changed.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, ResourceType, VolumeType};
use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, TargetResult};

use super::identity::{self, client_token, made_by, made_from};
use super::send::{Sent, changed, failed, home, sent, unchanged};
use crate::context::AwsContext;
use crate::record::{str_field, text, with_field};
use escher_runtime::provider::args::Args;

/// Which action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    CreateImage,
    DeregisterImage,
    CreateSnapshot,
    DeleteVolume,
    RestoreVolume,
    DeleteSnapshot,
    CopySnapshot,
}

/// Codes that mean the resource is already gone.
const GONE: &[&str] =
    &["InvalidVolume.NotFound", "InvalidSnapshot.NotFound", "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"];

pub(crate) async fn run(ctx: &AwsContext, call: &ProviderCall, act: Act) -> Result<Vec<TargetResult>, ProviderError> {
    let mut results = Vec::with_capacity(call.targets.len());
    for target in &call.targets {
        results.push(one(ctx, call, act, target).await?);
    }
    Ok(results)
}

/// Whether an earlier call with this batch's key already made what `act` makes from `target`; `false` for the
/// actions that create nothing. `client` is of the target's region.
async fn made_earlier(
    ctx: &AwsContext,
    client: &Client,
    call: &ProviderCall,
    act: Act,
    target: &Value,
) -> Result<bool, ProviderError> {
    let id = str_field(target, "id");
    let by_key = identity::with_key(call);
    match act {
        Act::CreateSnapshot => {
            let of_volume = Filter::builder().name("volume-id").values(id).build();
            identity::snapshot_exists(client, vec![by_key, of_volume]).await
        }
        Act::CopySnapshot => {
            let (account, _) = home(std::slice::from_ref(target));
            let destination = Args(&call.args).str("destination_region")?;
            identity::snapshot_exists(&ctx.ec2(account, destination).await?, made_from(call, id)).await
        }
        Act::CreateImage => identity::image_exists(client, made_from(call, id)).await,
        Act::RestoreVolume => {
            let of_snapshot = Filter::builder().name("snapshot-id").values(id).build();
            identity::volume_exists(client, vec![by_key, of_snapshot]).await
        }
        Act::DeregisterImage | Act::DeleteVolume | Act::DeleteSnapshot => Ok(false),
    }
}

async fn one(ctx: &AwsContext, call: &ProviderCall, act: Act, target: &Value) -> Result<TargetResult, ProviderError> {
    let args = Args(&call.args);
    let (account, region) = home(std::slice::from_ref(target));
    let client = ctx.ec2(account, region).await?;
    let id = str_field(target, "id");
    let dry = call.dry_run;
    if call.in_doubt && !dry && made_earlier(ctx, &client, call, act, target).await? {
        return Ok(changed(target, target.clone()));
    }
    // Each arm: the request's outcome, reduced to "done" (with the resource after) or not.
    let (outcome, after): (Sent<()>, Value) = match act {
        Act::CreateImage => {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let name = format!("{}-{id}-{stamp}", args.str("name_prefix")?);
            let r = client
                .create_image()
                .instance_id(id)
                .name(&name)
                .no_reboot(args.bool_or("no_reboot", true)?)
                .tag_specifications(made_by(call, ResourceType::Image, id))
                .dry_run(dry)
                .send()
                .await;
            (unit(sent(&format!("ec2 CreateImage {id}"), r)?), target.clone())
        }
        Act::DeregisterImage => {
            let r = client.deregister_image().image_id(id).dry_run(dry).send().await;
            (unit(sent(&format!("ec2 DeregisterImage {id}"), r)?), with_field(target, "state", text("deregistered")))
        }
        Act::CreateSnapshot => {
            let r = client
                .create_snapshot()
                .volume_id(id)
                .description(args.opt_str("description")?.unwrap_or(""))
                .tag_specifications(made_by(call, ResourceType::Snapshot, id))
                .dry_run(dry)
                .send()
                .await;
            (unit(sent(&format!("ec2 CreateSnapshot {id}"), r)?), target.clone())
        }
        Act::DeleteVolume => {
            let r = client.delete_volume().volume_id(id).dry_run(dry).send().await;
            (unit(sent(&format!("ec2 DeleteVolume {id}"), r)?), with_field(target, "state", text("deleted")))
        }
        Act::RestoreVolume => {
            let zone = args.str("availability_zone")?;
            let kind = VolumeType::from(args.opt_str("volume_type")?.unwrap_or("gp3"));
            let r = client
                .create_volume()
                .snapshot_id(id)
                .availability_zone(zone)
                .volume_type(kind)
                .tag_specifications(made_by(call, ResourceType::Volume, id))
                .client_token(client_token(call, id))
                .dry_run(dry)
                .send()
                .await;
            (unit(sent(&format!("ec2 CreateVolume from {id} in {zone}"), r)?), target.clone())
        }
        Act::DeleteSnapshot => {
            let r = client.delete_snapshot().snapshot_id(id).dry_run(dry).send().await;
            (unit(sent(&format!("ec2 DeleteSnapshot {id}"), r)?), with_field(target, "state", text("deleted")))
        }
        Act::CopySnapshot => {
            let destination = args.str("destination_region")?;
            let there = ctx.ec2(account, destination).await?;
            let r = there
                .copy_snapshot()
                .source_region(region)
                .source_snapshot_id(id)
                .encrypted(args.bool_or("encrypt", true)?)
                .description(format!("Copy of {id} from {region}"))
                .tag_specifications(made_by(call, ResourceType::Snapshot, id))
                .dry_run(dry)
                .send()
                .await;
            (unit(sent(&format!("ec2 CopySnapshot {id} from {region} to {destination}"), r)?), target.clone())
        }
    };
    Ok(match outcome {
        Sent::Done(()) | Sent::WouldSucceed => changed(target, after),
        Sent::Refused { code, .. } if GONE.contains(&code.as_str()) => unchanged(target, after),
        Sent::Refused { error, .. } => failed(target, error),
    })
}

fn unit<T>(sent: Sent<T>) -> Sent<()> {
    match sent {
        Sent::Done(_) => Sent::Done(()),
        Sent::WouldSucceed => Sent::WouldSucceed,
        Sent::Refused { code, error } => Sent::Refused { code, error },
    }
}
