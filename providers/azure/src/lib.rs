//! Escher's Azure provider: every Azure query and action of the stdlib on Azure Resource Manager's REST API,
//! through azure_core's HTTP pipeline with azure_identity's credentials (no current crate wraps these APIs).
//!
//! - [`AzureConfig`] (`config.rs`): `azure.json`: subscriptions, tenant, credential, endpoints, CA file.
//! - `credential.rs`: the credential chain (environment, workload identity, managed identity, Azure CLI).
//! - `http.rs`: the pipeline's HTTP client (the workspace's reqwest, plus the configuration's CA).
//! - `arm.rs`: requests and errors, every `nextLink`, long-running operations followed on ARM's host only.
//! - [`AzureContext`] (`context.rs`): subscriptions Escher may reach, and one pipeline per tenant.
//! - `services/`: one module per resource provider (`vm`, `disk`, `network`, `sql`, `functions`, `storage`,
//!   `cost`), records as the stdlib declares them (`record.rs`), per-target outcomes (`outcome.rs`).
//! - [`AzureProvider`] (`provider.rs`), [`AzureFactory`] (`factory.rs`), discovery (`inventory.rs`).
//! - `versions.rs`: the api-version of each resource provider, in one table.

mod arm;
pub mod config;
pub mod context;
mod credential;
pub mod factory;
mod http;
pub mod inventory;
mod outcome;
pub mod provider;
mod record;
mod services;
pub mod versions;

/// azure_core's credential types a host passes in [`HostCredential`].
pub use azure_core::credentials::{Secret, TokenCredential};
pub use config::{AzureConfig, CredentialSource, SubscriptionConfig};
pub use context::{AzureContext, Subscription};
pub use credential::{HostCredential, NoCredential};
pub use factory::{AzureFactory, SignedInAzureFactory};
pub use provider::AzureProvider;
