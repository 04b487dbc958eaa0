//! The static safety rules, checked once risk is known: E0401 destroy without backup, E0402 unbounded destroy,
//! E0403 unacknowledged critical step, E0404 unknown approver role.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Applicability, Diagnostic, Fix, did_you_mean, suggest};
use crate::plan::{BlastRadius, Edge, NodeSource, PlanNode, PlanSources, RiskLevel};
use crate::span::{FileId, Span};
use crate::stdlib::{Catalog, Effect};

use super::error::RiskError;
use super::options_fix::insert_option;
use super::policy::Policy;

/// The placeholder cap a fix proposes; the author is expected to choose the real number.
const SUGGESTED_MAX_TARGETS: u32 = 10;

pub(super) fn check(
    nodes: &[PlanNode],
    edges: &[Edge],
    policy: &Policy,
    catalog: &Catalog,
    sources: &PlanSources,
) -> Vec<Diagnostic> {
    let backups: HashSet<&str> = nodes
        .iter()
        .filter(|node| catalog.callables.get(&node.action).is_some_and(|c| c.backup))
        .map(|node| node.id.as_str())
        .collect();
    let parents = parents_by_id(edges);
    let mut diagnostics = Vec::new();
    for node in nodes {
        let source = sources.nodes.get(&node.id);
        let (file, name) = source.map_or((FileId(0), Span::default()), |s| (s.file, s.name));
        let acknowledged = node.options.irreversible;

        if node.effect == Effect::Destroy && !acknowledged && !has_ancestor_in(&node.id, &parents, &backups) {
            // No fix: choosing between a backup and giving up on one is the author's decision.
            let error = RiskError::DestroyWithoutBackup {
                step: node.id.clone(),
                action: node.action.clone(),
                span: name.into(),
            };
            diagnostics.push(Diagnostic::new(file, error));
        }

        if node.effect == Effect::Destroy && node.risk.blast_radius == BlastRadius::Unbounded {
            let error = RiskError::UnboundedDestroy { step: node.id.clone(), span: name.into() };
            let fix = source.map(|source| Fix {
                message: format!("cap it with `max_targets = {SUGGESTED_MAX_TARGETS}`, then choose the real limit"),
                edits: vec![insert_option(source, &format!("max_targets = {SUGGESTED_MAX_TARGETS}"))],
                applicability: Applicability::HasPlaceholders,
            });
            diagnostics.push(Diagnostic::new(file, error).with_fixes(fix));
        }

        if node.risk.level == RiskLevel::Critical && policy.critical_needs_acknowledgement && !acknowledged {
            let reasons = node.risk.reasons.join("; ");
            let error = RiskError::UnacknowledgedCritical { step: node.id.clone(), span: name.into(), reasons };
            let fix = source.map(|source| Fix {
                message: "acknowledge it with `irreversible = true`".to_string(),
                edits: vec![insert_option(source, "irreversible = true")],
                applicability: Applicability::MaybeIncorrect,
            });
            diagnostics.push(Diagnostic::new(file, error).with_fixes(fix));
        }

        if let Some(role) = &node.options.approve
            && !policy.has_role(role)
        {
            diagnostics.push(unknown_role(role, policy, file, source));
        }
    }
    diagnostics
}

fn unknown_role(role: &str, policy: &Policy, file: FileId, source: Option<&NodeSource>) -> Diagnostic {
    let option = source.and_then(|s| s.options.get("approve").copied());
    // The option's span covers `approve = ROLE`; the role is the text at its end.
    let value = option.map_or(Span::default(), |span| {
        Span::new((span.end as usize).saturating_sub(role.len()).max(span.start as usize), span.end as usize)
    });
    let roles = policy.roles.iter().map(String::as_str);
    let help = did_you_mean(role, roles.clone()).unwrap_or_else(|| {
        format!(
            "the policy's roles are {}",
            policy.roles.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
        )
    });
    let error = RiskError::UnknownRole { role: role.to_string(), help, span: value.into() };
    let fix = suggest(role, roles)
        .filter(|_| option.is_some())
        .map(|closest| Fix::replace(format!("use the role `{closest}`"), value, closest));
    Diagnostic::new(file, error).with_fixes(fix)
}

/// For each node, the nodes it waits for directly (data or `after`).
fn parents_by_id(edges: &[Edge]) -> HashMap<&str, Vec<&str>> {
    let mut parents: HashMap<&str, Vec<&str>> = HashMap::new();
    for edge in edges {
        parents.entry(edge.to.as_str()).or_default().push(edge.from.as_str());
    }
    parents
}

fn has_ancestor_in(id: &str, parents: &HashMap<&str, Vec<&str>>, wanted: &HashSet<&str>) -> bool {
    let mut seen = HashSet::from([id]);
    let mut pending = vec![id];
    while let Some(at) = pending.pop() {
        for &parent in parents.get(at).into_iter().flatten() {
            if wanted.contains(parent) {
                return true;
            }
            if seen.insert(parent) {
                pending.push(parent);
            }
        }
    }
    false
}
