//! Errors of planning with parameter values (codes E08xx). They point at the parameter's declaration.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum PlanError {
    #[error("the parameter `{name}` has no default and no value was given")]
    #[diagnostic(code(E0801), help("pass it with `--param {name}=VALUE`"))]
    MissingParam {
        name: String,
        #[label("declared here without a default")]
        span: SourceSpan,
    },

    #[error("`{name}` is not a parameter of this playbook")]
    #[diagnostic(code(E0802))]
    UnknownParam {
        name: String,
        #[label("the playbook")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("the value given for `{name}` is not of type {ty}: {reason}")]
    #[diagnostic(code(E0803), help("lists and records may be given as JSON, lists also as a,b,c"))]
    BadParamValue {
        name: String,
        ty: String,
        reason: String,
        #[label("declared as {ty} here")]
        span: SourceSpan,
    },

    #[error("the value given for `{name}` breaks its constraint: {reason}")]
    #[diagnostic(code(E0804), help("give a value within the constraint"))]
    ParamOutsideConstraint {
        name: String,
        reason: String,
        #[label("constraint declared here")]
        span: SourceSpan,
    },

    #[error("`{option}` of step `{step}` {problem}")]
    #[diagnostic(code(E0805), help("step options must be known when planning; {help}"))]
    BadOption {
        option: String,
        step: String,
        problem: String,
        help: String,
        #[label("this option")]
        span: SourceSpan,
    },
}
