//! A plan as people read it before approving it (a table of steps with their risk, blast radius and
//! approvals) and as Graphviz draws it. Every host shows the same plan the same way.

use std::fmt::Write as _;

use super::model::{BlastRadius, EdgeKind, Plan};

fn blast(radius: BlastRadius) -> String {
    match radius {
        BlastRadius::None => "-".into(),
        BlastRadius::Exact(n) => n.to_string(),
        BlastRadius::AtMost(n) => format!("≤ {n}"),
        BlastRadius::Unbounded => "unbounded".into(),
    }
}

/// The plan as a table a person reads before approving it.
///
/// ```
/// use escher_compiler::{CompileOptions, NoImports, compile_input};
///
/// let source = r#"
/// playbook tidy {
///   let idle = aws.ec2.instances(regions = ["us-east-1"], tags = {env: "dev"}, state = "running")
///   step stop = aws.ec2.stop(idle) { max_targets = 10 }
/// }
/// "#;
/// let options = CompileOptions::plan(&NoImports, Default::default());
/// let plan = compile_input("tidy.esc", source, &options).plan.expect("it compiles");
/// let text = escher_compiler::plan::render::human(&plan);
/// assert!(text.starts_with("plan tidy (2 nodes, hash "), "{text}");
/// assert!(text.lines().any(|line| line.starts_with("stop ") && line.contains("aws.ec2.stop")), "{text}");
/// ```
pub fn human(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan {} ({} nodes, hash {})",
        plan.playbook,
        plan.nodes.len(),
        &plan.hash[..16.min(plan.hash.len())]
    );
    if let Some(schedule) = &plan.schedule {
        let _ = writeln!(out, "schedule: cron \"{}\" in {}", schedule.cron, schedule.timezone);
    }
    if !plan.params.is_empty() {
        let params: Vec<String> =
            plan.params.iter().map(|(k, v)| format!("{k} = {}", crate::lower::display(v))).collect();
        let _ = writeln!(out, "params: {}", params.join(", "));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<24} {:<34} {:<8} {:<9} {:<10} {:<18} after",
        "step", "action", "effect", "risk", "targets", "approval"
    );
    for node in &plan.nodes {
        let approval = node.approval.as_ref().map_or("-".to_string(), |a| {
            if a.irreversible { format!("{} (irreversible)", a.role) } else { a.role.clone() }
        });
        let mut after: Vec<&str> = plan.edges.iter().filter(|e| e.to == node.id).map(|e| e.from.as_str()).collect();
        after.dedup();
        let _ = writeln!(
            out,
            "{:<24} {:<34} {:<8} {:<9} {:<10} {:<18} {}",
            node.id,
            node.action,
            node.effect.as_str(),
            node.risk.level.as_str(),
            blast(node.risk.blast_radius),
            approval,
            if after.is_empty() { "-".to_string() } else { after.join(", ") }
        );
    }
    let approvals: Vec<&str> = plan.nodes.iter().filter(|n| n.approval.is_some()).map(|n| n.id.as_str()).collect();
    let _ = writeln!(out);
    if approvals.is_empty() {
        let _ = writeln!(out, "no step needs approval");
    } else {
        let _ = writeln!(out, "needs approval: {}", approvals.join(", "));
        for node in plan.nodes.iter().filter(|n| n.approval.is_some()) {
            let _ = writeln!(out, "  {}: {}", node.id, node.risk.reasons.join("; "));
        }
    }
    out
}

/// The DAG in Graphviz's dot language; `after` edges are dashed.
pub fn dot(plan: &Plan) -> String {
    let mut out = format!("digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box];\n", plan.playbook);
    for node in &plan.nodes {
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n{}\\n{} / {}\"];",
            node.id,
            node.id,
            node.action,
            node.effect.as_str(),
            node.risk.level.as_str()
        );
    }
    for edge in &plan.edges {
        let style = if edge.kind == EdgeKind::After { " [style=dashed]" } else { "" };
        let _ = writeln!(out, "  \"{}\" -> \"{}\"{style};", edge.from, edge.to);
    }
    out.push_str("}\n");
    out
}
