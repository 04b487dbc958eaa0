//! Escher's GCP provider: every GCP query and action of the stdlib on Google's REST APIs (Compute Engine, Cloud
//! SQL Admin, Cloud Functions v2 and v1, Cloud Storage JSON, BigQuery for the billing export), over the
//! workspace's reqwest with google-cloud-auth's Application Default Credentials.
//!
//! - [`GcpConfig`] (`config.rs`): `gcp.json`: projects, billing export, credential, endpoints.
//! - `auth.rs`: the credential chain, read from an [`Environment`] passed in.
//! - `api.rs`: requests, pacing per project ([`pace`]), errors classified once (`errors.rs`), every page.
//! - `operations.rs`: Compute, Cloud SQL and Functions operations followed to their end.
//! - [`GcpContext`] (`context.rs`): the projects Escher may reach; request ids from idempotency keys.
//! - `filters.rs`: which records a query keeps, judged on the record (live queries and inventory counts alike).
//! - `services/`: one module per API (`compute`, `sql`, `functions`, `storage`, `billing`), records as the
//!   stdlib declares them (`record.rs`), labels checked before any call (`labels.rs`), per-target outcomes
//!   (`outcome.rs`).
//! - [`GcpProvider`] (`provider.rs`), [`GcpFactory`] (`factory.rs`), discovery (`inventory.rs`).

mod api;
pub mod auth;
pub mod config;
pub mod context;
mod errors;
pub mod factory;
mod filters;
pub mod inventory;
mod labels;
mod operations;
mod outcome;
pub mod pace;
pub mod provider;
mod record;
mod services;

pub use auth::{Environment, NoCredentials};
pub use config::{BillingExport, CredentialSource, Endpoints, GcpConfig, ProjectConfig};
pub use context::GcpContext;
pub use factory::{GcpFactory, SignedInGcpFactory};
pub use provider::GcpProvider;
