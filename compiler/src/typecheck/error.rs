//! Errors of the type checker (codes E03xx).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum TypeError {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(E0301))]
    Mismatch {
        expected: String,
        found: String,
        #[label("this is {found}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("{ty} has no field `{field}`")]
    #[diagnostic(code(E0302))]
    UnknownField {
        ty: String,
        field: String,
        #[label("unknown field")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{callee}` has no parameter `{name}`")]
    #[diagnostic(code(E0303))]
    UnknownArgument {
        callee: String,
        name: String,
        #[label("unknown argument")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{callee}` needs the argument `{name}`")]
    #[diagnostic(code(E0304), help("add `{name} = ...` to the call"))]
    MissingArgument {
        callee: String,
        name: String,
        #[label("missing `{name}`")]
        span: SourceSpan,
    },

    #[error("the argument `{name}` is given twice")]
    #[diagnostic(code(E0305), help("remove one of them"))]
    DuplicateArgument {
        name: String,
        #[label("given again here")]
        span: SourceSpan,
    },

    #[error("`{callee}` takes {max} argument(s) by position, but this is number {position}")]
    #[diagnostic(code(E0306), help("name the argument, as in `name = value`, or remove it"))]
    TooManyArguments {
        callee: String,
        max: usize,
        position: usize,
        #[label("extra argument")]
        span: SourceSpan,
    },

    #[error("\"{value}\" is not one of the values of {ty}")]
    #[diagnostic(code(E0307))]
    NotAnEnumValue {
        value: String,
        ty: String,
        #[label("unknown {ty}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{op}` cannot be applied to {left} and {right}")]
    #[diagnostic(code(E0308), help("{help}"))]
    BadOperands {
        op: String,
        left: String,
        right: String,
        help: String,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("a secret cannot be {usage}")]
    #[diagnostic(
        code(E0309),
        help(
            "secrets may only be passed to action parameters of type secret<string>; they are never printed, compared or copied"
        )
    )]
    SecretMisuse {
        usage: String,
        #[label("secret used here")]
        span: SourceSpan,
    },

    #[error("the default of `{param}` does not satisfy its constraint: {reason}")]
    #[diagnostic(code(E0310), help("change the default or widen the constraint"))]
    DefaultOutsideConstraint {
        param: String,
        reason: String,
        #[label("this default")]
        span: SourceSpan,
    },

    #[error("a {constraint} constraint does not apply to {ty}")]
    #[diagnostic(
        code(E0311),
        help(
            "ranges apply to int, float and duration; `matches` to string; `in [...]` lists values of the parameter's type"
        )
    )]
    ConstraintOnWrongType {
        constraint: String,
        ty: String,
        #[label("does not apply")]
        span: SourceSpan,
    },

    #[error("invalid regular expression: {reason}")]
    #[diagnostic(code(E0312), help("patterns use Rust regex syntax (like RE2); no look-around or back-references"))]
    BadPattern {
        reason: String,
        #[label("this pattern")]
        span: SourceSpan,
    },

    #[error("the script does not parse: {reason}")]
    #[diagnostic(code(E0313), help("script bodies are rhai; see https://rhai.rs/book/"))]
    ScriptSyntax {
        reason: String,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("`{option}` {problem}")]
    #[diagnostic(code(E0314))]
    BadOptionValue {
        option: String,
        problem: String,
        #[label("invalid value")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("invalid cron expression: {reason}")]
    #[diagnostic(
        code(E0315),
        help("five fields: minute hour day-of-month month day-of-week, as in \"0 20 * * MON-FRI\"")
    )]
    BadCron {
        reason: String,
        #[label("this expression")]
        span: SourceSpan,
    },

    #[error("invalid cron expression: the {field} field is `{value}`, which is not within {range}")]
    #[diagnostic(
        code(E0315),
        help("the {field} field takes {range}; the five fields are minute hour day-of-month month day-of-week")
    )]
    BadCronField {
        field: &'static str,
        value: String,
        range: &'static str,
        #[label("the {field} field")]
        span: SourceSpan,
    },

    #[error("unknown time zone \"{zone}\"")]
    #[diagnostic(code(E0316))]
    UnknownTimeZone {
        zone: String,
        #[label("not an IANA time zone")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("a parameter cannot be a secret")]
    #[diagnostic(
        code(E0317),
        help("secrets are read with `secret(\"name\")` where they are used, so their values never enter plans")
    )]
    SecretParam {
        #[label("secret type")]
        span: SourceSpan,
    },

    #[error("`{name}` is a query: bind it with `let`, not `step`")]
    #[diagnostic(code(E0318), help("write `let {binding} = {name}(...)`; steps run actions"))]
    QueryInStep {
        name: String,
        binding: String,
        #[label("a query")]
        span: SourceSpan,
    },

    #[error("`{name}` is an action: run it as a `step`")]
    #[diagnostic(code(E0319), help("write `step {binding} = {name}(...)`; expressions cannot change the world"))]
    ActionInExpression {
        name: String,
        binding: String,
        #[label("an action")]
        span: SourceSpan,
    },

    #[error("\"{text}\" is not an RFC 3339 date and time")]
    #[diagnostic(code(E0320), help("write it as \"2026-01-31T20:00:00Z\" or with an offset such as +01:00"))]
    BadDatetime {
        text: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
    },

    #[error("`{name}` depends on itself")]
    #[diagnostic(code(E0321), help("a `let` cannot use its own value, directly or through other lets"))]
    RecursiveLet {
        name: String,
        #[label("used here while being defined")]
        span: SourceSpan,
    },

    #[error("`{option}` is not a step option")]
    #[diagnostic(code(E0322))]
    UnknownOption {
        option: String,
        #[label("unknown option")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("the option `{option}` is given twice")]
    #[diagnostic(code(E0323), help("remove one of them"))]
    DuplicateOption {
        option: String,
        #[label("given again here")]
        span: SourceSpan,
    },

    #[error("a query can only be the whole value of a `let`")]
    #[diagnostic(code(E0324), help("bind it first: `let {suggestion} = {name}(...)`, then use `{suggestion}`"))]
    NestedQuery {
        name: String,
        suggestion: String,
        #[label("query called inside an expression")]
        span: SourceSpan,
    },

    #[error("{what} must be written as a literal")]
    #[diagnostic(code(E0325), help("{help}"))]
    NotALiteral {
        what: String,
        help: String,
        #[label("not a literal")]
        span: SourceSpan,
    },

    #[error("unknown schedule kind `{kind}`")]
    #[diagnostic(code(E0326), help("write `schedule cron(\"0 20 * * MON-FRI\", tz = \"Europe/London\")`"))]
    UnknownScheduleKind {
        kind: String,
        #[label("only `cron` is supported")]
        span: SourceSpan,
    },

    #[error("a playbook has at most one schedule")]
    #[diagnostic(code(E0327), help("add further schedules with `escher schedule add`"))]
    DuplicateSchedule {
        #[label("second schedule")]
        span: SourceSpan,
    },

    #[error("an imported playbook can only be called by a step")]
    #[diagnostic(code(E0328), help("write `step NAME = {name}(...)`"))]
    ImportInExpression {
        name: String,
        #[label("imported playbook")]
        span: SourceSpan,
    },
}

/// Errors that complete [`TypeError`]; kept apart only so the enum above reads in code order.
#[derive(Debug, Clone, Error, Diagnostic)]
pub enum CallError {
    #[error("`{name}` is a function, not an action")]
    #[diagnostic(
        code(E0329),
        help("steps run actions, such as `aws.ec2.stop(...)`; use `{name}` inside an expression")
    )]
    FunctionInStep {
        name: String,
        #[label("a function")]
        span: SourceSpan,
    },

    #[error("script inputs must be named")]
    #[diagnostic(code(E0330), help("write `script(name = value) -> TYPE {{ ... }}`; the script sees `name`"))]
    UnnamedScriptInput {
        #[label("unnamed input")]
        span: SourceSpan,
    },
}
