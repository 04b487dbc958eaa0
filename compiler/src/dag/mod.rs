//! The DAG pass: data-flow and `after` edges in a petgraph graph, cycles reported, a stable topological order.

mod cycles;
mod error;
mod graph;
mod order;

#[cfg(test)]
mod tests;

pub use error::DagError;
pub use order::order;
