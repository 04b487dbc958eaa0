//! Declaration files to a [`Catalog`], checking them as it goes.
//!
//! Loading runs in passes so that the order of files and declarations never matters: every name is registered
//! first, then types are resolved, then resources are checked against their interfaces, then callables, and
//! last the links between callables: `undo` between actions, `implements` to cloud-agnostic ones.

use crate::diagnostics::did_you_mean;
use crate::span::Span;
use crate::syntax::ast::{self, CallableDecl, Declaration, DeclarationFile, Path};
use crate::syntax::parse_declarations;
use crate::types::Type;

use super::attrs::{Attrs, read_attrs};
use super::catalog::{
    Callable, CallableKind, Catalog, Cloud, DryRun, Effect, EnumDecl, ParamSig, RecordDecl, ResourceDecl,
};
use super::defaults::fits;
use super::error::StdlibError;
use super::implements::{self, ImplementsLink};
use super::type_expr::{TypeKind, TypeNames};

/// Parses and checks declaration files given as (name, text). Returns what could be built and every error,
/// each with the name of the file it points into.
pub fn load(files: &[(&str, &str)]) -> (Catalog, Vec<(String, StdlibError)>) {
    let mut loader = Loader::default();
    let mut parsed: Vec<(&str, DeclarationFile)> = Vec::new();
    for (name, text) in files {
        let result = parse_declarations(text);
        for error in result.errors {
            loader.errors.push((name.to_string(), error.into()));
        }
        if let Some(tree) = result.tree {
            parsed.push((name, tree));
        }
    }
    let accepted = loader.register(&parsed);
    loader.build(&accepted);
    (loader.catalog, loader.errors)
}

/// A declaration whose name was free, with the file it came from.
type Accepted<'a> = Vec<(&'a str, &'a Declaration)>;

#[derive(Default)]
struct Loader {
    catalog: Catalog,
    errors: Vec<(String, StdlibError)>,
    types: TypeNames,
    /// `implements` links by file, checked once every callable is known.
    implements_links: Vec<(String, ImplementsLink)>,
}

impl Loader {
    fn push(&mut self, file: &str, errors: Vec<StdlibError>) {
        self.errors.extend(errors.into_iter().map(|e| (file.to_string(), e)));
    }

