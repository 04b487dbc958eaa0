//! The DAG pass: data-flow and `after` edges in a petgraph graph, cycles reported, a stable topological order.
