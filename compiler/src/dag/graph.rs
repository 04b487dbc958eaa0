//! The plan's nodes and edges as a petgraph graph, which ordering and cycle finding both read. An edge that names
//! a node the plan lacks is an E0502 here.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use super::error::DagError;
use crate::diagnostics::Diagnostic;
use crate::plan::{Edge, EdgeKind, PlanNode, PlanSources};
use crate::span::{FileId, Span};

/// The plan's nodes as a graph: node weights are indices into the node slice, so graph and slice agree.
pub(super) type PlanGraph = DiGraph<usize, EdgeKind>;

/// The graph of `nodes` under `edges`, and an E0502 for each edge with an end that is not a node.
pub(super) fn build_graph(nodes: &[PlanNode], edges: &[Edge], sources: &PlanSources) -> (PlanGraph, Vec<Diagnostic>) {
    let mut graph = PlanGraph::with_capacity(nodes.len(), edges.len());
    let index: HashMap<&str, NodeIndex> =
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
