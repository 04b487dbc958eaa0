//! Behaviour of the risk and policy pass.

mod approvals;
mod levels;
mod rules;

use crate::plan::{Edge, PlanNode, PlanSources};

use super::fixtures::catalog;
use super::{Policy, assess};

/// Assesses `nodes` under the default policy, for tests that look at risk and approvals only.
fn assessed(mut nodes: Vec<PlanNode>, edges: &[Edge]) -> Vec<PlanNode> {
    assess(&mut nodes, edges, &Policy::default(), &catalog(), &PlanSources::default());
    nodes
}
