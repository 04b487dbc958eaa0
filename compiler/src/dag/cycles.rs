//! Cycles in the plan graph, each reported once with its steps named in the order they wait for each other.

use std::collections::{BTreeSet, VecDeque};

use miette::LabeledSpan;
use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;

use super::error::DagError;
use super::graph::PlanGraph;
use crate::diagnostics::Diagnostic;
use crate::plan::{EdgeKind, PlanNode, PlanSources};
use crate::span::{FileId, Span};

/// One E0501 per strongly connected component that contains a cycle (a self-edge counts), in source order of
/// each component's first node.
pub(super) fn cycle_diagnostics(graph: &PlanGraph, nodes: &[PlanNode], sources: &PlanSources) -> Vec<Diagnostic> {
    let mut components: Vec<BTreeSet<NodeIndex>> = tarjan_scc(graph)
        .into_iter()
        .filter(|scc| scc.len() > 1 || graph.contains_edge(scc[0], scc[0]))
        .map(|scc| scc.into_iter().collect())
        .collect();
    components.sort();
    components.iter().map(|component| cycle_diagnostic(graph, &closed_walk(graph, component), nodes, sources)).collect()
}

/// A walk along edges that starts and ends at the component's first node and visits every node of it. For a
/// simple cycle this is the cycle itself; for tangled components it goes to the nearest unvisited node each
/// time, so every step involved is named.
fn closed_walk(graph: &PlanGraph, component: &BTreeSet<NodeIndex>) -> Vec<NodeIndex> {
    let Some(&start) = component.first() else {
        return Vec::new();
    };
    let mut walk = vec![start];
    let mut unvisited: BTreeSet<NodeIndex> = component.iter().copied().filter(|&n| n != start).collect();
    let mut current = start;
    while !unvisited.is_empty() {
        let path = shortest_path(graph, component, current, |n| unvisited.contains(&n));
        let Some(&last) = path.last() else { break };
        path.iter().for_each(|n| {
            unvisited.remove(n);
        });
        walk.extend(path);
        current = last;
    }
    walk.extend(shortest_path(graph, component, current, |n| n == start));
    walk
}

/// The shortest path inside `component` from `from` (excluded) to the first node that `is_goal` accepts
/// (included), at least one edge long, preferring lower node indices among equally short paths.
fn shortest_path(
    graph: &PlanGraph,
    component: &BTreeSet<NodeIndex>,
    from: NodeIndex,
    is_goal: impl Fn(NodeIndex) -> bool,
) -> Vec<NodeIndex> {
    let mut came_from = std::collections::BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = graph
            .neighbors_directed(node, Direction::Outgoing)
            .filter(|n| component.contains(n) && !came_from.contains_key(n))
            .collect();
        next.sort();
        next.dedup();
        for n in next {
            came_from.insert(n, node);
            if is_goal(n) {
                let mut path = vec![n];
                let mut at = node;
                while at != from {
                    path.push(at);
                    at = came_from[&at];
                }
                path.reverse();
                return path;
            }
            queue.push_back(n);
        }
    }
    Vec::new()
}

fn cycle_diagnostic(graph: &PlanGraph, walk: &[NodeIndex], nodes: &[PlanNode], sources: &PlanSources) -> Diagnostic {
    let id = |n: NodeIndex| nodes[graph[n]].id.as_str();
    let locate = |n: NodeIndex| sources.nodes.get(id(n)).map(|s| (s.file, s.name));
    let start = walk[0];
    // The edge that closes the cycle back into its first node.
    let closing = walk[walk.len().saturating_sub(2)];
    let (file, first_span) = locate(start).unwrap_or((FileId(0), Span::default()));

    let mut labelled = BTreeSet::from([start]);
    let others = walk
        .windows(2)
        .filter(|pair| pair[1] != start && labelled.insert(pair[1]))
        .filter_map(|pair| {
            let (node_file, span) = locate(pair[1])?;
            // A diagnostic shows one file; steps declared elsewhere are still named in the message.
            (node_file == file).then(|| LabeledSpan::new_with_span(Some(waits_for(id(pair[1]), id(pair[0]))), span))
        })
        .collect();

    Diagnostic::new(
        file,
        DagError::Cycle {
            cycle: walk.iter().map(|&n| id(n)).collect::<Vec<_>>().join(" → "),
            help: breaking_help(graph, closing, start, id(closing), id(start)),
            first: first_span.into(),
            first_label: waits_for(id(start), id(closing)),
            others,
        },
    )
}

fn waits_for(waiter: &str, awaited: &str) -> String {
    if waiter == awaited { format!("`{waiter}` waits for itself") } else { format!("`{waiter}` waits for `{awaited}`") }
}

/// Help that names one concrete dependency to remove: the one that closes the cycle.
fn breaking_help(graph: &PlanGraph, from: NodeIndex, to: NodeIndex, from_id: &str, to_id: &str) -> String {
    let kinds: BTreeSet<EdgeKind> = graph.edges_connecting(from, to).map(|e| *e.weight()).collect();
    match (kinds.contains(&EdgeKind::After), from == to) {
        (true, true) => {
            format!("`{to_id}` is written to run after itself; remove it from its `after` list")
        }
        (false, true) => format!(
            "`{to_id}` reads its own output, which exists only once it has run; \
             compute that value from other steps"
        ),
        (true, false) => format!(
            "a step cannot run after a step that waits for it; remove `{from_id}` from the `after` \
             list of `{to_id}`, or another dependency on the cycle"
        ),
        (false, false) => format!(
            "a step cannot read the output of a step that waits for it; `{to_id}` reads `{from_id}`: \
             remove that reference, or another dependency on the cycle"
        ),
    }
}
