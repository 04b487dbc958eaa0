//! Lowering checked playbooks to Plan nodes: parameters bound, constants folded, references kept symbolic.

mod literal;

pub use literal::{Bound, display, format_duration, literal_value};
