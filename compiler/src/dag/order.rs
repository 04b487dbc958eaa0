//! The execution order of a plan's nodes: a topological order of its edges, ties broken by source order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::Direction;
use petgraph::graph::NodeIndex;

use super::cycles::cycle_diagnostics;
use super::graph::{PlanGraph, build_graph};
use crate::diagnostics::Diagnostic;
use crate::plan::{Edge, PlanNode, PlanSources};

/// A topological order of `nodes` (indices into the slice) under `edges`. Among nodes that are ready at the
/// same time the one declared first comes first, so the order is the same on every machine.
///
/// Every cycle is one E0501 diagnostic; an edge that names a node the plan lacks is an E0502.
pub fn order(nodes: &[PlanNode], edges: &[Edge], sources: &PlanSources) -> Result<Vec<usize>, Vec<Diagnostic>> {
    let (graph, mut diagnostics) = build_graph(nodes, edges, sources);
    let order = kahn_by_index(&graph);
    // Kahn's algorithm orders every node exactly when there is no cycle; only then are cycles looked for.
    if order.len() < graph.node_count() {
        diagnostics.extend(cycle_diagnostics(&graph, nodes, sources));
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    Ok(order)
}

/// Kahn's algorithm with a min-heap of ready nodes. Nodes on a cycle, and those after one, are left out.
fn kahn_by_index(graph: &PlanGraph) -> Vec<usize> {
    let mut waiting: Vec<usize> =
        graph.node_indices().map(|n| graph.neighbors_directed(n, Direction::Incoming).count()).collect();
    let mut ready: BinaryHeap<Reverse<NodeIndex>> =
        graph.node_indices().filter(|n| waiting[n.index()] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(graph.node_count());
    while let Some(Reverse(node)) = ready.pop() {
        order.push(graph[node]);
        for next in graph.neighbors_directed(node, Direction::Outgoing) {
            waiting[next.index()] -= 1;
            if waiting[next.index()] == 0 {
                ready.push(Reverse(next));
            }
        }
    }
    order
}