    /// Registers every declared name. Types and callables share one namespace, so a name means one thing; a
    /// second declaration of a name is reported and left out.
    fn register<'a>(&mut self, parsed: &'a [(&'a str, DeclarationFile)]) -> Accepted<'a> {
        let mut first_file: std::collections::BTreeMap<String, &str> = Default::default();
        let mut accepted = Vec::new();
        for (file, tree) in parsed {
            for declaration in &tree.declarations {
                let name = declared_name(declaration);
                let dotted = name.dotted();
                if let Some(first) = first_file.get(&dotted) {
                    let error = StdlibError::DuplicateName {
                        name: dotted,
                        first_file: first.to_string(),
                        span: name.span.into(),
                    };
                    self.push(file, vec![error]);
                    continue;
                }
                first_file.insert(dotted.clone(), file);
                let kind = match declaration {
                    Declaration::Enum { .. } => Some(TypeKind::Enum),
                    Declaration::Interface { .. } => Some(TypeKind::Interface),
                    Declaration::Resource { .. } => Some(TypeKind::Resource),
                    Declaration::Callable(_) => None,
                };
                if let Some(kind) = kind {
                    self.types.insert(dotted, kind);
                }
                accepted.push((*file, declaration));
            }
        }
        accepted
    }

    fn build(&mut self, accepted: &Accepted<'_>) {
        // Enums and interfaces first: resources are checked against interfaces, defaults against enums.
        for (file, declaration) in accepted {
            let mut errors = Vec::new();
            match declaration {
                Declaration::Enum { docs, name, values, .. } => {
                    self.add_enum(docs, name, values, &mut errors);
                }
                Declaration::Interface { docs, name, fields, .. } => {
                    let dotted = name.dotted();
                    let fields = self.types.fields(fields, &dotted, &mut errors);
                    let interface = RecordDecl { name: dotted.clone(), fields, docs: join(docs) };
                    self.catalog.interfaces.insert(dotted, interface);
                }
                _ => {}
            }
            self.push(file, errors);
        }
        for (file, declaration) in accepted {
            if let Declaration::Resource { docs, name, implements, fields, .. } = declaration {
                let mut errors = Vec::new();
                self.add_resource(docs, name, implements, fields, &mut errors);
                self.push(file, errors);
            }
        }
        let mut undo_links = Vec::new();
        for (file, declaration) in accepted {
            if let Declaration::Callable(decl) = declaration {
                let mut errors = Vec::new();
                if let Some(link) = self.add_callable(file, decl, &mut errors) {
                    undo_links.push((*file, link));
                }
                self.push(file, errors);
            }
        }
        for (file, link) in undo_links {
            if let Some(error) = self.check_undo(&link) {
                self.push(file, vec![error]);
            }
        }
        let implements_links = std::mem::take(&mut self.implements_links);
        for (file, link) in &implements_links {
            let errors = implements::check(&self.catalog, link);
            self.push(file, errors);
        }
        for (file, error) in implements::check_query_coverage(&self.catalog, &implements_links) {
            self.push(&file, vec![error]);
        }
    }

    fn add_enum(&mut self, docs: &ast::Docs, name: &Path, values: &[ast::StringLit], errors: &mut Vec<StdlibError>) {
        let dotted = name.dotted();
        let mut kept: Vec<String> = Vec::new();
        for value in values {
            if kept.contains(&value.value) {
                errors.push(StdlibError::DuplicateMember {
                    name: value.value.clone(),
                    owner: dotted.clone(),
                    span: value.span.into(),
                });
                continue;
            }
            kept.push(value.value.clone());
        }
        let decl = EnumDecl { name: dotted.clone(), values: kept, docs: join(docs) };
        self.catalog.enums.insert(dotted, decl);
    }

    fn add_resource(
        &mut self,
        docs: &ast::Docs,
        name: &Path,
        implements: &[Path],
        fields: &[ast::FieldType],
        errors: &mut Vec<StdlibError>,
    ) {
        let dotted = name.dotted();
        let resolved = self.types.fields(fields, &dotted, errors);
        let mut interfaces = Vec::new();
        for interface_path in implements {
            let interface_name = interface_path.dotted();
            let Some(interface) = self.catalog.interfaces.get(&interface_name) else {
                errors.push(StdlibError::UnknownInterface {
                    help: did_you_mean(&interface_name, self.types.of_kind(TypeKind::Interface))
                        .unwrap_or_else(|| "declare it with `interface NAME { ... }` or name a declared one".into()),
                    name: interface_name,
                    span: interface_path.span.into(),
                });
                continue;
            };
            for (field, expected) in &interface.fields {
                match resolved.get(field) {
                    None => errors.push(StdlibError::MissingInterfaceField {
                        resource: dotted.clone(),
                        interface: interface_name.clone(),
                        field: field.clone(),
                        ty: expected.to_string(),
                        span: name.span.into(),
                    }),
                    Some(found) if found != expected && *found != Type::Error => {
                        let span = fields.iter().find(|f| &f.name.name == field).map_or(name.span, |f| f.ty.span());
                        errors.push(StdlibError::InterfaceFieldType {
                            field: field.clone(),
                            interface: interface_name.clone(),
                            expected: expected.to_string(),
                            found: found.to_string(),
                            span: span.into(),
                        });
                    }
                    Some(_) => {}
                }
            }
            interfaces.push(interface_name);
        }
        let resource = ResourceDecl {
            name: dotted.clone(),
            implements: interfaces,
            fields: resolved,
            docs: join(docs),
            cloud: Cloud::of(&dotted),
        };
        self.catalog.resources.insert(dotted, resource);
    }

    /// Builds one query or action. Returns its `undo` link, checked once every action is known.
    fn add_callable(&mut self, file: &str, decl: &CallableDecl, errors: &mut Vec<StdlibError>) -> Option<UndoLink> {
        let name = decl.name.dotted();
        let cloud = Cloud::of(&name);
        let params = self.params(decl, errors);
        let returns = self.types.resolve(&decl.returns, errors);
        let attrs = read_attrs(decl, errors);
        let kind = match decl.kind {
            ast::CallableKind::Query => CallableKind::Query,
            ast::CallableKind::Action => CallableKind::Action,
        };

        let effect = effect_of(kind, &attrs, &name, decl.name.span, errors);
        let dry_run = dry_run_of(effect, &attrs, &name, decl.name.span, errors);
        let rate_class = rate_of(cloud, &attrs, &name, decl.name.span, errors);
        if effect == Effect::Destroy && attrs.effect.is_some() && !attrs.states("targets") {
            errors.push(StdlibError::DestroyWithoutTargets { action: name.clone(), span: decl.name.span.into() });
        }
        let targets = attrs
            .targets
            .clone()
            .and_then(|(param, span)| check_targets(&name, &param, span, decl, &params, errors).then_some(param));

        let link = attrs.undo.clone().map(|(undo, span)| UndoLink { action: name.clone(), undo, span });
        let callable = Callable {
            name: name.clone(),
            kind,
            docs: join(&decl.docs),
            params,
            returns,
            effect,
            undo: attrs.undo.map(|(undo, _)| undo),
            batch: attrs.batch,
            rate_class,
            dry_run,
            targets,
            backup: attrs.backup,
            idempotent: attrs.idempotent.unwrap_or(true),
            cloud,
            implements: attrs.implements.iter().map(implements::recorded).collect(),
        };
        for attr in attrs.implements {
            self.implements_links.push((file.to_string(), ImplementsLink { callable: name.clone(), attr }));
        }
        self.catalog.callables.insert(name, callable);
        link
    }

    fn params(&self, decl: &CallableDecl, errors: &mut Vec<StdlibError>) -> Vec<ParamSig> {
        let mut params: Vec<ParamSig> = Vec::new();
        for param in &decl.params {
            let ty = self.types.resolve(&param.ty, errors);
            if params.iter().any(|p| p.name == param.name.name) {
                errors.push(StdlibError::DuplicateMember {
                    name: param.name.name.clone(),
                    owner: decl.name.dotted(),
                    span: param.name.span.into(),
                });
                continue;
            }
            if let Some(default) = &param.default
                && !fits(default, &ty, &self.catalog.enums)
            {
                errors.push(StdlibError::BadDefault {
                    param: param.name.name.clone(),
                    expected: ty.to_string(),
                    span: default.span.into(),
                });
            }
            params.push(ParamSig {
                name: param.name.name.clone(),
                has_default: param.default.is_some() || matches!(ty, Type::Optional(_)),
                default: param.default.as_ref().and_then(crate::lower::literal_value),
                ty,
                docs: join(&param.docs),
            });
        }
        params
    }

    /// The undo action must exist, be an action, and take targets of the same type.
    fn check_undo(&self, link: &UndoLink) -> Option<StdlibError> {
        let Some(undo) = self.catalog.callables.get(&link.undo).filter(|c| c.kind == CallableKind::Action) else {
            let actions =
                self.catalog.callables.values().filter(|c| c.kind == CallableKind::Action).map(|c| c.name.as_str());
            return Some(StdlibError::UnknownUndo {
                help: did_you_mean(&link.undo, actions)
                    .unwrap_or_else(|| "`undo` names a declared action that reverses this one".into()),
                undo: link.undo.clone(),
                span: link.span.into(),
            });
        };
        let action = self.catalog.callables.get(&link.action)?;
        let expected = target_type(action);
        let found = target_type(undo);
        if expected.is_some() && expected == found {
            return None;
        }
        let describe = |ty: Option<&Type>| ty.map_or("no targets".to_string(), |t| format!("`{t}`"));
        Some(StdlibError::UndoTargetsDiffer {
            action: link.action.clone(),
            undo: link.undo.clone(),
            expected: describe(expected),
            found: describe(found),
            span: link.span.into(),
        })
    }
}

fn effect_of(kind: CallableKind, attrs: &Attrs, name: &str, span: Span, errors: &mut Vec<StdlibError>) -> Effect {
    match (kind, attrs.effect) {
        (CallableKind::Query, _) => Effect::Read,
        (CallableKind::Action, Some(effect)) => effect,
        (CallableKind::Action, None) => {
            if !attrs.states("effect") {
                let action = name.to_string();
                errors.push(StdlibError::MissingEffect { action, span: span.into() });
            }
            // The most cautious reading of an action that does not say.
            Effect::Destroy
        }
    }
}

/// A read is safe to make in a dry run, so it runs as itself; a change must say how dry runs treat it.
fn dry_run_of(effect: Effect, attrs: &Attrs, name: &str, span: Span, errors: &mut Vec<StdlibError>) -> DryRun {
    match attrs.dry_run {
        Some(dry_run) => dry_run,
        None if effect == Effect::Read => DryRun::Native,
        None => {
            if !attrs.states("dry_run") {
                let action = name.to_string();
                errors.push(StdlibError::MissingDryRun { action, span: span.into() });
            }
            DryRun::Unsupported
        }
    }
}

/// Calls that reach a cloud need a rate-limit class; local ones (`wait`, `report.*`) share one.
fn rate_of(cloud: Cloud, attrs: &Attrs, name: &str, span: Span, errors: &mut Vec<StdlibError>) -> String {
    if let Some(rate) = &attrs.rate {
        return rate.clone();
    }
    if cloud != Cloud::None && !attrs.states("rate") {
        errors.push(StdlibError::MissingRate { name: name.to_string(), span: span.into() });
    }
    "local".to_string()
}

/// `undo = NAME` on an action, to check once all actions are known.
struct UndoLink {
    action: String,
    undo: String,
    span: Span,
}

/// Whether `targets = param` names a parameter holding a list of resources.
fn check_targets(
    action: &str,
    param: &str,
    span: Span,
    decl: &CallableDecl,
    params: &[ParamSig],
    errors: &mut Vec<StdlibError>,
) -> bool {
    let Some(sig) = params.iter().find(|p| p.name == param) else {
        errors.push(StdlibError::UnknownTargets {
            name: param.to_string(),
            action: action.to_string(),
            span: span.into(),
            help: did_you_mean(param, params.iter().map(|p| p.name.as_str()))
                .unwrap_or_else(|| "`targets` names the parameter that holds the resources the action changes".into()),
        });
        return false;
    };
    let is_resource_list = matches!(sig.ty.element(), Some(Type::Resource(_) | Type::Interface(_) | Type::Error));
    if !is_resource_list {
        let type_span = decl.params.iter().find(|p| p.name.name == param).map_or(span, |p| p.ty.span());
        errors.push(StdlibError::TargetsNotResources {
            name: param.to_string(),
            found: sig.ty.to_string(),
            span: type_span.into(),
        });
    }
    is_resource_list
}

/// The type of an action's targets parameter, if it has one.
fn target_type(callable: &Callable) -> Option<&Type> {
    callable.targets.as_deref().and_then(|t| callable.param(t)).map(|p| &p.ty)
}

fn declared_name(declaration: &Declaration) -> &Path {
    match declaration {
        Declaration::Enum { name, .. } | Declaration::Interface { name, .. } | Declaration::Resource { name, .. } => {
            name
        }
        Declaration::Callable(decl) => &decl.name,
    }
}

fn join(docs: &ast::Docs) -> String {
    docs.join("\n")
}
