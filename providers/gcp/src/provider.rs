//! [`GcpProvider`]: the runtime's [`Provider`] for Cloud::Gcp. A call goes to its service by the action's prefix
//! (`gcp.compute.` to `services::compute`, ...); the runtime sends a cloud-agnostic action as the GCP one the
//! stdlib declares implements it (`compute.stop` as `gcp.compute.stop`).

use std::sync::Arc;

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::{Bucket, Provider, ProviderCall, ProviderError, ProviderResponse};

use crate::context::GcpContext;
use crate::record::field;
use crate::services::{billing, compute, functions, service_of, sql, storage};

/// The GCP provider; cheap to clone (the context is shared).
#[derive(Clone)]
pub struct GcpProvider {
    ctx: Arc<GcpContext>,
}

impl GcpProvider {
    pub fn new(ctx: GcpContext) -> GcpProvider {
        GcpProvider { ctx: Arc::new(ctx) }
    }

    pub fn context(&self) -> &GcpContext {
        &self.ctx
    }
}

pub(crate) async fn dispatch(ctx: &GcpContext, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
    // The agnostic queries no GCP query implements are answered under their own name, for GCP.
    match call.action.as_str() {
        "cost.by_service" | "cost.by_cloud" => return billing::call(ctx, call).await,
        "inventory.summary" | "inventory.accounts" => return Box::pin(crate::inventory::answer(ctx, call)).await,
        _ => {}
    }
    match service_of(&call.action) {
        Some("compute") => compute::call(ctx, call).await,
        Some("sql") => sql::call(ctx, call).await,
        Some("functions") => functions::call(ctx, call).await,
        Some("storage") => storage::call(ctx, call).await,
        Some("billing") => billing::call(ctx, call).await,
        _ => Err(ProviderError::Unsupported(format!("`{}` is not a GCP query or action", call.action))),
    }
}

#[async_trait::async_trait]
impl Provider for GcpProvider {
    fn name(&self) -> &str {
        "gcp"
    }

    fn serves(&self, cloud: Cloud) -> bool {
        cloud == Cloud::Gcp
    }

    async fn call(&self, call: &ProviderCall) -> Result<ProviderResponse, ProviderError> {
        dispatch(&self.ctx, call).await
    }

    /// Each resource read afresh (one GET each, two for a bucket); those that are gone are left out.
    async fn describe(&self, resources: &[Value]) -> Result<Vec<Value>, ProviderError> {
        let mut found = Vec::new();
        for resource in resources {
            let kind = field(resource, "kind");
            let now = match service_of(kind) {
                Some("compute") => compute::read(&self.ctx, resource).await?,
                Some("sql") => sql::read(&self.ctx, resource).await?,
                Some("functions") => functions::read(&self.ctx, resource).await?,
                Some("storage") => storage::read(&self.ctx, resource).await?,
                _ => return Err(ProviderError::Unsupported(format!("cannot describe a `{kind}`"))),
            };
            found.extend(now);
        }
        Ok(found)
    }

    fn is_done(&self, call: &ProviderCall, resource: Option<&Value>) -> Option<bool> {
        match service_of(&call.action)? {
            "compute" => compute::is_done(call, resource),
            "sql" => sql::is_done(call, resource),
            "functions" => functions::is_done(call, resource),
            "storage" => storage::is_done(call, resource),
            _ => None,
        }
    }

    fn bucket(&self, rate_class: &str) -> Option<Bucket> {
        crate::pace::runtime_class(rate_class)
    }

    /// Compute Engine's quotas are per project, whatever the zone or region.
    fn regional_buckets(&self) -> bool {
        false
    }
}
