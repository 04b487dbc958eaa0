//! From pest's pairs to the AST. Pairs of a successful parse have the shape the grammar promises, so the
//! lowering walks them directly; the few checks pest cannot make (escapes, number ranges, "a step is a call")
//! become [`ParseError`]s here.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::error::ParseError;
use super::grammar::Rule;
use crate::span::Span;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::eq_op, Assoc::Left)
            | Op::infix(Rule::ne_op, Assoc::Left)
            | Op::infix(Rule::lt_op, Assoc::Left)
            | Op::infix(Rule::le_op, Assoc::Left)
            | Op::infix(Rule::gt_op, Assoc::Left)
            | Op::infix(Rule::ge_op, Assoc::Left)
            | Op::infix(Rule::in_op, Assoc::Left))
        .op(Op::infix(Rule::concat_op, Assoc::Left))
});

/// Brackets may nest this deep: deeper input is refused before pest sees it (and type arguments, which that
/// count cannot tell from `<`, while the tree is built), so recursion stays bounded.
pub const MAX_NESTING: usize = 64;

/// The deepest an expression tree may grow: operators, field accesses and nested expressions on the way down
/// all count. Later passes walk expressions recursively, so this bounds their stack.
pub const MAX_EXPRESSION_SIZE: usize = 200;

pub(crate) struct Lowerer<'s> {
    /// The whole file's text, for messages.
    #[allow(dead_code)]
    src: &'s str,
    /// Where the text being lowered starts in the file (the recovery driver parses slices).
    pub base: usize,
    pub errors: Vec<ParseError>,
    /// Names defined by members left out of the tree because lowering them found an error.
    pub unparsed_names: Vec<String>,
    /// An upper bound of the depth, in the tree being built, of whatever is lowered next. Shared with the Pratt
    /// parser's operator closures, which cannot borrow the lowerer.
    depth: std::rc::Rc<std::cell::Cell<usize>>,
    /// How deep in type arguments (`list<list<...>>`) lowering is. `<` is also an operator, so the bracket count
    /// made before parsing cannot see these; this bounds them instead.
    type_depth: usize,
}

/// The next inner pair; the grammar guarantees it exists whenever this is called.
fn next<'i>(pairs: &mut Pairs<'i, Rule>) -> Pair<'i, Rule> {
    pairs.next().unwrap_or_else(|| unreachable!("the grammar guarantees this pair"))
}

impl<'s> Lowerer<'s> {
    pub fn new(src: &'s str, base: usize) -> Self {
        Lowerer { src, base, errors: Vec::new(), unparsed_names: Vec::new(), depth: Default::default(), type_depth: 0 }
    }

