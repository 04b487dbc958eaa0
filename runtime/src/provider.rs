//! The provider interface: how the runtime asks a cloud (or the simulator) to read or change something.
//!
//! The runtime evaluates arguments, resolves secrets, groups targets into batches by cloud, account and region,
//! waits for rate-limit tokens, and calls [`Provider::call`] once per batch. Providers report per-target results
//! so a step that stopped 48 of 50 instances says which 2 failed and why.
//!
//! The types are in `provider/interface.rs`, so that `factory.rs`, which makes providers, and this file, which
//! names them all, do not import each other.

pub mod args;
pub mod contract;
pub mod cost;
mod factory;
mod interface;
pub mod inventory;
pub mod outcome;
pub mod record;

pub use factory::{ProviderFactory, ProviderSetup, ProviderSetupError};
pub use interface::{
    Bucket, IDEMPOTENCY_TAG, Notification, Provider, ProviderCall, ProviderError, ProviderResponse, Secret,
    SimulatedClock, TargetResult, TargetStatus, UNDECLARED_READS, UNDECLARED_WRITES, error_chain, resource_bool,
    resource_field, resource_has_tags, resource_id, resource_int, resource_tags, with_resource_field,
};
