//! The Plan and the passes that finish it: risk and policy, the DAG, the hash.

mod canonical;
mod hash;
mod model;
pub mod render;

pub use hash::plan_hash;
pub use model::*;
