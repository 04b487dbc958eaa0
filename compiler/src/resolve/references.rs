//! Where each name of a playbook is defined and used, for editors: go to definition, find references, rename.
//!
//! The names are the playbook's own (parameters, lets, steps) and its imports' aliases. `for` and comprehension
//! variables are local and shadow them, so a use of a local is not a use of the member of the same name.

use std::collections::BTreeSet;

use super::walk::ExprWalk;
use crate::span::Span;
use crate::syntax::ast::*;

/// What a playbook name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameKind {
    Param,
    Let,
    Step,
    /// A `use "..." as NAME` alias, and the calls of the playbook it imports.
    Import,
}

/// One occurrence of a playbook name in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameSite {
    pub name: String,
    pub kind: NameKind,
    pub span: Span,
    /// Whether this is where the name is defined (a member's name or an import alias).
    pub is_definition: bool,
}

/// Every definition and use of the playbook's names, in source order. A use of a name that is not defined is
/// left out (it is reported as a diagnostic); a one-word call is an import's use when an alias names it.
pub fn name_sites(file: &PlaybookFile) -> Vec<NameSite> {
    let mut collector = Collector { defined: Vec::new(), locals: Vec::new(), sites: Vec::new() };
    for import in &file.uses {
        if let Some(alias) = &import.alias {
            collector.define(alias, NameKind::Import);
        }
    }
    for member in &file.playbook.members {
        match member {
            Member::Param(p) => collector.define(&p.name, NameKind::Param),
            Member::Let(l) => collector.define(&l.name, NameKind::Let),
            Member::Step(s) => collector.define(&s.name, NameKind::Step),
            Member::Schedule(_) => {}
        }
    }
    for member in &file.playbook.members {
        collector.member(member);
    }
    let mut sites = collector.sites;
    sites.sort_by_key(|site| (site.span.start, site.span.end));
    sites
}

/// The site whose span holds `offset` (its end included, so a cursor right after a name finds it).
pub fn site_at(sites: &[NameSite], offset: usize) -> Option<&NameSite> {
    sites.iter().find(|site| (site.span.start as usize..=site.span.end as usize).contains(&offset))
}

impl ExprWalk for Collector {
    fn read_name(&mut self, ident: &Ident) {
        self.use_of(ident, None);
    }

    fn read_call(&mut self, call: &Call) {
        self.call(call);
    }

    fn locals(&mut self) -> &mut Vec<String> {
        &mut self.locals
    }
}

struct Collector {
    /// The first definition of each name; a duplicate is an error already reported and defines nothing more.
    defined: Vec<(String, NameKind)>,
    locals: Vec<String>,
    sites: Vec<NameSite>,
}

impl Collector {
    fn define(&mut self, ident: &Ident, kind: NameKind) {
        let first = !self.defined.iter().any(|(name, _)| *name == ident.name);
        if first {
            self.defined.push((ident.name.clone(), kind));
        }
        self.sites.push(NameSite { name: ident.name.clone(), kind, span: ident.span, is_definition: first });
    }

    fn kind_of(&self, name: &str) -> Option<NameKind> {
        self.defined.iter().find(|(defined, _)| defined == name).map(|(_, kind)| *kind)
    }

    /// A use of `ident`, when it names a member or import rather than a local; `only` restricts the kinds.
    fn use_of(&mut self, ident: &Ident, only: Option<NameKind>) {
        if self.locals.contains(&ident.name) {
            return;
        }
        let Some(kind) = self.kind_of(&ident.name) else { return };
        if only.is_some_and(|only| only != kind) {
            return;
        }
        self.sites.push(NameSite { name: ident.name.clone(), kind, span: ident.span, is_definition: false });
    }

    fn member(&mut self, member: &Member) {
        match member {
            Member::Schedule(s) => s.args.iter().for_each(|a| self.expr(&a.value)),
            Member::Param(p) => {
                if let Some(Constraint::Range { low, high, .. }) = &p.constraint {
                    self.expr(low);
                    self.expr(high);
                }
                if let Some(default) = &p.default {
                    self.expr(default);
                }
            }
            Member::Let(l) => self.expr(&l.value),
            Member::Step(step) => self.step(step),
        }
    }

