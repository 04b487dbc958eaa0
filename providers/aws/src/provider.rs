//! [`AwsProvider`]: the runtime's [`Provider`] for Cloud::Aws. A call goes to its service module by the action's
//! prefix (`aws.ec2.` to `ec2::call`, `aws.rds.` to `rds::call`, and so on). The provider answers AWS names only,
//! and the cloud-agnostic queries no AWS query implements (`inventory.*` here, `cost.*` in `cost.rs`): the
//! runtime sends a cloud-agnostic action or query as the AWS one the stdlib declares implements it
//! (`compute.stop` as `aws.ec2.stop`, `compute.instances` as `aws.ec2.instances`), so a host that sends the
//! agnostic names of those directly to this provider is not supported. Each service module exposes
//! `pub(crate) async fn call(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError>`
//! and `pub(crate) async fn describe(ctx: &AwsContext, resources: &[Value]) -> Result<Vec<Value>, ProviderError>`
//! for the records of its kinds (`aws.rds.Instance`...), and `pub(crate) fn is_done(action, call, resource)` for
//! the actions whose effect shows on their target's record (pure: see [`crate::done`]).
//!
//! Exactly once: what an action creates carries the batch's idempotency key (`IDEMPOTENCY_TAG` as a tag, and a
//! ClientToken derived from it where the API takes one), and a call in doubt looks for it before creating again
//! (`ec2/identity.rs`, `rds/instance_actions.rs`, `rds/snapshot_actions.rs`); the other actions are judged by
//! `is_done` on the target's record.

use std::sync::Arc;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::ProviderResponse;
use escher_runtime::provider::{Bucket, Notification, Provider, ProviderCall, ProviderError};

use crate::context::AwsContext;
use crate::record::str_field;
use crate::services::{self, service_of};
use crate::{ec2, inventory, lambda, rds, route53, s3};

/// The AWS provider; cheap to clone (the context is shared).
#[derive(Clone)]
pub struct AwsProvider {
    ctx: Arc<AwsContext>,
}

impl AwsProvider {
    pub fn new(ctx: AwsContext) -> AwsProvider {
        AwsProvider { ctx: Arc::new(ctx) }
    }

    pub fn context(&self) -> &AwsContext {
        &self.ctx
    }
}

/// Sends a call to where it is answered: `inventory.*` to its module, everything else to its service. The
/// services' futures are large (the SDK's), so each is boxed rather than nested in this one, which would
/// overflow a debug build's stack.
pub(crate) async fn dispatch(ctx: &AwsContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    if call.action.starts_with("inventory.") {
        return Box::pin(inventory::call(ctx, call)).await;
    }
    Box::pin(services::call(ctx, call)).await
}

/// Whether `resource` already shows what `call` does, asked of the action's service; `None` for creations,
/// reboots, queries, names outside `aws.` and anything the record cannot show.
pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    let action = call.action.as_str();
    match service_of(action)? {
        "ec2" => ec2::is_done(action, call, resource),
        "rds" => rds::is_done(action, call, resource),
        "lambda" => lambda::is_done(action, call, resource),
        "s3" => s3::is_done(action, call, resource),
        "route53" => route53::is_done(action, call, resource),
        _ => None,
    }
}

#[async_trait::async_trait]
impl Provider for AwsProvider {
    fn name(&self) -> &str {
        "aws"
    }

    fn serves(&self, cloud: Cloud) -> bool {
        cloud == Cloud::Aws
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        dispatch(&self.ctx, call).await
    }

