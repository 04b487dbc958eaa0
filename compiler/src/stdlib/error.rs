//! Errors in the stdlib's declaration files (codes E06xx). A broken declaration is reported like any other
//! diagnostic, located in the declaration file it comes from.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::syntax::ParseError;

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum StdlibError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(#[from] ParseError),

    #[error("unknown type `{name}`")]
    #[diagnostic(code(E0601))]
    UnknownType {
        name: String,
        #[label("not a built-in type and not declared by the stdlib")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` takes {expected} type argument(s), not {found}")]
    #[diagnostic(code(E0602), help("write it as `{usage}`"))]
    TypeArguments {
        name: String,
        expected: usize,
        found: usize,
        usage: String,
        #[label("wrong number of type arguments")]
        span: SourceSpan,
    },

    #[error("map keys are always strings, not `{found}`")]
    #[diagnostic(code(E0603), help("write the map as `map<string, T>`"))]
    MapKey {
        found: String,
        #[label("must be `string`")]
        span: SourceSpan,
    },

    #[error("`{name}` is declared twice")]
    #[diagnostic(code(E0604), help("the first declaration is in {first_file}; rename or remove one of them"))]
    DuplicateName {
        name: String,
        first_file: String,
        #[label("declared again here")]
        span: SourceSpan,
    },

    #[error("`{name}` appears twice in `{owner}`")]
    #[diagnostic(code(E0605), help("remove one of them"))]
    DuplicateMember {
        name: String,
        owner: String,
        #[label("repeated here")]
        span: SourceSpan,
    },

    #[error("unknown attribute `{name}`")]
    #[diagnostic(code(E0606))]
    UnknownAttribute {
        name: String,
        #[label("not an attribute of queries or actions")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name} = ...` expects {expected}")]
    #[diagnostic(code(E0607))]
    InvalidAttribute {
        name: String,
        expected: String,
        #[label("not {expected}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` does not apply to queries")]
    #[diagnostic(code(E0608), help("queries only read; they take `rate` and, if stated, `effect = read`"))]
    NotForQueries {
        name: String,
        #[label("an action's attribute")]
        span: SourceSpan,
    },

    #[error("action `{action}` does not say what it does to the world")]
    #[diagnostic(code(E0609), help("add `effect = read`, `mutate`, `disrupt` or `destroy` to its attributes"))]
    MissingEffect {
        action: String,
        #[label("no `effect`")]
        span: SourceSpan,
    },

    #[error("action `{action}` changes the world but does not say how a dry run treats it")]
    #[diagnostic(code(E0610), help("add `dry_run = native`, `simulated` or `unsupported`; dry runs must never guess"))]
    MissingDryRun {
        action: String,
        #[label("no `dry_run`")]
        span: SourceSpan,
    },

    #[error("`{name}` calls a cloud but has no rate-limit class")]
    #[diagnostic(code(E0611), help("add a class such as `rate = \"ec2.mutating\"`"))]
    MissingRate {
        name: String,
        #[label("no `rate`")]
        span: SourceSpan,
    },

    #[error("`undo` names `{undo}`, which is not a declared action")]
    #[diagnostic(code(E0612))]
    UnknownUndo {
        undo: String,
        #[label("no such action")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`implements` names `{implements}`, which is not a cloud-agnostic {kind}")]
    #[diagnostic(code(E0622))]
    UnknownImplements {
        implements: String,
        /// `action` or `query`: what the implementing callable is, and so what it must implement.
        kind: &'static str,
        #[label("no such agnostic {kind}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{implements}` already has an implementation on {cloud}: `{first}`")]
    #[diagnostic(
        code(E0623),
        help("one callable per cloud implements an agnostic action or query; remove one `implements`")
    )]
    ImplementedTwice {
        implements: String,
        cloud: String,
        first: String,
        #[label("a second implementation")]
        span: SourceSpan,
    },

    #[error("`implements` maps `{param}`, which `{owner}` does not take")]
    #[diagnostic(
        code(E0624),
        help(
            "write `AGNOSTIC(agnostic_param = own_param)` with a parameter of each side, or `own_param = literal` \
             with one of this callable's"
        )
    )]
    UnknownImplementsParam {
        param: String,
        owner: String,
        #[label("unknown parameter")]
        span: SourceSpan,
    },

    #[error("`implements` sets `{param}` to a value that is not `{expected}`")]
    #[diagnostic(
        code(E0625),
        help("a fixed argument is a literal of the parameter's type, such as `true`, `0` or `\"running\"`")
    )]
    FixedArgumentType {
        param: String,
        expected: String,
        #[label("does not fit `{expected}`")]
        span: SourceSpan,
    },

    #[error("the agnostic query `{agnostic}` is implemented on {implemented} but not on {missing}")]
    #[diagnostic(
        code(E0626),
        help(
            "implement it on aws, azure and gcp, or on none: a provider answers an agnostic query under its own \
             name only when no cloud's query implements it"
        )
    )]
    PartlyImplementedQuery {
        agnostic: String,
        implemented: String,
        missing: String,
        #[label("one implementation; there is none on {missing}")]
        span: SourceSpan,
    },

    #[error("`{undo}` cannot undo `{action}`: it takes {found} as targets, not {expected}")]
    #[diagnostic(code(E0613), help("an undo action must take the same targets as the action it reverses"))]
    UndoTargetsDiffer {
        action: String,
        undo: String,
        expected: String,
        found: String,
        #[label("takes different targets")]
        span: SourceSpan,
    },

    #[error("`targets` names `{name}`, which is not a parameter of `{action}`")]
    #[diagnostic(code(E0614))]
    UnknownTargets {
        name: String,
        action: String,
        #[label("no such parameter")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("the targets parameter `{name}` has type `{found}`, not a list of resources")]
    #[diagnostic(
        code(E0615),
        help("targets are a `list<R>` where R is a resource or interface, such as `list<aws.ec2.Instance>`")
    )]
    TargetsNotResources {
        name: String,
        found: String,
        #[label("not a list of resources")]
        span: SourceSpan,
    },

    #[error("destructive action `{action}` does not say which parameter holds its targets")]
    #[diagnostic(code(E0616), help("add `targets = PARAM`; a destroy's blast radius must be known to check it"))]
    DestroyWithoutTargets {
        action: String,
        #[label("no `targets`")]
        span: SourceSpan,
    },

    #[error("`{name}` is not an interface")]
    #[diagnostic(code(E0617))]
    UnknownInterface {
        name: String,
        #[label("a resource implements interfaces only")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("resource `{resource}` lacks the field `{field}` of interface `{interface}`")]
    #[diagnostic(code(E0618), help("add `{field}: {ty}` to the resource"))]
    MissingInterfaceField {
        resource: String,
        interface: String,
        field: String,
        ty: String,
        #[label("does not implement `{interface}` fully")]
        span: SourceSpan,
    },

    #[error("field `{field}` is `{found}` here but `{expected}` in interface `{interface}`")]
    #[diagnostic(code(E0619), help("a resource declares each field of its interfaces with the same type"))]
    InterfaceFieldType {
        field: String,
        interface: String,
        expected: String,
        found: String,
        #[label("should be `{expected}`")]
        span: SourceSpan,
    },

    #[error("the default of `{param}` is not a literal of type `{expected}`")]
    #[diagnostic(
        code(E0620),
        help("a default is a literal of the parameter's type, such as `[]`, `{{}}`, `\"\"`, `30d` or `none`")
    )]
    BadDefault {
        param: String,
        expected: String,
        #[label("does not fit `{expected}`")]
        span: SourceSpan,
    },

    #[error("`outcome<{found}>` is not over resources")]
    #[diagnostic(
        code(E0621),
        help("an outcome lists the resources an action touched: `outcome<R>` where R is a resource or interface")
    )]
    OutcomeOfNonResource {
        found: String,
        #[label("not a resource or interface")]
        span: SourceSpan,
    },
}
