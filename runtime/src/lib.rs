//! Escher's runtime: runs a compiled [`Plan`](escher_compiler::plan::Plan) in parallel, within rate limits,
//! asking for the approvals its risk needs, with a durable journal that `resume` continues from and a
//! hash-chained audit log.

pub mod approval;
pub mod audit;
pub mod eval;
pub mod events;
pub mod executor;
pub mod guard;
mod identity;
pub mod journal;
pub mod lease;
mod limits;
pub mod provider;
pub mod ratelimit;
pub mod replica;
pub mod report;
pub mod retry;
mod run_options;
mod runtime;
pub mod scheduler;
pub mod script;
pub mod secrets;
mod shared;

pub use executor::{RunHandle, RuntimeError};
pub use identity::Identity;
pub use limits::Limits;
pub use run_options::RunOptions;
pub use runtime::{Runtime, RuntimeBuilder};
