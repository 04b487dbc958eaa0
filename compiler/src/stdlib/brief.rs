//! The stdlib sized for a prompt: the actions, queries, resource types, interfaces and enums a model needs to write
//! a playbook, as JSON (for programs) and as a compact text block (for a system prompt). A selection narrows it to
//! some clouds or some names, and keeps every type those callables mention, so a prompt carries only what the
//! request needs and still names every type it uses.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Callable, CallableKind, Catalog, Cloud, Effect};
use crate::types::Type;

/// What to keep of the catalog. Empty: everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only callables of these clouds, and the cloud-agnostic ones (which route to them).
    pub clouds: Vec<Cloud>,
    /// Only callables whose name contains one of these (`ec2`, `compute.stop`).
    pub only: Vec<String>,
}

impl Selection {
    fn keeps(&self, callable: &Callable) -> bool {
        let cloud = self.clouds.is_empty() || callable.cloud == Cloud::Any || self.clouds.contains(&callable.cloud);
        let named = self.only.is_empty() || self.only.iter().any(|part| callable.name.contains(part.as_str()));
        cloud && named
    }
}

/// The selected part of the catalog, with every type its callables mention.
#[derive(Debug, Clone, Serialize)]
pub struct Brief {
    /// The format's version: a program reading the JSON checks it.
    pub version: u32,
    pub queries: Vec<CallableBrief>,
    pub actions: Vec<CallableBrief>,
    pub resources: Vec<TypeBrief>,
    pub interfaces: Vec<TypeBrief>,
    pub enums: Vec<EnumBrief>,
}