    /// Each service describes the records of its kinds; the answers are joined in the order of the services.
    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        let of = |service: &str| -> Vec<Value> {
            resources.iter().filter(|r| service_of(str_field(r, "kind")) == Some(service)).cloned().collect()
        };
        let mut found = Vec::new();
        for service in ["ec2", "rds", "lambda", "s3", "route53"] {
            let mine = of(service);
            if mine.is_empty() {
                continue;
            }
            let described = match service {
                "ec2" => ec2::describe(&self.ctx, &mine).await?,
                "rds" => rds::describe(&self.ctx, &mine).await?,
                "lambda" => lambda::describe(&self.ctx, &mine).await?,
                "s3" => s3::describe(&self.ctx, &mine).await?,
                _ => route53::describe(&self.ctx, &mine).await?,
            };
            found.extend(described);
        }
        Ok(found)
    }

    fn is_done(&self, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
        is_done(call, resource)
    }

    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        bucket(rate_class)
    }

    async fn publish(&self, notification: &Notification) -> Result<(), ProviderError> {
        Box::pin(crate::sns::publish(&self.ctx, notification)).await
    }
}

/// The EC2 API's bucket for describes ("Request throttling for the Amazon EC2 API").
pub const EC2_DESCRIBE: Bucket = Bucket { capacity: 100, per_second: 20.0 };
/// The EC2 API's bucket for mutating and resource-intensive actions.
pub const EC2_MUTATING: Bucket = Bucket { capacity: 50, per_second: 5.0 };

/// Rate classes of the stdlib's AWS declarations onto the services' published request rates, per account and
/// region. EC2's are the API's own buckets ("Request throttling for the Amazon EC2 API": describes 100 at once
/// refilled 20 per second; mutating and resource-intensive actions 50 refilled 5 per second); the others are the
/// services' documented rates, or conservative where they publish none.
pub fn bucket(rate_class: &str) -> Option<Bucket> {
    let bucket = |capacity, per_second| Some(Bucket { capacity, per_second });
    match rate_class {
        "ec2.describe" => Some(EC2_DESCRIBE),
        "ec2.mutating" => Some(EC2_MUTATING),
        "rds.describe" => bucket(100, 20.0),
        "rds.mutating" => bucket(40, 8.0),
        "lambda.read" => bucket(100, 15.0),
        "lambda.write" => bucket(20, 5.0),
        "s3.read" => bucket(100, 50.0),
        "s3.write" => bucket(50, 10.0),
        // Route 53: five requests per second per account.
        "route53.read" | "route53.write" => bucket(5, 5.0),
        // Cost Explorer bills each request.
        "ce.read" => bucket(5, 1.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_classes_are_the_published_buckets() {
        assert_eq!(bucket("ec2.describe"), Some(EC2_DESCRIBE));
        assert_eq!(bucket("ec2.mutating"), Some(EC2_MUTATING));
        assert_eq!(bucket("dispatch"), None);
    }

    #[test]
    fn done_is_asked_of_the_actions_service_and_other_names_cannot_tell() {
        use crate::done::tests::{call, record, text};
        let stopped = record(&[("id", text("i-1")), ("state", text("stopped"))], &[]);
        let running = record(&[("id", text("i-1")), ("state", text("running"))], &[]);
        let stop = call("aws.ec2.stop", &[], vec![running.clone()]);
        assert_eq!(is_done(&stop, Some(&running)), Some(false));
        assert_eq!(is_done(&stop, Some(&stopped)), Some(true));
        let backup = call("aws.rds.create_snapshots", &[], vec![running.clone()]);
        assert_eq!(is_done(&backup, Some(&running)), None, "a creation");
        let versioned = record(&[("versioning", Value::Bool(true))], &[]);
        assert_eq!(is_done(&call("aws.s3.enable_versioning", &[], vec![]), Some(&versioned)), Some(true));
        // The runtime sends the AWS action implementing an agnostic one, never the agnostic name.
        assert_eq!(is_done(&call("compute.stop", &[], vec![]), Some(&stopped)), None);
        assert_eq!(is_done(&call("report.table", &[], vec![]), Some(&running)), None);
        assert_eq!(is_done(&call("aws.cost.by_service", &[], vec![]), None), None);
    }

    #[test]
    fn services_come_from_the_action_prefix() {
        assert_eq!(service_of("aws.ec2.stop"), Some("ec2"));
        assert_eq!(service_of("aws.route53.records"), Some("route53"));
        assert_eq!(service_of("compute.stop"), None);
    }
}
