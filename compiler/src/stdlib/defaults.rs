//! Whether a parameter's default fits its type. Defaults are literals: they are folded into plans as written, so
//! they cannot depend on anything.

use std::collections::BTreeMap;

use crate::syntax::ast::{Expr, ExprKind, StrPart};
use crate::types::Type;

use super::EnumDecl;

/// Whether the literal `expr` is a value of type `ty`.
pub(super) fn fits(expr: &Expr, ty: &Type, enums: &BTreeMap<String, EnumDecl>) -> bool {
    match (&expr.kind, ty) {
        (_, Type::Error) => true,
        (ExprKind::None, Type::Optional(_)) => true,
        (_, Type::Optional(inner)) => fits(expr, inner, enums),
        (ExprKind::Str(parts), _) => plain_text(parts).is_some_and(|text| match ty {
            Type::String | Type::Any => true,
            Type::Enum(name) => enums.get(name).is_some_and(|e| e.values.contains(&text)),
            _ => false,
        }),
        (ExprKind::Int(_), Type::Int | Type::Float | Type::Any)
        | (ExprKind::Float(_), Type::Float | Type::Any)
        | (ExprKind::Bool(_), Type::Bool | Type::Any)
        | (ExprKind::Duration(_), Type::Duration | Type::Any) => true,
        (ExprKind::List(items), Type::List(element)) => items.iter().all(|i| fits(i, element, enums)),
        (ExprKind::List(items), Type::Any) => items.iter().all(|i| fits(i, ty, enums)),
        (ExprKind::Record(fields), Type::Map(value)) => fields.iter().all(|f| fits(&f.value, value, enums)),
        (ExprKind::Record(fields), Type::Any) => fields.iter().all(|f| fits(&f.value, ty, enums)),
        (ExprKind::Record(fields), Type::Record(want)) => {
            let given_fit =
                fields.iter().all(|f| want.get(&f.key.name).is_some_and(|want_ty| fits(&f.value, want_ty, enums)));
            let missing_are_optional = want.iter().all(|(name, want_ty)| {
                fields.iter().any(|f| &f.key.name == name) || matches!(want_ty, Type::Optional(_))
            });
            given_fit && missing_are_optional
        }
        _ => false,
    }
}

/// The text of a string without interpolations.
fn plain_text(parts: &[StrPart]) -> Option<String> {
    parts
        .iter()
        .map(|part| match part {
            StrPart::Text(text) => Some(text.as_str()),
            StrPart::Interp(_) => None,
        })
        .collect()
}