    fn step(&mut self, step: &Step) {
        for name in &step.after {
            self.use_of(name, Some(NameKind::Step));
        }
        match &step.body {
            StepBody::Call(call) => self.call(call),
            StepBody::ForEach { var, over, call } => {
                self.expr(over);
                self.locals.push(var.name.clone());
                self.call(call);
                self.locals.pop();
            }
            StepBody::Script(script) => script.args.iter().for_each(|a| self.expr(&a.value)),
        }
        for option in &step.options {
            // `on_failure = continue` and `approve = manager` are words, not names.
            if !super::WORD_OPTIONS.contains(&option.name.name.as_str()) {
                self.expr(&option.value);
            }
        }
    }

    fn call(&mut self, call: &Call) {
        if let [only] = call.callee.segments.as_slice() {
            self.use_of(only, Some(NameKind::Import));
        }
        call.args.iter().for_each(|a| self.expr(&a.value));
    }
}

/// The names a playbook defines, by kind, for completion.
pub fn defined_names(file: &PlaybookFile) -> BTreeSet<(String, NameKind)> {
    name_sites(file).into_iter().filter(|site| site.is_definition).map(|site| (site.name, site.kind)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_playbook;

    const SOURCE: &str = r#"use "lib/notify.esc" as tell

playbook p {
  param env: string = "dev"
  let vms = aws.ec2.instances(tags = { env: env })
  step stop = aws.ec2.stop(vms)
  step said after (stop) = tell(message = "${env}")
  step each = for env in ["a"]: report.summary(env)
}
"#;

    fn sites_of(name: &str) -> Vec<(String, bool)> {
        let file = parse_playbook(SOURCE).tree.expect("the test playbook parses");
        name_sites(&file)
            .into_iter()
            .filter(|site| site.name == name)
            .map(|site| (SOURCE[site.span.range()].to_string(), site.is_definition))
            .collect()
    }

    #[test]
    fn a_step_is_defined_once_and_used_in_after() {
        let file = parse_playbook(SOURCE).tree.expect("the test playbook parses");
        let sites = name_sites(&file);
        let stops: Vec<&NameSite> = sites.iter().filter(|s| s.name == "stop").collect();
        assert_eq!(stops.len(), 2);
        assert!(stops[0].is_definition && !stops[1].is_definition);
        assert!(stops.iter().all(|s| s.kind == NameKind::Step));
        assert_eq!(&SOURCE[stops[1].span.range()], "stop");
        assert!(SOURCE[..stops[1].span.start as usize].ends_with("after ("));
    }

    #[test]
    fn a_parameter_is_used_in_records_and_interpolations_but_not_where_a_local_shadows_it() {
        let found = sites_of("env");
        assert_eq!(found, vec![("env".into(), true), ("env".into(), false), ("env".into(), false)]);
    }

    #[test]
    fn an_import_alias_is_used_by_its_one_word_calls() {
        let found = sites_of("tell");
        assert_eq!(found, vec![("tell".into(), true), ("tell".into(), false)]);
    }

    #[test]
    fn the_site_at_an_offset_includes_the_end_of_the_name() {
        let file = parse_playbook(SOURCE).tree.expect("the test playbook parses");
        let sites = name_sites(&file);
        let end_of_vms_use = SOURCE.find("stop(vms)").expect("present") + "stop(vms".len();
        let site = site_at(&sites, end_of_vms_use).expect("a site");
        assert_eq!((site.name.as_str(), site.kind, site.is_definition), ("vms", NameKind::Let, false));
    }

    #[test]
    fn defined_names_lists_each_member_and_alias_once() {
        let file = parse_playbook(SOURCE).tree.expect("the test playbook parses");
        let names: Vec<String> = defined_names(&file).into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["each", "env", "said", "stop", "tell", "vms"]);
    }
}