    /// The pair's span without the whitespace pest's implicit skipping may leave at its end, so labels and fixes
    /// cover exactly the text.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        let trimmed = pair.as_str().trim_end().len();
        Span::new(span.start(), span.start() + trimmed).offset_by(self.base)
    }

    pub fn doc_lines(pair: Pair<'_, Rule>) -> Docs {
        pair.into_inner()
            .map(|line| {
                let text = line.as_str();
                let text = text.strip_prefix("///").or_else(|| text.strip_prefix("//!")).unwrap_or(text);
                text.strip_prefix(' ').unwrap_or(text).trim_end().to_string()
            })
            .collect()
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident { name: pair.as_str().to_string(), span: self.span(&pair) }
    }

    fn path(&self, pair: Pair<'_, Rule>) -> Path {
        let span = self.span(&pair);
        Path { segments: pair.into_inner().map(|p| self.ident(p)).collect(), span }
    }

    // ---- files ----

    pub fn playbook_file(&mut self, pair: Pair<'_, Rule>) -> PlaybookFile {
        let mut inner = pair.into_inner();
        let docs = Self::doc_lines(next(&mut inner));
        let mut uses = Vec::new();
        let mut playbook = None;
        for pair in inner {
            match pair.as_rule() {
                Rule::use_decl => uses.push(self.use_decl(pair)),
                Rule::playbook => playbook = Some(self.playbook(pair)),
                _ => {}
            }
        }
        let playbook = playbook.unwrap_or_else(|| unreachable!("a playbook file has a playbook"));
        PlaybookFile { docs, uses, playbook }
    }

    pub fn use_decl(&mut self, pair: Pair<'_, Rule>) -> Use {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let path = self.string_literal(next(&mut inner));
        let alias = inner.next().map(|p| self.ident(p));
        Use { path, alias, span }
    }

    fn playbook(&mut self, pair: Pair<'_, Rule>) -> Playbook {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let (docs, kind, name) = self.playbook_head(next(&mut inner));
        let members = inner.filter_map(|m| self.checked_member(m)).collect();
        Playbook { docs, kind, name, members, span }
    }

    pub fn playbook_head(&mut self, pair: Pair<'_, Rule>) -> (Docs, PlaybookKind, Ident) {
        let mut inner = pair.into_inner();
        let docs = Self::doc_lines(next(&mut inner));
        let kind = match next(&mut inner).as_str() {
            "template" => PlaybookKind::Template,
            _ => PlaybookKind::Playbook,
        };
        let name = self.ident(next(&mut inner));
        (docs, kind, name)
    }

    /// A member, or `None` when lowering it found an error: the tree then holds only members later passes can
    /// check without reporting the same mistake again, and the name it defines is kept in `unparsed_names`.
    pub fn checked_member(&mut self, pair: Pair<'_, Rule>) -> Option<Member> {
        let errors_before = self.errors.len();
        let member = self.member(pair);
        if self.errors.len() == errors_before {
            return Some(member);
        }
        self.unparsed_names.extend(member.defined_name().map(|name| name.name.clone()));
        None
    }

    fn member(&mut self, pair: Pair<'_, Rule>) -> Member {
        let pair = next(&mut pair.into_inner());
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let docs = Self::doc_lines(next(&mut inner));
        match rule {
            Rule::schedule => {
                let kind = self.ident(next(&mut inner));
                let args = inner.next().map(|a| self.arg_list(a)).unwrap_or_default();
                Member::Schedule(Schedule { docs, kind, args, span })
            }
            Rule::param => {
                let name = self.ident(next(&mut inner));
                let ty = self.type_expr(next(&mut inner));
                let mut constraint = None;
                let mut default = None;
                for pair in inner {
                    match pair.as_rule() {
                        Rule::constraint => constraint = Some(self.constraint(pair)),
                        _ => default = Some(self.expr(pair)),
                    }
                }
                Member::Param(Param { docs, name, ty, constraint, default, span })
            }
            Rule::let_binding => {
                let name = self.ident(next(&mut inner));
                let mut ty = None;
                let mut value = None;
                for pair in inner {
                    match pair.as_rule() {
                        Rule::type_expr => ty = Some(self.type_expr(pair)),
                        _ => value = Some(self.expr(pair)),
                    }
                }
                let value = value.unwrap_or_else(|| unreachable!("a let has a value"));
                Member::Let(Let { docs, name, ty, value, span })
            }
            _ => Member::Step(self.step(docs, span, inner)),
        }
    }

    fn step(&mut self, docs: Docs, span: Span, mut inner: Pairs<'_, Rule>) -> Step {
        let name = self.ident(next(&mut inner));
        let mut after = Vec::new();
        let mut body = None;
        let mut options = Vec::new();
        for pair in inner {
            match pair.as_rule() {
                Rule::after_clause => after.extend(pair.into_inner().map(|p| self.ident(p))),
                Rule::step_body => body = Some(self.step_body(pair)),
                Rule::step_options => {
                    for option in pair.into_inner() {
                        let option_span = self.span(&option);
                        let mut parts = option.into_inner();
                        let name = self.ident(next(&mut parts));
                        let value = self.expr(next(&mut parts));
                        options.push(StepOption { name, value, span: option_span });
                    }
                }
                _ => {}
            }
        }
        let body = body.unwrap_or_else(|| unreachable!("a step has a body"));
        Step { docs, name, after, body, options, span }
    }

    fn step_body(&mut self, pair: Pair<'_, Rule>) -> StepBody {
        let pair = next(&mut pair.into_inner());
        match pair.as_rule() {
            Rule::for_each => {
                let mut inner = pair.into_inner();
                let var = self.ident(next(&mut inner));
                let over = self.expr(next(&mut inner));
                let call = self.expect_call(next(&mut inner));
                StepBody::ForEach { var, over, call }
            }
            Rule::script => {
                let span = self.span(&pair);
                let mut args = Vec::new();
                let mut output = None;
                let mut body = (String::new(), Span::default());
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::arg_list => args = self.arg_list(part),
                        Rule::type_expr => output = Some(self.type_expr(part)),
                        Rule::rhai_block => {
                            let code = next(&mut part.into_inner());
                            body = (code.as_str().to_string(), self.span(&code));
                        }
                        _ => {}
                    }
                }
                let output = output.unwrap_or_else(|| unreachable!("a script declares its output"));
                StepBody::Script(Script { args, output, body: body.0, body_span: body.1, span })
            }
            _ => StepBody::Call(self.expect_call(pair)),
        }
    }

    /// Lowers a postfix expression that must be a call (a step's action).
    fn expect_call(&mut self, pair: Pair<'_, Rule>) -> Call {
        let expr = self.postfix(pair);
        let span = expr.span;
        match expr.kind {
            ExprKind::Call(call) => call,
            _ => {
                self.errors.push(ParseError::StepNotACall { span: span.into() });
                Call { callee: Path { segments: Vec::new(), span }, args: Vec::new(), span }
            }
        }
    }

    fn constraint(&mut self, pair: Pair<'_, Rule>) -> Constraint {
        let pair = next(&mut pair.into_inner());
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::range_bound => {
                let mut inner = pair.into_inner();
                let low = self.atom(next(&mut inner));
                let inclusive = next(&mut inner).as_str() == "..=";
                let high = self.atom(next(&mut inner));
                Constraint::Range { low, high, inclusive, span }
            }
            Rule::one_of => {
                let list = self.atom(next(&mut pair.into_inner()));
                let values = match list.kind {
                    ExprKind::List(values) => values,
                    other => vec![Expr { kind: other, span: list.span }],
                };
                Constraint::OneOf { values, span }
            }
            _ => {
                let regex = self.string_literal(next(&mut pair.into_inner()));
                Constraint::Pattern { regex, span }
            }
        }
    }

    // ---- types ----

    pub fn type_expr(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let pair = next(&mut pair.into_inner());
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::record_type => {
                TypeExpr::Record { fields: pair.into_inner().map(|f| self.field_type(f)).collect(), span }
            }
            _ => {
                let mut inner = pair.into_inner();
                let path = self.path(next(&mut inner));
                if inner.peek().is_some() && self.type_depth >= MAX_NESTING {
                    // Reported at the outermost type past the limit; what it holds is left out.
                    self.errors.push(ParseError::TooDeep { limit: MAX_NESTING, span: span.into() });
                    return TypeExpr::Named { path, args: Vec::new(), span };
                }
                self.type_depth += 1;
                let args = inner.map(|a| self.type_expr(a)).collect();
                self.type_depth -= 1;
                TypeExpr::Named { path, args, span }
            }
        }
    }

    fn field_type(&mut self, pair: Pair<'_, Rule>) -> FieldType {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let docs = Self::doc_lines(next(&mut inner));
        let name = self.ident(next(&mut inner));
        let ty = self.type_expr(next(&mut inner));
        FieldType { docs, name, ty, span }
    }

    // ---- expressions ----

    pub fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let outer = self.depth.get();
        if outer >= MAX_EXPRESSION_SIZE {
            // Only an enclosing operator chain or field chain can have used up the depth (brackets nest at most
            // MAX_NESTING deep); it reports the error once, for the whole expression.
            return Expr { kind: ExprKind::None, span };
        }
        self.depth.set(outer + 1);
        let too_deep = std::cell::Cell::new(None);
        let expr = self.pratt(pair, &too_deep);
        self.depth.set(outer);
        if let Some(operator) = too_deep.get() {
            self.errors.push(ParseError::ExpressionTooLarge { limit: MAX_EXPRESSION_SIZE, span: operator.into() });
            return Expr { kind: ExprKind::None, span };
        }
        expr
    }

    /// Operators by precedence. Each operator deepens what follows it; past the limit operands are dropped
    /// rather than nested, so an over-long chain never becomes a deep tree (`expr` then reports it).
    /// `too_deep` gets the span of the first operator past the limit.
    fn pratt(&mut self, pair: Pair<'_, Rule>, too_deep: &std::cell::Cell<Option<Span>>) -> Expr {
        let base = self.base;
        let depth = self.depth.clone();
        let over = |operator: &Pair<'_, Rule>| {
            depth.set(depth.get() + 1);
            let over = depth.get() >= MAX_EXPRESSION_SIZE;
            if over && too_deep.get().is_none() {
                too_deep.set(Some(Span::from(operator.as_span()).offset_by(base)));
            }
            over
        };
        PRATT
            .map_primary(|primary| self.postfix(primary))
            .map_prefix(|op, operand| {
                if over(&op) {
                    return operand;
                }
                let span = Span::from(op.as_span()).offset_by(base).to(operand.span);
                Expr { kind: ExprKind::Unary(UnaryOp::Not, Box::new(operand)), span }
            })
            .map_infix(|left, op, right| {
                if over(&op) {
                    return left;
                }
                let op = match op.as_rule() {
                    Rule::or_op => BinaryOp::Or,
                    Rule::and_op => BinaryOp::And,
                    Rule::eq_op => BinaryOp::Eq,
                    Rule::ne_op => BinaryOp::Ne,
                    Rule::lt_op => BinaryOp::Lt,
                    Rule::le_op => BinaryOp::Le,
                    Rule::gt_op => BinaryOp::Gt,
                    Rule::ge_op => BinaryOp::Ge,
                    Rule::in_op => BinaryOp::In,
                    _ => BinaryOp::Concat,
                };
                let span = left.span.to(right.span);
                Expr { kind: ExprKind::Binary(op, Box::new(left), Box::new(right)), span }
            })
            .parse(pair.into_inner())
    }

    /// An atom followed by field accesses and calls. A call's callee must be a dotted name.
    fn postfix(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let mut inner = pair.into_inner();
        let outer = self.depth.get();
        let mut expr = self.atom(next(&mut inner));
        for suffix in inner {
            self.depth.set(self.depth.get() + 1);
            if self.depth.get() >= MAX_EXPRESSION_SIZE {
                let span = self.span(&suffix);
                self.errors.push(ParseError::ExpressionTooLarge { limit: MAX_EXPRESSION_SIZE, span: span.into() });
                break;
            }
            let suffix_span = self.span(&suffix);
            let span = expr.span.to(suffix_span);
            match suffix.as_rule() {
                Rule::field_suffix => {
                    let field = self.ident(next(&mut suffix.into_inner()));
                    expr = Expr { kind: ExprKind::Field(Box::new(expr), field), span };
                }
                _ => {
                    let args = suffix.into_inner().next().map(|a| self.arg_list(a)).unwrap_or_default();
                    let callee = match as_path(&expr) {
                        Some(path) => path,
                        None => {
                            self.errors.push(ParseError::NotCallable { span: expr.span.into() });
                            Path { segments: Vec::new(), span: expr.span }
                        }
                    };
                    expr = Expr { kind: ExprKind::Call(Call { callee, args, span }), span };
                }
            }
        }
        self.depth.set(outer);
        expr
    }

    fn arg_list(&mut self, pair: Pair<'_, Rule>) -> Vec<Arg> {
        pair.into_inner()
            .map(|arg| {
                let span = self.span(&arg);
                let mut inner = arg.into_inner();
                let first = next(&mut inner);
                match inner.next() {
                    Some(value) => Arg { name: Some(self.ident(first)), value: self.expr(value), span },
                    None => Arg { name: None, value: self.expr(first), span },
                }
            })
            .collect()
    }

    fn atom(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::int => match pair.as_str().parse::<i64>() {
                Ok(n) => ExprKind::Int(n),
                Err(_) => {
                    self.errors.push(ParseError::NumberOutOfRange { text: pair.as_str().into(), span: span.into() });
                    ExprKind::Int(0)
                }
            },
            Rule::float => ExprKind::Float(pair.as_str().parse::<f64>().unwrap_or(0.0)),
            Rule::duration => match parse_duration(pair.as_str()) {
                Some(ms) => ExprKind::Duration(ms),
                None => {
                    self.errors.push(ParseError::DurationOutOfRange { text: pair.as_str().into(), span: span.into() });
                    ExprKind::Duration(0)
                }
            },
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::none_lit => ExprKind::None,
            Rule::string => ExprKind::Str(self.string_parts(pair)),
            Rule::ident => ExprKind::Name(self.ident(pair)),
            Rule::paren => return self.expr(next(&mut pair.into_inner())),
            Rule::record => ExprKind::Record(
                pair.into_inner()
                    .map(|field| {
                        let mut inner = field.into_inner();
                        let key = next(&mut inner);
                        let quoted = key.as_rule() == Rule::string;
                        let key = if quoted {
                            let lit = self.string_literal(key);
                            Ident { name: lit.value, span: lit.span }
                        } else {
                            self.ident(key)
                        };
                        RecordField { key, quoted, value: self.expr(next(&mut inner)) }
                    })
                    .collect(),
            ),
            Rule::list => {
                let mut inner = pair.into_inner();
                match (inner.next(), inner.next()) {
                    (Some(first), Some(rest)) if rest.as_rule() == Rule::comprehension => {
                        let elem = Box::new(self.expr(first));
                        let mut rest = rest.into_inner();
                        let var = self.ident(next(&mut rest));
                        let iter = Box::new(self.expr(next(&mut rest)));
                        let cond = rest.next().map(|c| Box::new(self.expr(c)));
                        ExprKind::Comprehension { elem, var, iter, cond }
                    }
                    (Some(first), rest) => {
                        let mut items = vec![self.expr(first)];
                        items.extend(rest.into_iter().flat_map(|r| r.into_inner()).map(|e| self.expr(e)));
                        ExprKind::List(items)
                    }
                    (None, _) => ExprKind::List(Vec::new()),
                }
            }
            _ => return self.expr(pair),
        };
        Expr { kind, span }
    }

    fn string_parts(&mut self, pair: Pair<'_, Rule>) -> Vec<StrPart> {
        let mut parts: Vec<StrPart> = Vec::new();
        let mut text = String::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::string_text => text.push_str(part.as_str()),
                Rule::escape => match unescape(part.as_str()) {
                    Some(c) => text.push(c),
                    None => {
                        let span = self.span(&part);
                        self.errors.push(ParseError::InvalidEscape { escape: part.as_str().into(), span: span.into() });
                    }
                },
                _ => {
                    if !text.is_empty() {
                        parts.push(StrPart::Text(std::mem::take(&mut text)));
                    }
                    parts.push(StrPart::Interp(self.expr(next(&mut part.into_inner()))));
                }
            }
        }
        if !text.is_empty() || parts.is_empty() {
            parts.push(StrPart::Text(text));
        }
        parts
    }

    /// A string that must not interpolate (paths, patterns, enum values); interpolations are kept as text.
    fn string_literal(&mut self, pair: Pair<'_, Rule>) -> StringLit {
        let span = self.span(&pair);
        let raw = pair.as_str();
        let parts = self.string_parts(pair);
        let value = match parts.as_slice() {
            [StrPart::Text(text)] => text.clone(),
            _ => raw.trim_matches('"').to_string(),
        };
        StringLit { value, span }
    }

    // ---- declaration files ----

    pub fn declaration_file(&mut self, pair: Pair<'_, Rule>) -> DeclarationFile {
        let mut inner = pair.into_inner();
        let docs = Self::doc_lines(next(&mut inner));
        let declarations = inner.filter(|p| p.as_rule() == Rule::declaration).map(|p| self.declaration(p)).collect();
        DeclarationFile { docs, declarations }
    }

    fn declaration(&mut self, pair: Pair<'_, Rule>) -> Declaration {
        let pair = next(&mut pair.into_inner());
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let docs = Self::doc_lines(next(&mut inner));
        match rule {
            Rule::enum_decl => {
                let name = self.path(next(&mut inner));
                let values = inner.map(|v| self.string_literal(v)).collect();
                Declaration::Enum { docs, name, values, span }
            }
            Rule::interface_decl => {
                let name = self.path(next(&mut inner));
                let fields = inner.map(|f| self.field_type(f)).collect();
                Declaration::Interface { docs, name, fields, span }
            }
            Rule::resource_decl => {
                let name = self.path(next(&mut inner));
                let mut implements = Vec::new();
                let mut fields = Vec::new();
                for part in inner {
                    match part.as_rule() {
                        Rule::path => implements.push(self.path(part)),
                        _ => fields.push(self.field_type(part)),
                    }
                }
                Declaration::Resource { docs, name, implements, fields, span }
            }
            _ => {
                let kind = match next(&mut inner).as_str() {
                    "query" => CallableKind::Query,
                    _ => CallableKind::Action,
                };
                let name = self.path(next(&mut inner));
                let mut params = Vec::new();
                let mut returns = None;
                let mut attrs = Vec::new();
                for part in inner {
                    match part.as_rule() {
                        Rule::param_decl => {
                            let span = self.span(&part);
                            let mut p = part.into_inner();
                            let docs = Self::doc_lines(next(&mut p));
                            let name = self.ident(next(&mut p));
                            let ty = self.type_expr(next(&mut p));
                            let default = p.next().map(|d| self.expr(d));
                            params.push(ParamDecl { docs, name, ty, default, span });
                        }
                        Rule::type_expr => returns = Some(self.type_expr(part)),
                        _ => {
                            for attr in part.into_inner() {
                                let span = self.span(&attr);
                                let mut a = attr.into_inner();
                                let name = self.ident(next(&mut a));
                                let value = self.expr(next(&mut a));
                                attrs.push(StepOption { name, value, span });
                            }
                        }
                    }
                }
                let returns = returns.unwrap_or_else(|| unreachable!("a callable declares its result"));
                Declaration::Callable(CallableDecl { docs, kind, name, params, returns, attrs, span })
            }
        }
    }
}

/// A chain of names joined by field accesses, read as a dotted path.
fn as_path(expr: &Expr) -> Option<Path> {
    match &expr.kind {
        ExprKind::Name(ident) => Some(Path { segments: vec![ident.clone()], span: expr.span }),
        ExprKind::Field(base, field) => {
            let mut path = as_path(base)?;
            path.segments.push(field.clone());
            path.span = expr.span;
            Some(path)
        }
        _ => None,
    }
}

fn unescape(escape: &str) -> Option<char> {
    match escape {
        "\\\"" => Some('"'),
        "\\\\" => Some('\\'),
        "\\n" => Some('\n'),
        "\\t" => Some('\t'),
        "\\r" => Some('\r'),
        "\\$" => Some('$'),
        _ => None,
    }
}

/// `1h30m` in milliseconds, or `None` on overflow.
pub fn parse_duration(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit_ms: u64 = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            'w' => 604_800_000,
            _ => return None,
        };
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        total = total.checked_add(n.checked_mul(unit_ms)?)?;
    }
    Some(total)
}
