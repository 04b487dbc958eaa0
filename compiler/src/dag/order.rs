//! The execution order of a plan's nodes: a topological order of its edges, ties broken by source order.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use super::cycles::cycle_diagnostics;
use super::error::DagError;
use crate::diagnostics::Diagnostic;
use crate::plan::{Edge, EdgeKind, PlanNode, PlanSources};
use crate::span::{FileId, Span};

/// The plan's nodes as a graph: node weights are indices into the node slice, so graph and slice agree.
pub(super) type PlanGraph = DiGraph<usize, EdgeKind>;

/// A topological order of `nodes` (indices into the slice) under `edges`. Among nodes that are ready at the
/// same time the one declared first comes first, so the order is the same on every machine.
///
/// Every cycle is one E0501 diagnostic; an edge that names a node the plan lacks is an E0502.
pub fn order(nodes: &[PlanNode], edges: &[Edge], sources: &PlanSources) -> Result<Vec<usize>, Vec<Diagnostic>> {
    let (graph, mut diagnostics) = build_graph(nodes, edges, sources);
    diagnostics.extend(cycle_diagnostics(&graph, nodes, sources));
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    Ok(kahn_by_index(&graph))
}

fn build_graph(nodes: &[PlanNode], edges: &[Edge], sources: &PlanSources) -> (PlanGraph, Vec<Diagnostic>) {
    let mut graph = PlanGraph::with_capacity(nodes.len(), edges.len());
    let index: BTreeMap<&str, NodeIndex> =
        nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), graph.add_node(i))).collect();
    let mut diagnostics = Vec::new();
    for edge in edges {
        match (index.get(edge.from.as_str()), index.get(edge.to.as_str())) {
            (Some(&from), Some(&to)) => {
                graph.add_edge(from, to, edge.kind);
            }
            (from, _) => {
                let missing = if from.is_none() { &edge.from } else { &edge.to };
                diagnostics.push(unknown_node(edge, missing, sources));
            }
        }
    }
    (graph, diagnostics)
}

fn unknown_node(edge: &Edge, missing: &str, sources: &PlanSources) -> Diagnostic {
    // Point at whichever end exists, preferring the node that depends on the other.
    let (file, span) = [&edge.to, &edge.from]
        .into_iter()
        .find_map(|id| sources.nodes.get(id))
        .map_or((FileId(0), Span::default()), |source| (source.file, source.name));
    Diagnostic::new(
        file,
        DagError::UnknownNode {
            from: edge.from.clone(),
            to: edge.to.clone(),
            missing: missing.to_string(),
            span: span.into(),
        },
    )
}

/// Kahn's algorithm with a min-heap of ready nodes; the graph must be acyclic.
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
