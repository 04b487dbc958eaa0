//! Escher's types and the assignability relation between them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::stdlib::Catalog;

/// A type of the language. Resource, interface and enum types are named by their dotted path and described in
/// the [`Catalog`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "of", rename_all = "snake_case")]
pub enum Type {
    String,
    Int,
    Float,
    Bool,
    Duration,
    Datetime,
    List(Box<Type>),
    /// `map<string, T>`; keys are always strings.
    Map(Box<Type>),
    /// A structural record; a value with more fields is assignable to one with fewer.
    Record(BTreeMap<String, Type>),
    Optional(Box<Type>),
    /// `secret<T>`: passed to actions, never printed.
    Secret(Box<Type>),
    /// A string type with a closed set of values (`aws.region`).
    Enum(String),
    /// A cloud resource (`aws.ec2.Instance`).
    Resource(String),
    /// A cloud-agnostic interface that resources implement (`compute.Instance`).
    Interface(String),
    /// What an action step yields over resources of the given type: which changed, which did not, which failed.
    Outcome(Box<Type>),
    /// The type of `[]` and `none`'s payload: assignable to anything.
    Never,
    /// Accepts any value but a secret. Only stdlib declarations may use it (`report.table`'s rows); playbooks
    /// cannot name it, and nothing of type `any` has fields.
    Any,
    /// Stands in after an error so one mistake is reported once.
    Error,
}

impl Type {
    pub fn list(of: Type) -> Type {
        Type::List(Box::new(of))
    }

    pub fn optional(of: Type) -> Type {
        Type::Optional(Box::new(of))
    }

    /// The element type of a list (or of an outcome's resource lists), if this is one.
    pub fn element(&self) -> Option<&Type> {
        match self {
            Type::List(t) => Some(t),
            _ => None,
        }
    }

    /// Whether this type holds a secret anywhere inside.
    pub fn contains_secret(&self) -> bool {
        match self {
            Type::Secret(_) => true,
            Type::List(t) | Type::Map(t) | Type::Optional(t) | Type::Outcome(t) => t.contains_secret(),
            Type::Record(fields) => fields.values().any(Type::contains_secret),
            _ => false,
        }
    }

    /// The fields of an outcome over resources of type `of`.
    pub fn outcome_fields(of: &Type) -> BTreeMap<String, Type> {
        OUTCOME_FIELDS.iter().filter_map(|&name| Some((name.to_string(), Type::outcome_field(of, name)?))).collect()
    }

    /// The field `name` of an outcome over resources of type `of`, if an outcome has it.
    pub fn outcome_field(of: &Type, name: &str) -> Option<Type> {
        match name {
            "targets" | "changed" | "unchanged" => Some(Type::list(of.clone())),
            "failed" => {
                let failure = BTreeMap::from([("id".to_string(), Type::String), ("error".to_string(), Type::String)]);
                Some(Type::list(Type::Record(failure)))
            }
            _ => None,
        }
    }
}

/// The fields every outcome has.
const OUTCOME_FIELDS: [&str; 4] = ["targets", "changed", "unchanged", "failed"];

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Bool => f.write_str("bool"),
            Type::Duration => f.write_str("duration"),
            Type::Datetime => f.write_str("datetime"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Map(t) => write!(f, "map<string, {t}>"),
            Type::Record(fields) => {
                f.write_str("{")?;
                for (i, (name, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name}: {t}")?;
                }
                f.write_str("}")
            }
            Type::Optional(t) => write!(f, "optional<{t}>"),
            Type::Secret(t) => write!(f, "secret<{t}>"),
            Type::Enum(name) | Type::Resource(name) | Type::Interface(name) => f.write_str(name),
            Type::Outcome(t) => write!(f, "outcome<{t}>"),
            Type::Never => f.write_str("never"),
            Type::Any => f.write_str("any"),
            Type::Error => f.write_str("{unknown}"),
        }
    }
}

/// Whether a value of type `from` may be used where `to` is expected.
pub fn is_assignable(from: &Type, to: &Type, catalog: &Catalog) -> bool {
    use Type::*;
    match (from, to) {
        (Error, _) | (_, Error) | (Never, _) => true,
        (from, Any) => !from.contains_secret(),
        (a, b) if a == b => true,
        (Int, Float) => true,
        // Enum values are strings; the converse is checked value by value where the string is known.
        (Enum(_), String) => true,
        (Resource(r), Interface(i)) => catalog.implements(r, i),
        (List(a), List(b)) | (Map(a), Map(b)) | (Optional(a), Optional(b)) | (Secret(a), Secret(b)) => {
            is_assignable(a, b, catalog)
        }
        (Outcome(a), Outcome(b)) => is_assignable(a, b, catalog),
        (a, Optional(b)) => is_assignable(a, b, catalog),
        (Record(have), Record(want)) => want.iter().all(|(name, want_ty)| match have.get(name) {
            Some(have_ty) => is_assignable(have_ty, want_ty, catalog),
            None => matches!(want_ty, Optional(_)),
        }),
        (Record(have), Map(value)) => have.values().all(|t| is_assignable(t, value, catalog)),
        _ => false,
    }
}
