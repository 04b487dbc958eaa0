//! `escher plan FILE [--param NAME=VALUE]... [--format human|json|dot] [--state DIR]`

use std::fmt::Write as _;
use std::path::PathBuf;

use escher::FsLoader;
use escher_compiler::plan::{BlastRadius, EdgeKind, Plan};
use escher_compiler::{CompileOptions, compile_input};

use super::report::print_diagnostics;
use super::{EXIT_DIAGNOSTICS, EXIT_OK, Format, Outcome, PlanFormat, parse_params, read_source};

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    pub file: PathBuf,
    /// A parameter value, NAME=VALUE (lists as a,b,c or JSON); repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// The state whose policy and inventory the plan uses (default: $ESCHER_STATE, else the XDG data
    /// directory).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

pub fn run(args: &PlanArgs, color: bool) -> Outcome {
    let state = super::state::state_dir(args.state.as_deref());
    let format = args.format;
    let given = parse_params(&args.params)?;
    let (name, text) = read_source(&args.file)?;
    let mut options = CompileOptions::plan(&FsLoader, given);
    options.policy = super::policy::risk_policy_in_force(&state)?;
    let compilation = compile_input(&name, &text, &options);
    let diagnostics_format = if format == PlanFormat::Json { Format::Json } else { Format::Human };
    let (errors, _) = print_diagnostics(&compilation, diagnostics_format, color);
    let Some(plan) = compilation.plan.filter(|_| errors == 0) else {
        return Ok(EXIT_DIAGNOSTICS);
    };
    match format {
        PlanFormat::Json => outln!("{}", serde_json::to_string_pretty(&plan).unwrap_or_default()),
        PlanFormat::Dot => out!("{}", dot(&plan)),
        PlanFormat::Human => {
            out!("{}", human(&plan));
            // With an AWS inventory in the state directory, what each step's query matches today.
            if let Some(lines) = super::inventory::blast_lines(&plan, &state) {
                out!("\n{lines}");
            }
        }
    }
    Ok(EXIT_OK)
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
            plan.params.iter().map(|(k, v)| format!("{k} = {}", escher_compiler::lower::display(v))).collect();
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
