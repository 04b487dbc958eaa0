//! The dependency graph the scheduler walks: plan nodes by index, who waits for whom, and what each node asks
//! for when it fails.

use std::collections::{BTreeSet, HashMap};

use escher_compiler::plan::{OnFailure, Plan};

/// What the scheduler needs to know of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    pub id: String,
    pub on_failure: OnFailure,
    /// Whether the node's action declares an undo action (so a rollback compensates it).
    pub has_undo: bool,
}

impl NodeInfo {
    pub fn new(id: impl Into<String>) -> Self {
        NodeInfo { id: id.into(), on_failure: OnFailure::Abort, has_undo: false }
    }

    pub fn on_failure(mut self, on_failure: OnFailure) -> Self {
        self.on_failure = on_failure;
        self
    }

    pub fn with_undo(mut self) -> Self {
        self.has_undo = true;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("the plan has two nodes named `{0}`")]
    DuplicateNode(String),
    #[error("an edge names `{0}`, which is not a node of the plan")]
    UnknownNode(String),
    #[error("the plan's nodes depend on each other in a cycle: {}", .0.join(", "))]
    Cycle(Vec<String>),
}

/// Nodes in plan order with their edges, checked to be acyclic before anything runs.
#[derive(Debug, Clone)]
pub struct DependencyGraph {
    pub(super) nodes: Vec<NodeInfo>,
    /// For each node, the nodes that wait for it, ascending (plan order).
    pub(super) dependents: Vec<Vec<usize>>,
    /// For each node, how many distinct nodes it waits for.
    pub(super) dependencies: Vec<usize>,
}

impl DependencyGraph {
    /// Builds the graph of a compiled plan.
    pub fn from_plan(plan: &Plan) -> Result<Self, GraphError> {
        let nodes = plan
            .nodes
            .iter()
            .map(|node| NodeInfo {
                id: node.id.clone(),
                on_failure: node.options.on_failure,
                has_undo: node.undo.is_some(),
            })
            .collect();
        Self::new(nodes, plan.edges.iter().map(|edge| (edge.from.as_str(), edge.to.as_str())))
    }

    /// Builds a graph from nodes and `(from, to)` edges: `to` waits for `from`. Duplicate edges count once.
    pub fn new<'a>(
        nodes: Vec<NodeInfo>,
        edges: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, GraphError> {
        let mut index = HashMap::with_capacity(nodes.len());
        for (i, node) in nodes.iter().enumerate() {
            if index.insert(node.id.as_str(), i).is_some() {
                return Err(GraphError::DuplicateNode(node.id.clone()));
            }
        }
        let mut dependents = vec![BTreeSet::new(); nodes.len()];
        for (from, to) in edges {
            let lookup = |name: &str| index.get(name).copied().ok_or_else(|| GraphError::UnknownNode(name.to_string()));
            let (from, to) = (lookup(from)?, lookup(to)?);
            dependents[from].insert(to);
        }
        let mut dependencies = vec![0; nodes.len()];
        for &to in dependents.iter().flatten() {
            dependencies[to] += 1;
        }
        let graph = DependencyGraph {
            dependents: dependents.into_iter().map(|set| set.into_iter().collect()).collect(),
            dependencies,
            nodes,
        };
        graph.reject_cycles()?;
        Ok(graph)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn id(&self, node: usize) -> &str {
        &self.nodes[node].id
    }

    /// Kahn's walk: whatever it cannot reach lies on or behind a cycle.
    fn reject_cycles(&self) -> Result<(), GraphError> {
        let mut waiting = self.dependencies.clone();
        let mut free: Vec<usize> = (0..self.len()).filter(|&n| waiting[n] == 0).collect();
        let mut reached = 0;
        while let Some(node) = free.pop() {
            reached += 1;
            for &next in &self.dependents[node] {
                waiting[next] -= 1;
                if waiting[next] == 0 {
                    free.push(next);
                }
            }
        }
        if reached == self.len() {
            return Ok(());
        }
        let stuck = (0..self.len()).filter(|&n| waiting[n] > 0).map(|n| self.nodes[n].id.clone()).collect();
        Err(GraphError::Cycle(stuck))
    }
}
