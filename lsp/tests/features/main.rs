//! Each LSP feature, in-process over `Connection::memory()`, asserting the JSON the client receives.

mod support;

mod code_actions;
mod completion;
mod diagnostics;
mod formatting;
mod hover;
mod lifecycle;
mod navigation;
mod positions;
mod rename;
mod symbols;
