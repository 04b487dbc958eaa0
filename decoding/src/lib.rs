//! Nothing here but tests: `tests/grammar_export.rs` checks the Lark export against pest with llguidance, and
//! `tests/ask_model.rs` runs `escher ask` against a real model held to the exports (see Cargo.toml for why this
//! is a workspace of its own).
