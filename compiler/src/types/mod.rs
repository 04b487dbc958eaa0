//! Types of the language.

mod ty;

pub use ty::{Type, is_assignable};
