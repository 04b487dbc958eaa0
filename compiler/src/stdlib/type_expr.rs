//! Type expressions of declaration files to [`Type`]s. Every type name of every file is known before any type
//! is resolved, so a declaration may use a type that a later file declares.

use std::collections::BTreeMap;

use crate::diagnostics::did_you_mean;
use crate::syntax::ast::{FieldType, TypeExpr};
use crate::types::Type;

use super::error::StdlibError;

/// What a declared type name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TypeKind {
    Enum,
    Interface,
    Resource,
}

/// Built-in types that take no arguments. `any` is for declarations only: playbooks cannot name it.
const SCALARS: &[&str] = &["string", "int", "float", "bool", "duration", "datetime", "any"];
use crate::types::GENERIC_TYPES as GENERICS;

fn scalar(name: &str) -> Option<Type> {
    crate::types::scalar_type(name, true)
}

/// The type names every file declares, by dotted name.
#[derive(Debug, Default)]
pub(super) struct TypeNames(BTreeMap<String, TypeKind>);

impl TypeNames {
    pub fn insert(&mut self, name: String, kind: TypeKind) {
        self.0.insert(name, kind);
    }

    pub fn kind(&self, name: &str) -> Option<TypeKind> {
        self.0.get(name).copied()
    }

    /// Declared names of one kind, for "did you mean".
    pub fn of_kind(&self, kind: TypeKind) -> impl Iterator<Item = &str> {
        self.0.iter().filter(move |(_, k)| **k == kind).map(|(name, _)| name.as_str())
    }

    /// Resolves a type expression, pushing an error for each mistake; a broken part becomes [`Type::Error`].
    pub fn resolve(&self, expr: &TypeExpr, errors: &mut Vec<StdlibError>) -> Type {
        match expr {
            TypeExpr::Record { fields, .. } => Type::Record(self.fields(fields, "record type", errors)),
            TypeExpr::Named { path, args, span } => {
                let name = path.dotted();
                let resolved: Vec<Type> = args.iter().map(|a| self.resolve(a, errors)).collect();
                let arity_error = |expected: usize, usage: String| StdlibError::TypeArguments {
                    name: name.clone(),
                    expected,
                    found: args.len(),
                    usage,
                    // Without arguments, the name alone (the whole span may end in whitespace).
                    span: if args.is_empty() { path.span } else { *span }.into(),
                };
                if let Some(ty) = scalar(&name) {
                    if !args.is_empty() {
                        errors.push(arity_error(0, name.clone()));
                    }
                    return ty;
                }
                if let Some((_, expected, usage)) = GENERICS.iter().find(|(g, _, _)| *g == name) {
                    if resolved.len() != *expected {
                        errors.push(arity_error(*expected, usage.to_string()));
                        return Type::Error;
                    }
                    return self.generic(&name, resolved, args, errors);
                }
                let Some(kind) = self.kind(&name) else {
                    let candidates = SCALARS
                        .iter()
                        .copied()
                        .chain(GENERICS.iter().map(|(g, _, _)| *g))
                        .chain(self.0.keys().map(String::as_str));
                    errors.push(StdlibError::UnknownType {
                        help: did_you_mean(&name, candidates).unwrap_or_else(|| {
                            "use a built-in type or one declared with `enum`, `interface` or `resource`".into()
                        }),
                        name,
                        span: path.span.into(),
                    });
                    return Type::Error;
                };
                if !args.is_empty() {
                    errors.push(arity_error(0, name.clone()));
                }
                match kind {
                    TypeKind::Enum => Type::Enum(name),
                    TypeKind::Interface => Type::Interface(name),
                    TypeKind::Resource => Type::Resource(name),
                }
            }
        }
    }

    /// A built-in constructor applied to arguments of the right count.
    fn generic(&self, name: &str, mut resolved: Vec<Type>, args: &[TypeExpr], errors: &mut Vec<StdlibError>) -> Type {
        let last = Box::new(resolved.pop().unwrap_or(Type::Error));
        match name {
            "list" => Type::List(last),
            "optional" => Type::Optional(last),
            "secret" => Type::Secret(last),
            "map" => {
                if let (Some(key), Some(key_expr)) = (resolved.first(), args.first())
                    && !matches!(key, Type::String | Type::Error)
                {
                    errors.push(StdlibError::MapKey { found: key.to_string(), span: key_expr.span().into() });
                }
                Type::Map(last)
            }
            "outcome" => {
                if !matches!(*last, Type::Resource(_) | Type::Interface(_) | Type::Error) {
                    let span = args.first().map_or_else(Default::default, TypeExpr::span);
                    errors.push(StdlibError::OutcomeOfNonResource { found: last.to_string(), span: span.into() });
                }
                Type::Outcome(last)
            }
            // GENERICS lists exactly the names above.
            _ => Type::Error,
        }
    }

    /// The fields of a record type, interface or resource; `owner` names it in messages.
    pub fn fields(&self, fields: &[FieldType], owner: &str, errors: &mut Vec<StdlibError>) -> BTreeMap<String, Type> {
        let mut out = BTreeMap::new();
        for field in fields {
            let ty = self.resolve(&field.ty, errors);
            if out.contains_key(&field.name.name) {
                errors.push(StdlibError::DuplicateMember {
                    name: field.name.name.clone(),
                    owner: owner.to_string(),
                    span: field.name.span.into(),
                });
                continue;
            }
            out.insert(field.name.name.clone(), ty);
        }
        out
    }
}
