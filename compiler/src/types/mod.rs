//! Types of the language and how written types resolve to them.

mod syntax;
mod ty;

pub use syntax::{BUILTIN_TYPES, GENERIC_TYPES, TypeSyntaxError, resolve_type, scalar_type};
pub use ty::{Type, is_assignable};
