//! Diagnostics: one wrapper over every phase's error enum, with machine-applicable fixes, and the two renderings
//! (human text through miette, JSON in rustc's field names for tools and the AI repair loop).
//!
//! Each phase defines its own `#[derive(Error, Diagnostic)]` enum with a stable code, a labelled primary span and
//! help. [`Diagnostic`] pairs such an error with the file it points into and any fixes.

pub mod codes;
mod fix;
mod json;
mod model;
mod render;
mod suggest;

pub use codes::{CODES, CodeInfo, explain};
pub use fix::{apply_edits, apply_machine_fixes};
pub use json::{JsonDiagnostic, to_json};
pub use model::{Applicability, Diagnostic, Diagnostics, Fix, PhaseError, Severity, TextEdit};
pub use render::render_human;
pub use suggest::{did_you_mean, suggest};
