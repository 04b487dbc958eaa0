//! Hover: what the name under the cursor is. A stdlib action or query shows its signature, effect, risk notes and
//! docs; a parameter its declaration (type, bounds, default); a step its computed risk and approval; an argument
//! name or step option what it means.

use escher_compiler::Span;
use escher_compiler::plan::{BlastRadius, PlanNode};
use escher_compiler::resolve::{NameKind, NameSite, site_at};
use escher_compiler::stdlib::{Callable, CallableKind, DryRun, Effect, catalog};
use escher_compiler::syntax::ast::{Member, PlaybookFile};
use escher_compiler::syntax::call_at;
use escher_compiler::typecheck::{STEP_OPTIONS, int_option_range};
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use crate::analysis::Analysis;
use crate::words::{dotted_word_at, word_at};
use crate::world::{NotOpen, World};

pub fn hover(world: &mut World, params: HoverParams) -> Result<Option<Hover>, NotOpen> {
    let position = params.text_document_position_params;
    let (document, analysis) = world.analyzed(&position.text_document.uri)?;
    let text = &document.text;
    let offset = document.lines.offset(text, position.position);
    let Some((markdown, span)) = describe(text, analysis, offset) else { return Ok(None) };
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: Some(document.lines.range(text, span)),
    }))
}

fn describe(text: &str, analysis: &Analysis, offset: usize) -> Option<(String, Span)> {
    if let (Some(site), Some(tree)) = (site_at(&analysis.sites, offset), &analysis.tree) {
        return Some((describe_name(text, tree, analysis, site)?, site.span));
    }
    let dotted = dotted_word_at(text, offset)?;
    if let Some(callable) = catalog().callables.get(&text[dotted.range()]) {
        return Some((describe_callable(callable), dotted));
    }
    let word = word_at(text, offset)?;
    let name = &text[word.range()];
    let followed_by_equals = text[word.end as usize..].trim_start().starts_with('=');
    if let Some(call) = analysis.tree.as_ref().and_then(|tree| call_at(tree, offset))
        && let Some(callable) = catalog().callables.get(&call.callee.dotted())
        && let Some(param) = callable.param(name)
        && followed_by_equals
    {
        let mut markdown = format!("```escher\n{}: {}\n```", param.name, param.ty);
        if !param.docs.is_empty() {
            markdown.push_str(&format!("\n\n{}", param.docs));
        }
        markdown.push_str(&format!("\n\nParameter of `{}`.", callable.name));
        return Some((markdown, word));
    }
    if followed_by_equals && STEP_OPTIONS.contains(&name) {
        return Some((describe_option(name), word));
    }
    None
}

fn describe_callable(callable: &Callable) -> String {
    let kind = match callable.kind {
        CallableKind::Action => "action",
        CallableKind::Query => "query",
    };
    let mut markdown = format!("```escher\n{kind} {}\n```\n", callable.signature());
    if !callable.docs.is_empty() {
        markdown.push_str(&format!("\n{}\n", callable.docs));
    }
    markdown.push_str(&format!("\n- effect: **{}**: {}\n", callable.effect.as_str(), effect_meaning(callable.effect)));
    if callable.kind == CallableKind::Action {
        match &callable.undo {
            Some(undo) => markdown.push_str(&format!("- undone by `{undo}` (`on_failure = rollback`)\n")),
            None if callable.effect == Effect::Destroy => {
                markdown.push_str("- cannot be undone: the step needs `irreversible = true` and an approval\n")
            }
            None => {}
        }
        markdown.push_str(match callable.dry_run {
            DryRun::Native => "- dry run: the provider's own\n",
            DryRun::Simulated => "- dry run: simulated from a listing of the targets\n",
            DryRun::Unsupported => "- dry run: not simulated\n",
        });
        if let Some(targets) = &callable.targets {
            markdown.push_str(&format!("- targets: `{targets}` (its count is the step's blast radius)\n"));
        }
        if let Some(batch) = callable.batch {
            markdown.push_str(&format!("- up to {batch} targets a call\n"));
        }
        if !callable.idempotent {
            markdown.push_str("- not idempotent: a retry after a lost answer may do it twice\n");
        }
        if callable.backup {
            markdown.push_str("- makes a backup: a destroy after it is covered\n");
        }
    }
    if !callable.rate_class.is_empty() {
        markdown.push_str(&format!("- rate limit class: `{}`\n", callable.rate_class));
    }
    markdown
}

fn effect_meaning(effect: Effect) -> &'static str {
    match effect {
        Effect::Read => "reads only",
        Effect::Mutate => "a reversible change of configuration",
        Effect::Disrupt => "reversible, but interrupts service",
        Effect::Destroy => "irreversible",
    }
}

