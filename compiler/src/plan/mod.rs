//! The Plan and the passes that finish it: risk and policy, the DAG, the hash.

mod model;

pub use model::*;
