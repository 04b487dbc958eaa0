//! The syntax tree. Every node carries the [`Span`] of its text; nothing here is resolved or typed yet.

use crate::span::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A dotted name such as `aws.ec2.Instance`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

/// Doc comment lines (`///` or `//!`), without their markers, in source order.
pub type Docs = Vec<String>;

/// A playbook file: its docs, imports and the one playbook or template it defines.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaybookFile {
    pub docs: Docs,
    pub uses: Vec<Use>,
    pub playbook: Playbook,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    pub path: StringLit,
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaybookKind {
    Playbook,
    Template,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Playbook {
    pub docs: Docs,
    pub kind: PlaybookKind,
    pub name: Ident,
    pub members: Vec<Member>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    Schedule(Schedule),
    Param(Param),
    Let(Let),
    Step(Step),
}

impl Member {
    /// The name the member defines in the playbook's namespace; a schedule defines none.
    pub fn defined_name(&self) -> Option<&Ident> {
        match self {
            Member::Schedule(_) => None,
            Member::Param(p) => Some(&p.name),
            Member::Let(l) => Some(&l.name),
            Member::Step(s) => Some(&s.name),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Member::Schedule(s) => s.span,
            Member::Param(p) => p.span,
            Member::Let(l) => l.span,
            Member::Step(s) => s.span,
        }
    }
}

/// `schedule cron("0 20 * * MON-FRI", tz = "Europe/London")`
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub docs: Docs,
    pub kind: Ident,
    pub args: Vec<Arg>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub docs: Docs,
    pub name: Ident,
    pub ty: TypeExpr,
    pub constraint: Option<Constraint>,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// `in LO..=HI` or `in LO..HI`
    Range { low: Expr, high: Expr, inclusive: bool, span: Span },
    /// `in ["a", "b"]`
    OneOf { values: Vec<Expr>, span: Span },
    /// `matches "regex"`
    Pattern { regex: StringLit, span: Span },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub docs: Docs,
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub docs: Docs,
    pub name: Ident,
    /// Names from the `after (a, b)` clause.
    pub after: Vec<Ident>,
    pub body: StepBody,
    pub options: Vec<StepOption>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepBody {
    /// `aws.ec2.stop(ec2)`
    Call(Call),
    /// `for db in dbs: aws.rds.snapshot(db)`
    ForEach { var: Ident, over: Expr, call: Call },
    /// `script(x = y) -> list<string> { rhai }`
    Script(Script),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub args: Vec<Arg>,
    pub output: TypeExpr,
    pub body: String,
    /// Span of the rhai text between the braces.
    pub body_span: Span,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepOption {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub callee: Path,
    pub args: Vec<Arg>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    Named { path: Path, args: Vec<TypeExpr>, span: Span },
    Record { fields: Vec<FieldType>, span: Span },
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named { span, .. } | TypeExpr::Record { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldType {
    pub docs: Docs,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A string; a plain literal has one `Text` part.
    Str(Vec<StrPart>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A duration in milliseconds.
    Duration(u64),
    None,
    List(Vec<Expr>),
    Record(Vec<RecordField>),
    Name(Ident),
    Field(Box<Expr>, Ident),
    /// A call of a query or built-in function; the callee is a dotted name.
    Call(Call),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `[elem for var in iter if cond]`
    Comprehension {
        elem: Box<Expr>,
        var: Ident,
        iter: Box<Expr>,
        cond: Option<Box<Expr>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    Text(String),
    Interp(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordField {
    pub key: Ident,
    /// Whether the key was written as a string (`"cost-center": ...`).
    pub quoted: bool,
    pub value: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Concat,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Concat => "++",
        }
    }
}

// ---- declaration files (the stdlib) ----

#[derive(Debug, Clone, PartialEq)]
pub struct DeclarationFile {
    pub docs: Docs,
    pub declarations: Vec<Declaration>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Declaration {
    /// `enum aws.region { "us-east-1", ... }`: a string type with a closed set of values.
    Enum { docs: Docs, name: Path, values: Vec<StringLit>, span: Span },
    /// `interface compute.Instance { id: string, ... }`
    Interface { docs: Docs, name: Path, fields: Vec<FieldType>, span: Span },
    /// `resource aws.ec2.Instance: compute.Instance { ... }`
    Resource { docs: Docs, name: Path, implements: Vec<Path>, fields: Vec<FieldType>, span: Span },
    /// `action aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> { effect = disrupt }`
    Callable(CallableDecl),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallableKind {
    Action,
    Query,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallableDecl {
    pub docs: Docs,
    pub kind: CallableKind,
    pub name: Path,
    pub params: Vec<ParamDecl>,
    pub returns: TypeExpr,
    pub attrs: Vec<StepOption>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    pub docs: Docs,
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}
