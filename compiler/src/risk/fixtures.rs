//! Plan nodes, edges and source locations built by hand for the tests of the risk and DAG passes.

use std::collections::BTreeMap;

use crate::plan::{Edge, EdgeKind, NodeKind, NodeSource, PlanExpr, PlanNode, PlanSources, Risk, StepOptions, Value};
use crate::source::SourceMap;
use crate::span::{FileId, Span};
use crate::stdlib::{Callable, CallableKind, Catalog, Cloud, DryRun, Effect};
use crate::types::Type;

/// A node calling `action`, a query when the effect is read, with the placeholder risk the checker leaves.
pub(crate) fn node(id: &str, action: &str, effect: Effect) -> PlanNode {
    PlanNode {
        id: id.to_string(),
        kind: if effect == Effect::Read { NodeKind::Query } else { NodeKind::Action },
        docs: String::new(),
        action: action.to_string(),
        args: BTreeMap::new(),
        output: Type::Any,
        effect,
        cloud: Cloud::of(action),
        undo: None,
        batch: None,
        rate_class: String::new(),
        dry_run: DryRun::Simulated,
        targets: None,
        for_each: None,
        script: None,
        options: StepOptions::default(),
        risk: Risk::unassessed(),
        approval: None,
    }
}

/// A step whose `instances` argument carries its targets.
pub(crate) fn step_on(id: &str, action: &str, effect: Effect, targets: PlanExpr) -> PlanNode {
    let mut step = node(id, action, effect);
    step.targets = Some("instances".to_string());
    step.args.insert("instances".to_string(), targets);
    step
}

pub(crate) fn reference(node: &str) -> PlanExpr {
    PlanExpr::Ref { node: node.to_string(), path: Vec::new() }
}

pub(crate) fn text(value: &str) -> PlanExpr {
    PlanExpr::value(Value::String(value.to_string()))
}

/// A constant list of `count` instance ids.
pub(crate) fn ids(count: usize) -> PlanExpr {
    PlanExpr::value(Value::List((0..count).map(|i| Value::String(format!("i-{i}"))).collect()))
}

pub(crate) fn tags(pairs: &[(&str, &str)]) -> PlanExpr {
    let record = pairs.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect();
    PlanExpr::value(Value::Record(record))
}

pub(crate) fn data(from: &str, to: &str) -> Edge {
    Edge { from: from.to_string(), to: to.to_string(), kind: EdgeKind::Data }
}

pub(crate) fn after(from: &str, to: &str) -> Edge {
    Edge { from: from.to_string(), to: to.to_string(), kind: EdgeKind::After }
}

/// A catalog that knows `aws.ebs.snapshot` as a backup action and `aws.ec2.terminate` as a destroy.
pub(crate) fn catalog() -> Catalog {
    let callable = |name: &str, effect: Effect, backup: bool| Callable {
        name: name.to_string(),
        kind: CallableKind::Action,
        docs: String::new(),
        params: Vec::new(),
        returns: Type::Any,
        effect,
        undo: None,
        batch: None,
        rate_class: String::new(),
        dry_run: DryRun::Simulated,
        targets: Some("instances".to_string()),
        backup,
        idempotent: true,
        cloud: Cloud::Aws,
        implements: Vec::new(),
    };
    let callables =
        [callable("aws.ebs.snapshot", Effect::Mutate, true), callable("aws.ec2.terminate", Effect::Destroy, false)];
    Catalog { callables: callables.into_iter().map(|c| (c.name.clone(), c)).collect(), ..Catalog::default() }
}

/// A playbook text with the plan sources of its `let` and `step` lines, found the way the checker records
/// them: the name, the whole line, each `name = value` option inside the braces after the call, and where a
/// new option would go.
pub(crate) struct Located {
    pub files: SourceMap,
    pub sources: PlanSources,
}

pub(crate) fn locate(playbook: &str) -> Located {
    let mut files = SourceMap::new();
    let file = files.add("test.esc", playbook);
    let mut sources = PlanSources::default();
    let mut line_start = 0;
    for line in playbook.split_inclusive('\n') {
        if let Some((id, source)) = locate_line(file, line, line_start) {
            sources.nodes.insert(id, source);
        }
        line_start += line.len();
    }
    Located { files, sources }
}

fn locate_line(file: FileId, line: &str, base: usize) -> Option<(String, NodeSource)> {
    let trimmed = line.trim_end();
    let indent = trimmed.len() - trimmed.trim_start().len();
    let rest = trimmed.trim_start();
    let keyword = ["step ", "let "].into_iter().find(|k| rest.starts_with(k))?;
    let name_start = indent + keyword.len();
    let name_len = trimmed[name_start..].find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    let name = Span::new(base + name_start, base + name_start + name_len);
    let call_end = trimmed.rfind(')')? + 1;
    let block = trimmed[call_end..].find('{').map(|open| call_end + open);
    let mut options = BTreeMap::new();
    let insert_at = match block {
        Some(open) => {
            let close = trimmed.rfind('}')?;
            let mut at = open + 1;
            for option in trimmed[open + 1..close].split(',') {
                let lead = option.len() - option.trim_start().len();
                let key = option.trim().split('=').next()?.trim();
                if let Some(key) = crate::typecheck::step_option(key) {
                    let start = at + lead;
                    options.insert(key, Span::new(base + start, base + start + option.trim().len()));
                }
                at += option.len() + 1;
            }
            close
        }
        None => call_end,
    };
    let source = NodeSource {
        file,
        span: Span::new(base + indent, base + trimmed.len()),
        name,
        options,
        options_insert_at: Span::empty_at(base + insert_at),
        has_options_block: block.is_some(),
    };
    Some((trimmed[name_start..name_start + name_len].to_string(), source))
}

/// The text after applying every edit of a fix (edits must not overlap).
pub(crate) fn apply(text: &str, edits: &[crate::diagnostics::TextEdit]) -> String {
    crate::diagnostics::apply_edits(text, edits)
}
