//! Escher's AWS provider: every AWS query and action of the stdlib on the official AWS SDK for Rust.
//!
//! - [`AwsContext`] (`context.rs`): SDK configuration, accounts (STS AssumeRole), regions, service clients.
//! - [`AwsProvider`] (`provider.rs`): the runtime's `Provider`; dispatch by action prefix, describe, `is_done`
//!   (`done.rs` and each service's, pure on the target's record), rate classes.
//! - `errors.rs`: SDK errors to `ProviderError` (throttling and 5xx retryable, `DryRunOperation` = would succeed).
//! - `record.rs`: resource records exactly as the stdlib declares them (arguments are read with the runtime's
//!   `provider::args::Args`).
//! - `ec2/`: instances, volumes, snapshots, images, security group rules; `ec2/identity.rs`: what EC2 creates
//!   carries the batch's idempotency key, and a call in doubt finds it. `inventory.rs`: discovery to a file.
//! - `rds`, `lambda`, `s3`, `route53`, `cost`: the other services, each with `call` and `describe`.
//! - `sns.rs`: `notify`'s `sns`, published for the runtime (`Provider::publish`).

pub mod calls;
pub mod config;
pub mod context;
mod cost;
mod done;
mod ec2;
mod errors;
pub mod factory;
pub mod inventory;
mod lambda;
mod outcome;
mod poll;
pub mod provider;
mod rds;
mod record;
mod route53;
mod s3;
mod services;
mod sns;

pub use config::{AccountConfig, AwsConfig};
pub use context::{Account, AwsContext};
pub use factory::{AwsFactory, WithAccountsAwsFactory};
pub use provider::AwsProvider;