/// One action or query: its signature's parts, its effect and what is worth knowing before using it.
#[derive(Debug, Clone, Serialize)]
pub struct CallableBrief {
    pub name: String,
    pub cloud: String,
    /// The first line of its documentation.
    pub doc: String,
    pub params: Vec<ParamBrief>,
    pub returns: String,
    pub effect: &'static str,
    /// What a planner should weigh: destroys, not idempotent, makes a backup, undone by another action.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The cloud-agnostic actions or queries this one is on its cloud.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implements: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamBrief {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// The default, as a playbook writes it; absent when the argument is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A resource type or interface and its fields.
#[derive(Debug, Clone, Serialize)]
pub struct TypeBrief {
    pub name: String,
    pub doc: String,
    /// Field name → type, as a playbook writes it.
    pub fields: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implements: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumBrief {
    pub name: String,
    pub values: Vec<String>,
}

/// The part of `catalog` that `selection` keeps.
pub fn brief(catalog: &Catalog, selection: &Selection) -> Brief {
    let callables: Vec<&Callable> = catalog.callables.values().filter(|c| selection.keeps(c)).collect();
    let mut named = Named::default();
    for callable in &callables {
        callable.params.iter().for_each(|param| named.add(&param.ty, catalog));
        named.add(&callable.returns, catalog);
    }
    let of_kind = |kind: CallableKind| callables.iter().filter(|c| c.kind == kind).map(|c| callable_brief(c)).collect();
    let resources = catalog.resources.values().filter(|r| named.resources.contains(&r.name));
    let interfaces = catalog.interfaces.values().filter(|i| named.interfaces.contains(&i.name));
    Brief {
        version: 1,
        queries: of_kind(CallableKind::Query),
        actions: of_kind(CallableKind::Action),
        resources: resources.map(|r| type_brief(&r.name, &r.docs, r.fields.iter(), r.implements.clone())).collect(),
        interfaces: interfaces.map(|i| type_brief(&i.name, &i.docs, i.fields.iter(), Vec::new())).collect(),
        enums: catalog
            .enums
            .values()
            .filter(|e| named.enums.contains(&e.name))
            .map(|e| EnumBrief { name: e.name.clone(), values: e.values.clone() })
            .collect(),
    }
}

/// The names of the resource types, interfaces and enums a set of types mentions, with the types their fields
/// mention in turn.
#[derive(Default)]
struct Named {
    resources: BTreeSet<String>,
    interfaces: BTreeSet<String>,
    enums: BTreeSet<String>,
}

impl Named {
    fn add(&mut self, ty: &Type, catalog: &Catalog) {
        match ty {
            Type::List(of) | Type::Map(of) | Type::Optional(of) | Type::Secret(of) | Type::Outcome(of) => {
                self.add(of, catalog)
            }
            Type::Record(fields) => fields.values().for_each(|field| self.add(field, catalog)),
            Type::Enum(name) => {
                self.enums.insert(name.clone());
            }
            Type::Resource(name) => {
                if self.resources.insert(name.clone())
                    && let Some(resource) = catalog.resources.get(name)
                {
                    resource.fields.values().for_each(|field| self.add(field, catalog));
                }
            }
            Type::Interface(name) => {
                if self.interfaces.insert(name.clone())
                    && let Some(interface) = catalog.interfaces.get(name)
                {
                    interface.fields.values().for_each(|field| self.add(field, catalog));
                }
            }
            Type::String
            | Type::Int
            | Type::Float
            | Type::Bool
            | Type::Duration
            | Type::Datetime
            | Type::Never
            | Type::Any
            | Type::Error => {}
        }
    }
}

fn first_line(docs: &str) -> String {
    docs.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("").to_string()
}

fn callable_brief(callable: &Callable) -> CallableBrief {
    let mut notes = Vec::new();
    if callable.effect == Effect::Destroy {
        notes.push("destroys: cannot be undone".to_string());
    }
    if callable.kind == CallableKind::Action && !callable.idempotent {
        notes.push("not idempotent: each call makes something new".to_string());
    }
    if callable.backup {
        notes.push("makes a backup (covers a destroy after it)".to_string());
    }
    if let Some(undo) = &callable.undo {
        notes.push(format!("undone by {undo}"));
    }
    CallableBrief {
        name: callable.name.clone(),
        cloud: callable.cloud.to_string(),
        doc: first_line(&callable.docs),
        params: callable
            .params
            .iter()
            .map(|param| ParamBrief {
                name: param.name.clone(),
                ty: param.ty.to_string(),
                default: param.default.as_ref().map(crate::lower::display),
            })
            .collect(),
        returns: callable.returns.to_string(),
        effect: callable.effect.as_str(),
        notes,
        implements: callable.implements.iter().map(|i| i.agnostic.clone()).collect(),
    }
}

fn type_brief<'a>(
    name: &str,
    docs: &str,
    fields: impl Iterator<Item = (&'a String, &'a Type)>,
    implements: Vec<String>,
) -> TypeBrief {
    TypeBrief {
        name: name.to_string(),
        doc: first_line(docs),
        fields: fields.map(|(name, ty)| (name.clone(), ty.to_string())).collect(),
        implements,
    }
}

impl Brief {
    /// The brief as a compact text block for a system prompt: one line per callable, resource type, interface
    /// and enum, in the language's own notation.
    pub fn to_prompt(&self) -> String {
        use std::fmt::Write;
        let mut text = String::from("# Escher stdlib\n");
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                let _ = writeln!(text, "\n## {title}");
                lines.iter().for_each(|line| text.push_str(line));
            }
        };
        section("Queries", self.queries.iter().map(callable_line).collect());
        section("Actions", self.actions.iter().map(callable_line).collect());
        let type_line = |t: &TypeBrief| {
            let fields: Vec<String> = t.fields.iter().map(|(name, ty)| format!("{name}: {ty}")).collect();
            let implements =
                if t.implements.is_empty() { String::new() } else { format!(" : {}", t.implements.join(", ")) };
            let doc = if t.doc.is_empty() { String::new() } else { format!(" // {}", t.doc) };
            format!("{}{implements} {{ {} }}{doc}\n", t.name, fields.join(", "))
        };
        section("Resources", self.resources.iter().map(type_line).collect());
        section("Interfaces", self.interfaces.iter().map(type_line).collect());
        section("Enums", self.enums.iter().map(|e| format!("{} = {}\n", e.name, e.values.join(" | "))).collect());
        text
    }
}

