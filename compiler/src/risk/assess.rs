//! The risk and policy pass over a whole plan.

use std::collections::HashMap;

use crate::diagnostics::Diagnostic;
use crate::plan::{Edge, PlanNode, PlanSources};
use crate::stdlib::Catalog;

use super::approval::approval_for;
use super::level::risk_of;
use super::policy::Policy;
use super::rules;
use super::scope::scope_of;

/// Fills `risk` and `approval` on every node and returns the static-rule diagnostics (E0401 to E0404).
///
/// Risk is recomputed from the plan alone, never taken from what the node carried in.
pub fn assess(
    nodes: &mut [PlanNode],
    edges: &[Edge],
    policy: &Policy,
    catalog: &Catalog,
    sources: &PlanSources,
) -> Vec<Diagnostic> {
    let by_id: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), i)).collect();
    // Scopes read other nodes, so all are computed before any node is written.
    let risks: Vec<_> = (0..nodes.len()).map(|i| risk_of(nodes[i].effect, scope_of(i, nodes, &by_id))).collect();
    for (node, risk) in nodes.iter_mut().zip(risks) {
        node.risk = risk;
        node.approval = approval_for(node, policy);
    }
    rules::check(nodes, edges, policy, catalog, sources)
}