fn describe_option(option: &str) -> String {
    let meaning = match option {
        "when" => "runs the step only when this `bool` holds; otherwise it is skipped",
        "retry" => "how many times a failed call is tried again",
        "timeout" => "how long one attempt may take (a `duration`)",
        "max_targets" => "the most resources the step may touch; more refuses the step before it acts",
        "max_errors" => "how many targets may fail before the step fails",
        "concurrency" => "how many calls run at once",
        "on_failure" => "what a failure does: `abort` (the default), `continue` or `rollback`",
        "approve" => "the role whose member must approve the step (`approve = manager`)",
        "irreversible" => "acknowledges that the step cannot be undone",
        _ => "orders the step after the steps named (`after = [a, b]`)",
    };
    let range = match int_option_range(option) {
        Some((low, i64::MAX)) => format!(" (at least {low})"),
        Some((low, high)) => format!(" ({low} to {high})"),
        None => String::new(),
    };
    format!("```escher\n{option}\n```\n\nStep option: {meaning}{range}.")
}

fn describe_name(text: &str, tree: &PlaybookFile, analysis: &Analysis, site: &NameSite) -> Option<String> {
    if site.kind == NameKind::Import {
        let import = tree.uses.iter().find(|u| u.alias.as_ref().is_some_and(|a| a.name == site.name))?;
        return Some(format!(
            "```escher\n{}\n```\n\nAn imported playbook: its steps run as this step's.",
            &text[import.span.range()]
        ));
    }
    let member = tree.playbook.members.iter().find(|m| m.defined_name().is_some_and(|n| n.name == site.name))?;
    let declaration = declaration_text(text, member);
    let mut markdown = format!("```escher\n{declaration}\n```\n");
    let docs = match member {
        Member::Param(p) => &p.docs,
        Member::Let(l) => &l.docs,
        Member::Step(s) => &s.docs,
        Member::Schedule(s) => &s.docs,
    };
    if !docs.is_empty() {
        markdown.push_str(&format!("\n{}\n", docs.join("\n")));
    }
    match member {
        Member::Param(param) => {
            markdown.push_str(&format!("\n- type: `{}`\n", &text[param.ty.span().range()]));
            if let Some(constraint) = &param.constraint {
                let span = match constraint {
                    escher_compiler::syntax::ast::Constraint::Range { span, .. }
                    | escher_compiler::syntax::ast::Constraint::OneOf { span, .. }
                    | escher_compiler::syntax::ast::Constraint::Pattern { span, .. } => *span,
                };
                markdown.push_str(&format!("- bounds: `{}`\n", &text[span.range()]));
            }
            match &param.default {
                Some(default) => markdown.push_str(&format!("- default: `{}`\n", &text[default.span.range()])),
                None => markdown.push_str("- no default: `escher plan` needs `--param`\n"),
            }
        }
        Member::Step(_) => markdown.push_str(&step_risk(analysis, &site.name)),
        Member::Let(_) | Member::Schedule(_) => {
            if let Some(node) = plan_node(analysis, &site.name) {
                markdown
                    .push_str(&format!("\n- a query of type `{}`, run before the steps that read it\n", node.output));
            }
        }
    }
    Some(markdown)
}

/// The member's text from its keyword on (its docs are shown as text), at most its first lines.
fn declaration_text(text: &str, member: &Member) -> String {
    const MOST_LINES: usize = 8;
    let written = &text[member.span().range()];
    let lines: Vec<&str> = written.lines().skip_while(|line| line.trim_start().starts_with("///")).collect();
    let indent = lines.first().map_or(0, |first| first.len() - first.trim_start().len());
    let dedent =
        |line: &str| line.get(indent..).filter(|_| line[..indent].trim().is_empty()).unwrap_or(line).to_string();
    let mut shown: Vec<String> = lines.iter().take(MOST_LINES).map(|l| dedent(l)).collect();
    if lines.len() > MOST_LINES {
        shown.push("  …".to_string());
    }
    shown.join("\n")
}

fn plan_node<'a>(analysis: &'a Analysis, name: &str) -> Option<&'a PlanNode> {
    analysis.compilation.plan.as_ref()?.nodes.iter().find(|node| node.id == name)
}

fn step_risk(analysis: &Analysis, name: &str) -> String {
    let Some(node) = plan_node(analysis, name) else {
        return "\nRisk and approval are computed once the playbook checks without errors.\n".to_string();
    };
    let risk = &node.risk;
    let mut markdown = format!("\n- risk: **{}**, effect `{}`\n", risk.level.as_str(), node.effect.as_str());
    for reason in &risk.reasons {
        markdown.push_str(&format!("  - {reason}\n"));
    }
    let radius = match risk.blast_radius {
        BlastRadius::None => "no targets".to_string(),
        BlastRadius::Exact(count) => format!("exactly {count}"),
        BlastRadius::AtMost(count) => format!("at most {count}"),
        BlastRadius::Unbounded => "unbounded (set `max_targets`)".to_string(),
    };
    markdown.push_str(&format!("- blast radius: {radius}\n"));
    match &node.approval {
        Some(approval) => {
            markdown.push_str(&format!("- needs approval by `{}`: {}\n", approval.role, approval.reason));
            if approval.irreversible {
                markdown.push_str("  - the approver acknowledges it is irreversible\n");
            }
        }
        None => markdown.push_str("- runs without approval\n"),
    }
    markdown
}
