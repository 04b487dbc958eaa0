//! The scheduler core: the one owner of the ready set. It is synchronous and does no IO: the run loop tells it
//! what finished and it answers with what to do next, so its decisions are tested by asserting exact orders.

/// Why a node that never started was skipped when its run was cancelled; resume runs such nodes after all.
pub const CANCELLED: &str = "the run was cancelled";

use escher_compiler::plan::OnFailure;

mod graph;
mod task;
#[cfg(test)]
mod tests;

pub use graph::{DependencyGraph, GraphError, NodeInfo};
pub use task::{Halt, Outcome, Task};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Running,
    Finished,
    Skipped,
}

#[derive(Debug)]
pub struct Scheduler {
    graph: DependencyGraph,
    /// Unfinished dependencies of each node.
    waiting_on: Vec<usize>,
    state: Vec<State>,
    /// Released roots not yet handed out by `ready()`.
    roots: Vec<usize>,
    running: usize,
    /// Nodes that completed and declare an undo, in completion order.
    undoable: Vec<usize>,
    /// Why releasing stopped, and the failed node that stopped it (none for a cancellation).
    halt: Option<(Halt, Option<usize>)>,
    /// Whether the nodes left behind by a halt have been skipped.
    drained: bool,
    undoing: Option<usize>,
}

impl Scheduler {
    pub fn new(graph: DependencyGraph) -> Self {
        let waiting_on = graph.dependencies.clone();
        let roots = (0..graph.len()).filter(|&n| waiting_on[n] == 0).collect();
        Scheduler {
            state: vec![State::Waiting; graph.len()],
            waiting_on,
            roots,
            running: 0,
            undoable: Vec::new(),
            halt: None,
            drained: false,
            undoing: None,
            graph,
        }
    }

    pub fn graph(&self) -> &DependencyGraph {
        &self.graph
    }

    /// The nodes that depend on nothing, in plan order; each is handed out once. Later releases come back from
    /// [`Scheduler::finished`].
    pub fn ready(&mut self) -> Vec<Task> {
        if self.halt.is_some() {
            return Vec::new();
        }
        let roots = std::mem::take(&mut self.roots);
        roots.into_iter().filter_map(|node| self.start(node)).collect()
    }

    /// Records how a running node ended and returns what follows: newly ready nodes, nodes skipped because of
    /// it, and once a halted run has drained, the skips of everything left and the first undo of a rollback.
    pub fn finished(&mut self, node: usize, outcome: Outcome) -> Vec<Task> {
        if self.state.get(node) != Some(&State::Running) {
            return Vec::new();
        }
        self.running -= 1;
        self.state[node] = State::Finished;
        let mut tasks = Vec::new();
        match outcome {
            Outcome::Completed => {
                if self.graph.nodes[node].has_undo {
                    self.undoable.push(node);
                }
                tasks.extend(self.release_dependents(node));
            }
            Outcome::NoEffect => tasks.extend(self.release_dependents(node)),
            Outcome::Failed => match self.graph.nodes[node].on_failure {
                OnFailure::Continue => tasks.extend(self.skip_dependents(node)),
                OnFailure::Abort => self.escalate(Halt::Abort, Some(node)),
                OnFailure::Rollback => self.escalate(Halt::Rollback, Some(node)),
            },
            Outcome::Stopped => {}
        }
        tasks.extend(self.drain_if_halted());
        tasks
    }

    /// Records that an undo handed out by a rollback ended (whether or not it worked) and returns the next one.
    pub fn undone(&mut self, node: usize) -> Vec<Task> {
        if self.undoing != Some(node) {
            return Vec::new();
        }
        self.undoing = None;
        self.next_undo().into_iter().collect()
    }

    /// Stops releasing nodes: running ones finish, the rest are skipped once they have, and a rollback in
    /// progress ends after its current undo.
    pub fn cancel(&mut self) -> Vec<Task> {
        self.escalate(Halt::Cancel, None);
        self.undoable.clear();
        self.drain_if_halted()
    }

