//! The stdlib as the compiler knows it: declarations embedded at build time, parsed once into a [`Catalog`].

mod catalog;

pub use catalog::*;
