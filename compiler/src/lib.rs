//! Escher's compiler: playbook source to a checked, risk-annotated, hashed [`Plan`](plan::Plan).
//!
//! The crate does no IO. Hosts give it text and, for imports, a [`SourceLoader`].

pub mod diagnostics;
pub mod source;
pub mod span;
pub mod syntax;

pub use source::{MemoryLoader, NoImports, SourceFile, SourceLoader, SourceMap};
pub use span::{FileId, Span};
