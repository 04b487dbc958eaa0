//! [`AzureProvider`]: the runtime's [`Provider`] for Cloud::Azure. A call goes to its service by the action's
//! prefix (`azure.vm.` to `services::vm`, ...); the runtime sends a cloud-agnostic action as the Azure one the
//! stdlib declares implements it (`compute.stop` as `azure.vm.deallocate`).

use std::sync::Arc;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Bucket, Provider, ProviderCall, ProviderError, ProviderResponse};

use crate::context::AzureContext;
use crate::record::field;
use crate::services::{cost, disk, functions, network, service_of, sql, storage, vm};

/// The Azure provider; cheap to clone (the context is shared).
#[derive(Clone)]
pub struct AzureProvider {
    ctx: Arc<AzureContext>,
}

impl AzureProvider {
    pub fn new(ctx: AzureContext) -> AzureProvider {
        AzureProvider { ctx: Arc::new(ctx) }
    }

    pub fn context(&self) -> &AzureContext {
        &self.ctx
    }
}

pub(crate) async fn dispatch(ctx: &AzureContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    // The agnostic queries no Azure query implements are answered under their own name, for Azure.
    match call.action.as_str() {
        "cost.by_service" | "cost.by_cloud" => return cost::call(ctx, call).await,
        "inventory.summary" | "inventory.accounts" => return Box::pin(crate::inventory::answer(ctx, call)).await,
        _ => {}
    }
    match service_of(&call.action) {
        Some("vm") => vm::call(ctx, call).await,
        Some("disk") => disk::call(ctx, call).await,
        Some("network") => network::call(ctx, call).await,
        Some("sql") => sql::call(ctx, call).await,
        Some("functions") => functions::call(ctx, call).await,
        Some("storage") => storage::call(ctx, call).await,
        Some("cost") => cost::call(ctx, call).await,
        _ => Err(ProviderError::Unsupported(format!("`{}` is not an Azure query or action", call.action))),
    }
}

/// Whether `resource` already shows what `call` does, asked of the action's service.
pub(crate) fn is_done(call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
    match service_of(&call.action)? {
        "vm" => vm::is_done(call, resource),
        "disk" => disk::is_done(call, resource),
        "network" => network::is_done(call, resource),
        "sql" => sql::is_done(call, resource),
        "functions" => functions::is_done(call, resource),
        "storage" => storage::is_done(call, resource),
        _ => None,
    }
}

#[async_trait::async_trait]
impl Provider for AzureProvider {
    fn name(&self) -> &str {
        "azure"
    }

    fn serves(&self, cloud: Cloud) -> bool {
        cloud == Cloud::Azure
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        dispatch(&self.ctx, call).await
    }

    /// Each resource read afresh by its id (one GET each); those that are gone are left out.
    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        let mut found = Vec::new();
        for resource in resources {
            let kind = field(resource, "kind");
            let home = self.ctx.home(resource).await?;
            let home = &home;
            let now = match service_of(kind) {
                Some("vm") => vm::read(&self.ctx, home, resource).await?,
                Some("disk") => disk::read(&self.ctx, home, resource).await?,
                Some("network") => network::read(&self.ctx, home, resource).await?,
                Some("sql") => sql::read(&self.ctx, home, resource).await?,
                Some("functions") => functions::read(&self.ctx, home, resource).await?,
                Some("storage") => storage::read(&self.ctx, home, resource).await?,
                _ => return Err(ProviderError::Unsupported(format!("cannot describe a `{kind}`"))),
            };
            found.extend(now);
        }
        Ok(found)
    }

    fn is_done(&self, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
        is_done(call, resource)
    }

    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        bucket(rate_class)
    }

    /// Resource Manager's buckets are per subscription, whatever the region.
    fn regional_buckets(&self) -> bool {
        false
    }
}

/// Resource Manager's reads, per subscription (in every region: `regional_buckets` is false): 250 at once,
/// refilled 25 per second (its token buckets since 2024, "Understand how Azure Resource Manager throttles
/// requests").
pub const ARM_READ: Bucket = Bucket { capacity: 250, per_second: 25.0 };
/// Resource Manager's writes and deletes, per subscription: 200 at once, refilled 10 per second.
pub const ARM_WRITE: Bucket = Bucket { capacity: 200, per_second: 10.0 };
/// Cost Management's query API, which counts query units per tenant and answers 429 quickly: a few at once.
pub const COST_QUERY: Bucket = Bucket { capacity: 4, per_second: 0.2 };

/// The rate classes of the stdlib's Azure declarations.
pub fn bucket(rate_class: &str) -> Option<Bucket> {
    match rate_class {
        "arm.read" => Some(ARM_READ),
        "arm.write" | "arm.delete" => Some(ARM_WRITE),
        "costmanagement.query" => Some(COST_QUERY),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bucket_serves_every_region_of_a_subscription() {
        let ctx = AzureContext::new(crate::config::AzureConfig::default()).expect("a context");
        assert!(!AzureProvider::new(ctx).regional_buckets());
    }

    #[test]
    fn the_classes_are_resource_managers_buckets() {
        assert_eq!(bucket("arm.read"), Some(ARM_READ));
        assert_eq!(bucket("arm.delete"), Some(ARM_WRITE));
        assert_eq!(bucket("ec2.describe"), None);
    }
}