/// `aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> [disrupt; undone by
/// aws.ec2.start] // Stops instances.`
fn callable_line(callable: &CallableBrief) -> String {
    let params: Vec<String> = callable
        .params
        .iter()
        .map(|param| match &param.default {
            Some(default) => format!("{}: {} = {default}", param.name, param.ty),
            None => format!("{}: {}", param.name, param.ty),
        })
        .collect();
    let mut tags = vec![callable.effect.to_string()];
    tags.extend(callable.notes.iter().cloned());
    tags.extend(callable.implements.iter().map(|agnostic| format!("is {agnostic}")));
    let doc = if callable.doc.is_empty() { String::new() } else { format!(" // {}", callable.doc) };
    format!("{}({}) -> {} [{}]{doc}\n", callable.name, params.join(", "), callable.returns, tags.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdlib::catalog;

    /// Every named type `ty` mentions, for checking that a brief defines what it mentions.
    fn named_types(ty: &Type, out: &mut BTreeSet<String>) {
        match ty {
            Type::List(of) | Type::Map(of) | Type::Optional(of) | Type::Secret(of) | Type::Outcome(of) => {
                named_types(of, out)
            }
            Type::Record(fields) => fields.values().for_each(|field| named_types(field, out)),
            Type::Enum(name) | Type::Resource(name) | Type::Interface(name) => {
                out.insert(name.clone());
            }
            _ => {}
        }
    }

    #[test]
    fn the_whole_brief_has_every_callable_and_defines_every_type_it_mentions() {
        let catalog = catalog();
        let brief = brief(catalog, &Selection::default());
        assert_eq!(brief.queries.len() + brief.actions.len(), catalog.callables.len());
        let defined: BTreeSet<&str> = brief
            .resources
            .iter()
            .map(|r| r.name.as_str())
            .chain(brief.interfaces.iter().map(|i| i.name.as_str()))
            .chain(brief.enums.iter().map(|e| e.name.as_str()))
            .collect();
        let mut mentioned = BTreeSet::new();
        for callable in catalog.callables.values() {
            callable.params.iter().for_each(|param| named_types(&param.ty, &mut mentioned));
            named_types(&callable.returns, &mut mentioned);
        }
        for name in &mentioned {
            assert!(defined.contains(name.as_str()), "`{name}` is mentioned but not defined in the brief");
        }
    }

    #[test]
    fn a_selection_keeps_its_clouds_and_the_agnostic_callables_or_only_the_names_asked_for() {
        let catalog = catalog();
        let aws = brief(catalog, &Selection { clouds: vec![Cloud::Aws], only: Vec::new() });
        let clouds: BTreeSet<&str> = aws.queries.iter().chain(&aws.actions).map(|c| c.cloud.as_str()).collect();
        assert_eq!(clouds, BTreeSet::from(["any", "aws"]), "{clouds:?}");
        assert!(aws.resources.iter().all(|r| !r.name.starts_with("azure.") && !r.name.starts_with("gcp.")));

        let stop = brief(catalog, &Selection { clouds: Vec::new(), only: vec!["aws.ec2.stop".into()] });
        let names: Vec<&str> = stop.actions.iter().map(|c| c.name.as_str()).collect();
        assert_eq!((names, stop.queries.len()), (vec!["aws.ec2.stop"], 0));
        let resources: Vec<&str> = stop.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(resources, ["aws.ec2.Instance"]);
    }

    #[test]
    fn the_prompt_for_one_action_reads_as_the_language_writes_it() {
        let selection = Selection { clouds: vec![Cloud::Aws], only: vec!["aws.ec2.stop".into()] };
        insta::assert_snapshot!(brief(catalog(), &selection).to_prompt());
    }
}
