//! Errors of the DAG pass (codes E05xx).

use miette::{Diagnostic, LabeledSpan, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum DagError {
    #[error("these steps wait for each other: {cycle}")]
    #[diagnostic(code(E0501), help("{help}"))]
    Cycle {
        /// The names on the cycle in order, closed by the first one again: `a → b → c → a`.
        cycle: String,
        help: String,
        #[label("{first_label}")]
        first: SourceSpan,
        first_label: String,
        /// The other steps of the cycle that are declared in the same file, each labelled with what it waits for.
        #[label(collection)]
        others: Vec<LabeledSpan>,
    },

    #[error("the plan has an edge from `{from}` to `{to}`, but no node named `{missing}`")]
    #[diagnostic(
        code(E0502),
        help("this is a bug in the compiler, not in the playbook; please report it with the playbook")
    )]
    UnknownNode {
        from: String,
        to: String,
        missing: String,
        #[label("the edge was made for this node")]
        span: SourceSpan,
    },
}
