//! One file per LSP feature; each converts between the protocol and what the compiler already computes.

pub mod code_action;
pub mod completion;
pub mod diagnostics;
pub mod formatting;
pub mod hover;
pub mod navigation;
pub mod rename;
pub mod symbols;
