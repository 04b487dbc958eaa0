//! The file, the playbook and its members. Each member starts a line; a step is one group, so its arguments and
//! options break together.

use super::comments::next_code;
use super::doc::{Doc, concat, group, indent, nothing, text, verbatim};
use super::literals::quoted;
use super::printer::{Blank, Brackets, Break, Gap, Printer};
use crate::syntax::ast::{
    Constraint, Let, Member, Param, Playbook, PlaybookFile, PlaybookKind, Schedule, Script, Step, StepBody, StepOption,
    Use,
};

impl Printer<'_> {
    pub(crate) fn file(&mut self, file: &PlaybookFile) -> Doc {
        let mut docs = Vec::new();
        for use_decl in &file.uses {
            docs.push(self.gap(use_decl.span.start as usize, Gap::member(Blank::Keep)));
            docs.push(self.use_decl(use_decl));
        }
        let playbook = &file.playbook;
        // The imports are set apart from the playbook by an empty line.
        let first = if file.uses.is_empty() { Blank::Keep } else { Blank::Always };
        docs.push(self.gap(next_code(self.src, playbook.span.start as usize), Gap::member(first)));
        docs.push(self.playbook(playbook));
        // Comments after the closing brace.
        docs.push(self.gap(self.src.len(), Gap::member(Blank::Keep)));
        concat(docs)
    }

    fn use_decl(&mut self, use_decl: &Use) -> Doc {
        let alias = use_decl.alias.as_ref().map(|a| format!(" as {}", a.name)).unwrap_or_default();
        text(format!("use {}{alias}", quoted(&use_decl.path.value)))
    }

    fn playbook(&mut self, playbook: &Playbook) -> Doc {
        let kind = match playbook.kind {
            PlaybookKind::Playbook => "playbook",
            PlaybookKind::Template => "template",
        };
        let head = text(format!("{kind} {} {{", playbook.name.name));
        let close_pos = (playbook.span.end as usize).saturating_sub(1);
        if playbook.members.is_empty() {
            let closing = self.gap(close_pos, Gap::close(Break::Soft));
            return concat([head, group(concat([closing, text("}")]))]);
        }
        let mut body = Vec::new();
        let mut previous: Option<&Member> = None;
        for member in &playbook.members {
            // Members of one kind form a group; an empty line separates the groups.
            let first = match previous {
                None => Blank::Never,
                Some(previous) if kind_rank(previous) != kind_rank(member) => Blank::Always,
                Some(_) => Blank::Keep,
            };
            body.push(self.gap(next_code(self.src, member.span().start as usize), Gap::member(first)));
            body.push(self.member(member));
            previous = Some(member);
        }
        let closing = self.gap(close_pos, Gap::block_end());
        concat([head, indent(concat(body)), closing, text("}")])
    }

    fn member(&mut self, member: &Member) -> Doc {
        match member {
            Member::Schedule(schedule) => self.schedule(schedule),
            Member::Param(param) => self.param(param),
            Member::Let(binding) => self.let_binding(binding),
            Member::Step(step) => self.step(step),
        }
    }

    fn schedule(&mut self, schedule: &Schedule) -> Doc {
        let brackets = Brackets::tight("(", ")", (schedule.span.end as usize).saturating_sub(1));
        let args = self.arguments(brackets, &schedule.args);
        group(concat([text(format!("schedule {}", schedule.kind.name)), args]))
    }

    fn param(&mut self, param: &Param) -> Doc {
        let mut docs = vec![text(format!("param {}: ", param.name.name)), self.type_expr(&param.ty)];
        if let Some(constraint) = &param.constraint {
            docs.push(self.constraint(constraint));
        }
        if let Some(default) = &param.default {
            docs.push(self.assigned(" =", default.span.start as usize, |p| p.expr(default)));
        }
        concat(docs)
    }

    fn constraint(&mut self, constraint: &Constraint) -> Doc {
        match constraint {
            Constraint::Range { low, high, inclusive, .. } => {
                let op = if *inclusive { "..=" } else { ".." };
                concat([text(" in "), self.atom(low), text(op), self.atom(high)])
            }
            // `in [x for x in xs]` lowers to the comprehension alone; printing it back in brackets keeps that.
            Constraint::OneOf { values, .. } if values.len() == 1 && is_comprehension(&values[0].kind) => {
                concat([text(" in "), self.expr(&values[0])])
            }
            Constraint::OneOf { values, span } => {
                let brackets = Brackets::tight("[", "]", (span.end as usize).saturating_sub(1));
                let list = self.delimited(brackets, values, |v| v.span.start as usize, Self::expr);
                concat([text(" in "), group(list)])
            }
            Constraint::Pattern { regex, .. } => text(format!(" matches {}", quoted(&regex.value))),
        }
    }

    fn let_binding(&mut self, binding: &Let) -> Doc {
        let mut docs = vec![text(format!("let {}", binding.name.name))];
        if let Some(ty) = &binding.ty {
            docs.push(text(": "));
            docs.push(self.type_expr(ty));
        }
        docs.push(self.assigned(" =", binding.value.span.start as usize, |p| p.expr(&binding.value)));
        concat(docs)
    }

    /// `step NAME after (a, b) = action(args) { options }`: one line when it fits; otherwise the options one per
    /// line, and the arguments one per line too unless the call fits on the step's first line. A script's body
    /// is printed as written.
    fn step(&mut self, step: &Step) -> Doc {
        let mut head = vec![text(format!("step {}", step.name.name))];
        let mut head_end = step.name.span.end as usize;
        if let (Some(first), Some(last)) = (step.after.first(), step.after.last()) {
            let close_pos = closing_bracket_after(self.src, last.span.end as usize);
            let brackets = Brackets::tight("(", ")", close_pos);
            let names = self.delimited(brackets, &step.after, |n| n.span.start as usize, |_, n| text(n.name.clone()));
            head.extend([text(" after "), group(names)]);
            head_end = close_pos.max(first.span.end as usize) + 1;
        }
        let equals = next_code(self.src, head_end);
        let body_start = next_code(self.src, equals + 1);
        match &step.body {
            StepBody::Call(call) => {
                head.push(self.assigned(" =", body_start, |p| {
                    let call = group(p.call(call));
                    concat([call, p.options(step)])
                }));
                group(concat(head))
            }
            StepBody::ForEach { var, over, call } => {
                head.push(self.assigned(" =", body_start, |p| {
                    let over = p.expr(over);
                    let call = group(p.call(call));
                    concat([text(format!("for {} in ", var.name)), over, text(": "), call, p.options(step)])
                }));
                group(concat(head))
            }
            StepBody::Script(script) => {
                head.push(self.assigned(" =", body_start, |p| p.script_signature(script)));
                let options = self.options(step);
                concat([group(concat(head)), text(" {"), verbatim(script.body.clone()), text("}"), group(options)])
            }
        }
    }

    /// `script(inputs) -> TYPE`
    fn script_signature(&mut self, script: &Script) -> Doc {
        let open = next_code(self.src, script.span.start as usize + "script".len());
        let close_pos = match script.args.last() {
            Some(last) => closing_bracket_after(self.src, last.span.end as usize),
            None => next_code(self.src, open + 1),
        };
        let args = self.arguments(Brackets::tight("(", ")", close_pos), &script.args);
        concat([text("script"), args, text(" -> "), self.type_expr(&script.output)])
    }

    fn options(&mut self, step: &Step) -> Doc {
        if step.options.is_empty() {
            return nothing();
        }
        // The options are the step's last part, so its span ends with their closing brace.
        let brackets = Brackets::braces((step.span.end as usize).saturating_sub(1));
        let options = self.delimited(brackets, &step.options, |o| o.span.start as usize, Self::option);
        concat([text(" "), options])
    }

    fn option(&mut self, option: &StepOption) -> Doc {
        let value = self.assigned(" =", option.value.span.start as usize, |p| p.expr(&option.value));
        concat([text(option.name.name.clone()), value])
    }
}

/// Members sort into groups by kind: schedules, params, lets, steps.
fn kind_rank(member: &Member) -> u8 {
    match member {
        Member::Schedule(_) => 0,
        Member::Param(_) => 1,
        Member::Let(_) => 2,
        Member::Step(_) => 3,
    }
}

fn is_comprehension(kind: &crate::syntax::ast::ExprKind) -> bool {
    matches!(kind, crate::syntax::ast::ExprKind::Comprehension { .. })
}

/// The closing bracket after a list's last item, past an optional trailing comma.
fn closing_bracket_after(src: &str, last_item_end: usize) -> usize {
    let next = next_code(src, last_item_end);
    if src[next..].starts_with(',') { next_code(src, next + 1) } else { next }
}
