//! From a type as written (`list<aws.ec2.Instance>`) to a [`Type`].

use std::collections::BTreeMap;

use super::ty::Type;
use crate::diagnostics::suggest;
use crate::span::Span;
use crate::stdlib::Catalog;
use crate::syntax::ast::TypeExpr;

/// The type names built into the language, with how many type arguments each takes.
pub const BUILTIN_TYPES: &[(&str, usize)] = &[
    ("string", 0),
    ("int", 0),
    ("float", 0),
    ("bool", 0),
    ("duration", 0),
    ("datetime", 0),
    ("list", 1),
    ("map", 2),
    ("optional", 1),
    ("secret", 1),
    ("outcome", 1),
];

/// The built-in type constructors, with their arity and how they are written.
pub const GENERIC_TYPES: &[(&str, usize, &str)] = &[
    ("list", 1, "list<T>"),
    ("map", 2, "map<string, T>"),
    ("optional", 1, "optional<T>"),
    ("secret", 1, "secret<T>"),
    ("outcome", 1, "outcome<R>"),
];

/// A built-in type that takes no arguments. `any` only where declarations are read (`allow_any`).
pub fn scalar_type(name: &str, allow_any: bool) -> Option<Type> {
    Some(match name {
        "string" => Type::String,
        "int" => Type::Int,
        "float" => Type::Float,
        "bool" => Type::Bool,
        "duration" => Type::Duration,
        "datetime" => Type::Datetime,
        "any" if allow_any => Type::Any,
        _ => return None,
    })
}

/// Why a written type does not name a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeSyntaxError {
    Unknown { name: String, span: Span, suggestion: Option<String> },
    Arity { name: String, expected: usize, found: usize, span: Span },
    MapKeyNotString { span: Span },
}

/// Resolves a written type against the built-in names and the catalog. `any` is accepted only when `allow_any`
/// (stdlib declarations).
pub fn resolve_type(written: &TypeExpr, catalog: &Catalog, allow_any: bool) -> Result<Type, TypeSyntaxError> {
    match written {
        TypeExpr::Record { fields, .. } => {
            let mut out = BTreeMap::new();
            for field in fields {
                out.insert(field.name.name.clone(), resolve_type(&field.ty, catalog, allow_any)?);
            }
            Ok(Type::Record(out))
        }
        TypeExpr::Named { path, args, span } => {
            let name = path.dotted();
            let arity = BUILTIN_TYPES.iter().find(|(n, _)| *n == name).map(|(_, a)| *a);
            let expected = arity.unwrap_or(0);
            if args.len() != expected && (arity.is_some() || catalog.named_type(&name).is_some()) {
                return Err(TypeSyntaxError::Arity { name, expected, found: args.len(), span: *span });
            }
            let arg = |i: usize| resolve_type(&args[i], catalog, allow_any);
            if let Some(scalar) = scalar_type(&name, allow_any) {
                return Ok(scalar);
            }
            let ty = match name.as_str() {
                "list" => Type::List(Box::new(arg(0)?)),
                "optional" => Type::Optional(Box::new(arg(0)?)),
                "secret" => Type::Secret(Box::new(arg(0)?)),
                "outcome" => Type::Outcome(Box::new(arg(0)?)),
                "map" => {
                    if arg(0)? != Type::String {
                        return Err(TypeSyntaxError::MapKeyNotString { span: args[0].span() });
                    }
                    Type::Map(Box::new(arg(1)?))
                }
                other => match catalog.named_type(other) {
                    Some(ty) => ty,
                    None => {
                        let builtins = BUILTIN_TYPES.iter().map(|(n, _)| *n);
                        let candidates: Vec<&str> = builtins.chain(catalog.type_names()).collect();
                        let suggestion = suggest(other, candidates).map(str::to_string);
                        return Err(TypeSyntaxError::Unknown { name: other.to_string(), span: path.span, suggestion });
                    }
                },
            };
            Ok(ty)
        }
    }
}
