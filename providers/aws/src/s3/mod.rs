//! Amazon S3: `aws.s3.*` queries and actions, and `describe` for buckets. Clients are path-style against a
//! custom endpoint (see `AwsContext::s3`). S3 has no dry-run parameter: in a dry run its actions are reported
//! not simulated and nothing is called. Every action's effect shows on the bucket's record (`is_done`).

mod actions;
mod done;
mod inspect;
mod list;
mod replication;

use escher_compiler::plan::Value;
use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};

use crate::context::AwsContext;
use crate::outcome::{Done, each_target, not_simulated, unknown_action};
use actions::Bucket;
use escher_runtime::provider::args::Args;

pub(crate) use done::is_done;
pub(crate) use list::describe;

pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let args = Args(&call.args);
    if call.action == "aws.s3.buckets" {
        return list::buckets(ctx, &args).await.map(ProviderResponse::Value);
    }
    check_args(&call.action, &args)?;
    if call.dry_run {
        return Ok(not_simulated(call, "S3"));
    }
    each_target(&call.targets, |target| act(ctx, call, &args, target)).await
}

async fn act(ctx: &AwsContext, call: &ProviderCall, args: &Args<'_>, target: &Value) -> Result<Done, ProviderError> {
    let bucket = Bucket::open(ctx, target).await?;
    match call.action.as_str() {
        "aws.s3.block_public_access" => actions::block_public_access(&bucket).await,
        "aws.s3.enable_default_encryption" => actions::enable_default_encryption(&bucket, args).await,
        "aws.s3.enable_versioning" => actions::enable_versioning(&bucket).await,
        "aws.s3.suspend_versioning" => actions::suspend_versioning(&bucket).await,
        "aws.s3.enable_replication" => replication::enable_replication(&bucket, args, &call.idempotency_key).await,
        "aws.s3.tag" => actions::tag(&bucket, args).await,
        other => Err(unknown_action("S3", other)),
    }
}

/// The arguments an action needs, checked before anything is called (in dry runs too).
fn check_args(action: &str, args: &Args<'_>) -> Result<(), ProviderError> {
    match action {
        "aws.s3.block_public_access" | "aws.s3.enable_versioning" | "aws.s3.suspend_versioning" => Ok(()),
        "aws.s3.enable_default_encryption" => {
            let algorithm = args.opt_str("algorithm")?.unwrap_or("AES256");
            let key = args.opt_str("kms_key_id")?;
            if !actions::ALGORITHMS.contains(&algorithm) {
                return Err(ProviderError::Invalid(format!(
                    "S3 default encryption is AES256, aws:kms or aws:kms:dsse, not `{algorithm}`"
                )));
            }
            if key.is_some() && algorithm == "AES256" {
                return Err(ProviderError::Invalid("a KMS key applies only to aws:kms encryption".into()));
            }
            Ok(())
        }
        "aws.s3.enable_replication" => args.str("destination_region").and(args.opt_str("destination_prefix")).map(drop),
        "aws.s3.tag" => match args.tags("tags")?.keys().find(|k| k.starts_with("aws:")) {
            Some(key) => Err(ProviderError::Invalid(format!("tag keys starting with `aws:` are reserved ({key})"))),
            None => Ok(()),
        },
        other => Err(unknown_action("S3", other)),
    }
}
