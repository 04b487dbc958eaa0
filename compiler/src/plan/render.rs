//! A plan as people read it before approving it (a table of steps with their risk, blast radius and
//! approvals) and as Graphviz draws it. Every host shows the same plan the same way.

use std::fmt::Write as _;

use super::model::{BlastRadius, EdgeKind, Plan, RiskLevel};

/// What a piece of the plan's table is, for a host that colours it (see [`human_painted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The table's header line.
    Heading,
    /// A step's risk level.
    Risk(RiskLevel),
    /// The approval a step needs.
    Approval,
}

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
    human_painted(plan, &|_, text| text)
}

/// [`human`], each cell of a [`Tone`] passed through `paint` once padded (so a host's colour codes never upset
/// the columns): a terminal colours risk levels and approvals.
pub fn human_painted(plan: &Plan, paint: &dyn Fn(Tone, String) -> String) -> String {
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
    let heading = format!(
        "{:<24} {:<34} {:<8} {:<9} {:<10} {:<18} after",
        "step", "action", "effect", "risk", "targets", "approval"
    );
    let _ = writeln!(out, "{}", paint(Tone::Heading, heading));
    for node in &plan.nodes {
        let approval = node.approval.as_ref().map_or("-".to_string(), |a| {
            if a.irreversible { format!("{} (irreversible)", a.role) } else { a.role.clone() }
        });
        let mut after: Vec<&str> = plan.edges.iter().filter(|e| e.to == node.id).map(|e| e.from.as_str()).collect();
        after.dedup();
        let risk = paint(Tone::Risk(node.risk.level), format!("{:<9}", node.risk.level.as_str()));
        let approval = match node.approval {
            Some(_) => paint(Tone::Approval, format!("{approval:<18}")),
            None => format!("{approval:<18}"),
        };
        let _ = writeln!(
            out,
            "{:<24} {:<34} {:<8} {risk} {:<10} {approval} {}",
            node.id,
            node.action,
            node.effect.as_str(),
            blast(node.risk.blast_radius),
            if after.is_empty() { "-".to_string() } else { after.join(", ") }
        );
    }
    let approvals: Vec<&str> = plan.nodes.iter().filter(|n| n.approval.is_some()).map(|n| n.id.as_str()).collect();
    let _ = writeln!(out);
    if approvals.is_empty() {
        let _ = writeln!(out, "no step needs approval");
    } else {
        let _ = writeln!(out, "needs approval: {}", paint(Tone::Approval, approvals.join(", ")));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CompileOptions, NoImports, compile_input};

    #[test]
    fn painting_marks_the_risks_and_approvals_and_keeps_the_columns() {
        let source = r#"
        playbook tidy {
          let idle = aws.ec2.instances(regions = ["us-east-1"], tags = {env: "dev"}, state = "running")
          step stop = aws.ec2.stop(idle) { max_targets = 10, approve = manager }
        }
        "#;
        let plan = compile_input("tidy.esc", source, &CompileOptions::plan(&NoImports, Default::default()))
            .plan
            .expect("it compiles");
        let painted = human_painted(&plan, &|tone, text| match tone {
            Tone::Heading => format!("<h>{text}</h>"),
            Tone::Risk(level) => format!("<{}>{text}</r>", level.as_str()),
            Tone::Approval => format!("<a>{text}</a>"),
        });
        let stop = painted.lines().find(|line| line.starts_with("stop ")).expect("the stop step's line");
        assert!(stop.contains("<a>manager"), "{painted}");
        assert!(painted.lines().any(|line| line.starts_with("<h>step ")), "{painted}");
        let unpainted = painted.replace("</h>", "").replace("</r>", "").replace("</a>", "").replace("<h>", "");
        let unpainted = ["low", "medium", "high", "critical", "a"]
            .iter()
            .fold(unpainted, |text, tag| text.replace(&format!("<{tag}>"), ""));
        assert_eq!(unpainted, human(&plan), "painting changes nothing but the marks");
    }
}
