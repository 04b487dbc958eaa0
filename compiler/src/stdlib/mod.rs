//! The stdlib as the compiler knows it: declarations embedded at build time, parsed once into a [`Catalog`].

mod attrs;
mod brief;
mod catalog;
mod defaults;
mod embedded;
mod error;
mod implements;
mod load;
#[cfg(test)]
mod load_tests;
mod type_expr;

use std::sync::LazyLock;

pub use brief::{Brief, CallableBrief, EnumBrief, ParamBrief, Selection, TypeBrief, brief};
pub use catalog::*;
pub use error::StdlibError;
pub use load::load;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let (catalog, errors) = load(embedded::FILES);
    // The embedded files are fixed at build time and a test loads them with zero errors.
    debug_assert!(errors.is_empty(), "the embedded stdlib has errors: {errors:?}");
    catalog
});

/// The stdlib's catalog, built from the embedded declaration files on first use.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

/// The embedded declaration files as (name, text), so hosts can show the source of a stdlib item.
pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}
