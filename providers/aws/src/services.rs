//! A call named by its AWS action (`aws.ec2.stop`, `aws.rds.instances`, `cost.by_service`) sent to the module of
//! its service. The module that answers other names (`inventory`) builds on this, never the other way round.

use escher_runtime::provider::{ProviderCall, ProviderError, ProviderResponse};

use crate::context::AwsContext;
use crate::{cost, ec2, lambda, rds, route53, s3};

pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    let action = call.action.as_str();
    match service_of(action) {
        Some("ec2") => ec2::call(ctx, call).await,
        Some("rds") => rds::call(ctx, call).await,
        Some("lambda") => lambda::call(ctx, call).await,
        Some("s3") => s3::call(ctx, call).await,
        Some("route53") => route53::call(ctx, call).await,
        Some("cost") => cost::call(ctx, call).await,
        _ if action.starts_with("cost.") => cost::call(ctx, call).await,
        _ => Err(ProviderError::Unsupported(format!("the AWS provider has no query or action `{action}`"))),
    }
}

/// `ec2` for `aws.ec2.stop`; `None` for names outside `aws.`.
pub(crate) fn service_of(action: &str) -> Option<&str> {
    action.strip_prefix("aws.")?.split('.').next()
}
