//! Escher's runtime: runs a compiled [`Plan`](escher_compiler::plan::Plan) in parallel, within rate limits,
//! asking for the approvals its risk needs, with a durable journal that `resume` continues from and a
//! hash-chained audit log.

pub mod approval;
pub mod audit;
pub mod eval;
pub mod events;
pub mod executor;
pub mod guard;
pub mod journal;
pub mod lease;
pub mod provider;
pub mod ratelimit;
pub mod replica;
pub mod report;
pub mod retry;
mod runtime;
pub mod scheduler;
pub mod script;
pub mod secrets;

pub use executor::{RunHandle, RuntimeError};
pub use runtime::{Identity, Limits, RunOptions, Runtime, RuntimeBuilder};