    /// Why the run stopped releasing nodes, and the node whose failure stopped it (none for a cancellation).
    pub fn halted(&self) -> Option<(Halt, Option<&str>)> {
        self.halt.map(|(halt, node)| (halt, node.map(|n| self.graph.id(n))))
    }

    /// Whether nothing runs and nothing is left to hand out.
    pub fn is_finished(&self) -> bool {
        if self.running > 0 || self.undoing.is_some() {
            return false;
        }
        match self.halt {
            Some(_) => self.drained && self.undoable.is_empty(),
            None => self.state.iter().all(|s| matches!(s, State::Finished | State::Skipped)),
        }
    }

    pub fn running(&self) -> usize {
        self.running
    }

    fn start(&mut self, node: usize) -> Option<Task> {
        if self.state[node] != State::Waiting {
            return None;
        }
        self.state[node] = State::Running;
        self.running += 1;
        Some(Task::Run(node))
    }

    fn release_dependents(&mut self, node: usize) -> Vec<Task> {
        let mut released = Vec::new();
        for i in 0..self.graph.dependents[node].len() {
            let next = self.graph.dependents[node][i];
            self.waiting_on[next] -= 1;
            if self.waiting_on[next] == 0 && self.halt.is_none() {
                released.extend(self.start(next));
            }
        }
        released
    }

    /// `on_failure = continue`: everything downstream of `failed` is skipped, in plan order, each naming the
    /// node it waited for.
    fn skip_dependents(&mut self, failed: usize) -> Vec<Task> {
        let mut causes = std::collections::BTreeMap::new();
        for &next in &self.graph.dependents[failed] {
            causes.entry(next).or_insert(failed);
        }
        let mut skips = Vec::new();
        while let Some((node, cause)) = causes.pop_first() {
            if self.state[node] != State::Waiting {
                continue;
            }
            self.state[node] = State::Skipped;
            let how = if cause == failed { "failed" } else { "was skipped" };
            let reason = format!("it depends on `{}`, which {how}", self.graph.id(cause));
            skips.push(Task::Skip { node, reason });
            for &next in &self.graph.dependents[node] {
                causes.entry(next).or_insert(node);
            }
        }
        skips
    }

    fn escalate(&mut self, halt: Halt, cause: Option<usize>) {
        if self.halt.is_none_or(|(current, _)| halt > current) {
            self.halt = Some((halt, cause));
        }
    }

    /// Once a halted run has no node running: every node not started is skipped, then a rollback begins.
    fn drain_if_halted(&mut self) -> Vec<Task> {
        let Some((halt, cause)) = self.halt else {
            return Vec::new();
        };
        if self.running > 0 || self.drained {
            return Vec::new();
        }
        self.drained = true;
        self.roots.clear();
        let failed = cause.map(|node| self.graph.id(node)).unwrap_or_default();
        let reason = match halt {
            Halt::Abort => format!("the run stopped after `{failed}` failed"),
            Halt::Rollback => format!("the run is rolling back after `{failed}` failed"),
            Halt::Cancel => CANCELLED.to_string(),
        };
        let mut tasks = Vec::new();
        for node in 0..self.graph.len() {
            if self.state[node] == State::Waiting {
                self.state[node] = State::Skipped;
                tasks.push(Task::Skip { node, reason: reason.clone() });
            }
        }
        if halt == Halt::Rollback {
            tasks.extend(self.next_undo());
        } else {
            self.undoable.clear();
        }
        tasks
    }

    /// The most recently completed node not yet undone.
    fn next_undo(&mut self) -> Option<Task> {
        if self.halt.is_some_and(|(halt, _)| halt == Halt::Cancel) {
            self.undoable.clear();
            return None;
        }
        let node = self.undoable.pop()?;
        self.undoing = Some(node);
        Some(Task::Undo(node))
    }
}
