//! Escher's compiler: playbook source to a checked, risk-annotated, hashed [`Plan`](plan::Plan).
//!
//! The crate does no IO. Hosts give it text and, for imports, a [`SourceLoader`].

pub mod dag;
pub mod diagnostics;
pub mod format;
pub mod grammar_export;
pub mod input;
pub mod lint;
pub mod lower;
pub mod plan;
pub mod resolve;
pub mod risk;
pub mod source;
pub mod span;
pub mod stdlib;
pub mod syntax;
pub mod typecheck;
pub mod types;

pub use source::{MemoryLoader, NoImports, SourceFile, SourceLoader, SourceMap};
pub use span::{FileId, Span};
mod compile;

pub use compile::{Compilation, CompileOptions, compile, compile_input, compile_input_bytes, compile_with};
pub use lower::{Mode, ParamInput};
