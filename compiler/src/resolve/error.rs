//! Errors of name resolution (codes E02xx).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum ResolveError {
    #[error("there is no `{name}` in this playbook")]
    #[diagnostic(code(E0201))]
    UnknownName {
        name: String,
        #[label("not a parameter, let or step")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("the stdlib has no query, action or function `{name}`")]
    #[diagnostic(code(E0202))]
    UnknownCallable {
        name: String,
        #[label("unknown")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`after` names `{name}`, which is not a step of this playbook")]
    #[diagnostic(code(E0203))]
    UnknownStep {
        name: String,
        #[label("no such step")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` is defined twice")]
    #[diagnostic(code(E0204), help("parameters, lets and steps share one namespace; rename one of them"))]
    Duplicate {
        name: String,
        #[label("defined again here")]
        span: SourceSpan,
        #[label("first defined here")]
        first: SourceSpan,
    },

    #[error("there is no type `{name}`")]
    #[diagnostic(code(E0205))]
    UnknownType {
        name: String,
        #[label("unknown type")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` takes {expected} type argument(s), not {found}")]
    #[diagnostic(code(E0206), help("write it as in `list<string>` or `map<string, int>`"))]
    TypeArity {
        name: String,
        expected: usize,
        found: usize,
        #[label("wrong number of type arguments")]
        span: SourceSpan,
    },

    #[error("map keys are always strings")]
    #[diagnostic(code(E0207), help("write `map<string, T>`"))]
    MapKeyNotString {
        #[label("not `string`")]
        span: SourceSpan,
    },

    #[error("cannot import \"{path}\": {reason}")]
    #[diagnostic(code(E0208), help("the path is relative to the importing file"))]
    ImportFailed {
        path: String,
        reason: String,
        #[label("imported here")]
        span: SourceSpan,
    },

    #[error("\"{path}\" imports itself, through {chain}")]
    #[diagnostic(code(E0209), help("playbooks may import each other only without cycles"))]
    ImportCycle {
        path: String,
        chain: String,
        #[label("this import closes the cycle")]
        span: SourceSpan,
    },

    #[error("`{name}` is a value, not something that can be called")]
    #[diagnostic(code(E0210), help("only queries, actions, functions and imported playbooks can be called"))]
    NotCallable {
        name: String,
        #[label("a parameter, let or step")]
        span: SourceSpan,
    },

    #[error("two imports are both named `{name}`")]
    #[diagnostic(code(E0211), help("give one of them another name with `use \"...\" as other_name`"))]
    DuplicateImport {
        name: String,
        #[label("second import")]
        span: SourceSpan,
    },
}
