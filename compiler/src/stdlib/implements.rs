//! `implements` links: a concrete action or query is a cloud-agnostic one on its cloud. Checked once every
//! callable is known: the agnostic one exists and is of the same kind (E0622), one implementer per cloud
//! (E0623), renamed and fixed parameters exist (E0624), fixed values fit (E0625), and an agnostic query is
//! implemented on every cloud or on none (E0626).

use std::collections::BTreeMap;

use crate::diagnostics::did_you_mean;
use crate::lower::literal_value;
use crate::span::Span;

use super::attrs::ImplementsAttr;
use super::catalog::{Callable, CallableKind, Catalog, Cloud, Implements};
use super::defaults::fits;
use super::error::StdlibError;

/// `implements = ...` on the callable `callable`.
pub(super) struct ImplementsLink {
    pub callable: String,
    pub attr: ImplementsAttr,
}

/// What the catalog records of an `implements`. A fixed argument that is not a literal value was refused when
/// the attribute was read, so none is dropped here.
pub(super) fn recorded(attr: &ImplementsAttr) -> Implements {
    Implements {
        agnostic: attr.agnostic.clone(),
        renames: attr.renames.iter().cloned().collect(),
        fixed: attr.fixed.iter().filter_map(|(param, expr)| Some((param.clone(), literal_value(expr)?))).collect(),
    }
}

fn kind_word(kind: CallableKind) -> &'static str {
    match kind {
        CallableKind::Action => "action",
        CallableKind::Query => "query",
    }
}

/// Whether the link names a cloud-agnostic callable of its own kind that no other callable of the same cloud
/// implements, each renamed parameter exists on both sides, and each fixed one on this side with a value that
/// fits its type.
pub(super) fn check(catalog: &Catalog, link: &ImplementsLink) -> Vec<StdlibError> {
    let Some(callable) = catalog.callables.get(&link.callable) else { return Vec::new() };
    let attr = &link.attr;
    let kind = kind_word(callable.kind);
    let is_agnostic = |c: &&Callable| c.cloud == Cloud::Any;
    let Some(agnostic) = catalog.callables.get(&attr.agnostic).filter(is_agnostic).filter(|c| c.kind == callable.kind)
    else {
        let help = match catalog.callables.get(&attr.agnostic).filter(is_agnostic) {
            Some(other) => format!(
                "`{}` is an agnostic {}; a {kind} implements an agnostic {kind}",
                other.name,
                kind_word(other.kind)
            ),
            None => {
                let same_kind = catalog.callables.values().filter(is_agnostic).filter(|c| c.kind == callable.kind);
                did_you_mean(&attr.agnostic, same_kind.map(|c| c.name.as_str()))
                    .unwrap_or_else(|| format!("name a cloud-agnostic {kind} that the stdlib declares"))
            }
        };
        return vec![StdlibError::UnknownImplements {
            implements: attr.agnostic.clone(),
            kind,
            span: attr.span.into(),
            help,
        }];
    };
    let mut errors = Vec::new();
    let first = catalog.callables.values().find(|other| {
        other.name < callable.name && other.cloud == callable.cloud && other.implementation_of(&agnostic.name).is_some()
    });
    if let Some(first) = first {
        errors.push(StdlibError::ImplementedTwice {
            implements: agnostic.name.clone(),
            cloud: callable.cloud.to_string(),
            first: first.name.clone(),
            span: attr.span.into(),
        });
    }
    let unknown = |param: &str, owner: &str| StdlibError::UnknownImplementsParam {
        param: param.to_string(),
        owner: owner.to_string(),
        span: attr.span.into(),
    };
    for (from, to) in &attr.renames {
        match (agnostic.param(from), callable.param(to)) {
            (None, _) => errors.push(unknown(from, &agnostic.name)),
            (_, None) => errors.push(unknown(to, &callable.name)),
            _ => {}
        }
    }
    for (param, value) in &attr.fixed {
        match callable.param(param) {
            None => errors.push(unknown(param, &callable.name)),
            Some(sig) if !fits(value, &sig.ty, &catalog.enums) => errors.push(StdlibError::FixedArgumentType {
                param: param.clone(),
                expected: sig.ty.to_string(),
                span: value.span.into(),
            }),
            Some(_) => {}
        }
    }
    errors
}

/// Every agnostic query that some cloud's query implements is implemented on each of the three clouds, so a
/// provider asked an agnostic query under its own name (where none implements it) never answers for a cloud
/// that is also routed. Reported once per query, at its first implementation, with that link's file.
pub(super) fn check_query_coverage(
    catalog: &Catalog,
    links: &[(String, ImplementsLink)],
) -> Vec<(String, StdlibError)> {
    let mut by_query: BTreeMap<&str, (&str, Span, Vec<Cloud>)> = BTreeMap::new();
    for (file, link) in links {
        let Some(callable) = catalog.callables.get(&link.callable) else { continue };
        let is_agnostic_query = catalog
            .callables
            .get(&link.attr.agnostic)
            .is_some_and(|agnostic| agnostic.kind == CallableKind::Query && agnostic.cloud == Cloud::Any);
        if callable.kind != CallableKind::Query || !is_agnostic_query {
            continue;
        }
        let (_, _, clouds) = by_query.entry(&link.attr.agnostic).or_insert((file, link.attr.span, Vec::new()));
        clouds.push(callable.cloud);
    }
    // One or two clouds each: a third would make the query implemented everywhere, or nowhere.
    let names = |clouds: Vec<Cloud>| clouds.iter().map(|cloud| cloud.name()).collect::<Vec<_>>().join(" and ");
    let mut errors = Vec::new();
    for (agnostic, (file, span, clouds)) in by_query {
        let (implemented, missing): (Vec<Cloud>, Vec<Cloud>) = Cloud::ALL.into_iter().partition(|c| clouds.contains(c));
        if missing.is_empty() {
            continue;
        }
        let error = StdlibError::PartlyImplementedQuery {
            agnostic: agnostic.to_string(),
            implemented: names(implemented),
            missing: names(missing),
            span: span.into(),
        };
        errors.push((file.to_string(), error));
    }
    errors
}
