//! Expressions and types. Operators are spaced; parentheses appear only where precedence needs them.

use super::doc::{Doc, concat, flat, group, text};
use super::literals::{duration_text, escape_text, float_text, quoted};
use super::printer::{Brackets, Break, Gap, Printer};
use crate::syntax::ast::{Arg, BinaryOp, Call, Expr, ExprKind, RecordField, StrPart, TypeExpr};

/// How tightly an expression binds, from `or` (loosest) to atoms, as the parser's precedence table has it.
fn precedence(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary(op, ..) => binary_precedence(*op),
        ExprKind::Unary(..) => NOT,
        _ => ATOM,
    }
}

const NOT: u8 = 3;
const ATOM: u8 = 6;

fn binary_precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::In => 4,
        BinaryOp::Concat => 5,
    }
}

/// Whether an operand of a binary operator binding at `outer` needs parentheses. Operators associate to the
/// left, so a right operand of equal precedence needs them. A `not` operand of a comparison or `++` gets them too
/// (`not` binds looser), which also keeps it from taking in the operators that follow it: `a < (not b) == c`.
fn operand_needs_parens(operand: &Expr, outer: u8, is_right: bool) -> bool {
    let inner = precedence(operand);
    inner < outer || (is_right && inner == outer)
}

impl Printer<'_> {
    pub(super) fn expr(&mut self, expr: &Expr) -> Doc {
        match &expr.kind {
            ExprKind::Str(parts) => self.string(parts),
            ExprKind::Int(value) => text(value.to_string()),
            ExprKind::Float(value) => text(float_text(*value, &self.src[expr.span.range()])),
            ExprKind::Bool(value) => text(value.to_string()),
            ExprKind::Duration(millis) => text(duration_text(*millis)),
            ExprKind::None => text("none"),
            ExprKind::Name(ident) => text(ident.name.clone()),
            ExprKind::List(items) => {
                let brackets = Brackets::tight("[", "]", close_of(expr));
                group(self.delimited(brackets, items, |e| e.span.start as usize, Self::expr))
            }
            ExprKind::Record(fields) => {
                let brackets = Brackets::braces(close_of(expr));
                group(self.delimited(brackets, fields, |f| f.key.span.start as usize, Self::record_field))
            }
            ExprKind::Field(..) => self.field_chain(expr),
            ExprKind::Call(call) => group(self.call(call)),
            ExprKind::Unary(..) => self.not_chain(expr),
            ExprKind::Binary(..) => self.operator_chain(expr),
            ExprKind::Comprehension { elem, var, iter, cond } => {
                let mut inner = vec![self.gap(elem.span.start as usize, Gap::element(Break::Soft)), self.expr(elem)];
                inner.push(self.gap(var.span.start as usize, Gap::element(Break::Space)));
                inner.push(text(format!("for {} in ", var.name)));
                inner.push(self.expr(iter));
                if let Some(cond) = cond {
                    inner.push(self.gap(cond.span.start as usize, Gap::element(Break::Space)));
                    inner.push(text("if "));
                    inner.push(self.expr(cond));
                }
                let closing = self.gap(close_of(expr), Gap::close(Break::Soft));
                group(concat([text("["), super::doc::indent(concat(inner)), closing, text("]")]))
            }
        }
    }

    // Operator and field chains lean left (`a ++ b ++ c` is `(a ++ b) ++ c`), so they are walked down their left
    // side in a loop: a long chain must not exhaust the stack, and the document stays flat.

    /// `a ++ b == c and d`, parenthesised where precedence needs it.
    fn operator_chain(&mut self, expr: &Expr) -> Doc {
        let mut spine = Vec::new();
        let mut leftmost = expr;
        while let ExprKind::Binary(op, left, right) = &leftmost.kind {
            spine.push((*op, left.as_ref(), right.as_ref()));
            leftmost = left;
        }
        let mut parts = Vec::new();
        for (i, (op, left, right)) in spine.iter().rev().enumerate() {
            let outer = binary_precedence(*op);
            if i == 0 {
                parts.push(self.parenthesized_if(left, operand_needs_parens(left, outer, false)));
            } else if operand_needs_parens(left, outer, false) {
                parts = vec![text("("), concat(parts), text(")")];
            }
            parts.push(text(format!(" {} ", op.symbol())));
            parts.push(self.parenthesized_if(right, operand_needs_parens(right, outer, true)));
        }
        concat(parts)
    }

    /// `not not x`
    fn not_chain(&mut self, expr: &Expr) -> Doc {
        let mut nots = 0;
        let mut operand = expr;
        while let ExprKind::Unary(_, inner) = &operand.kind {
            nots += 1;
            operand = inner;
        }
        let operand = self.parenthesized_if(operand, precedence(operand) < NOT);
        concat([text("not ".repeat(nots)), operand])
    }

    /// `a.b.c`
    fn field_chain(&mut self, expr: &Expr) -> Doc {
        let mut fields = Vec::new();
        let mut base = expr;
        while let ExprKind::Field(inner, field) = &base.kind {
            fields.push(field.name.as_str());
            base = inner;
        }
        let base = self.parenthesized_if(base, precedence(base) < ATOM);
        let path: String = fields.iter().rev().map(|name| format!(".{name}")).collect();
        concat([base, text(path)])
    }

    /// An operand that must be an atom, as the bounds of a range constraint are.
    pub(super) fn atom(&mut self, expr: &Expr) -> Doc {
        let is_atom =
            !matches!(expr.kind, ExprKind::Field(..) | ExprKind::Call(_) | ExprKind::Unary(..) | ExprKind::Binary(..));
        self.parenthesized_if(expr, !is_atom)
    }

    fn parenthesized_if(&mut self, expr: &Expr, parens: bool) -> Doc {
        let doc = self.expr(expr);
        if parens { concat([text("("), doc, text(")")]) } else { doc }
    }

    /// A call's callee and arguments, not grouped: a step groups them with its options.
    pub(super) fn call(&mut self, call: &Call) -> Doc {
        let brackets = Brackets::tight("(", ")", (call.span.end as usize).saturating_sub(1));
        let args = self.arguments(brackets, &call.args);
        concat([text(call.callee.dotted()), args])
    }

    pub(super) fn arguments(&mut self, brackets: Brackets, args: &[Arg]) -> Doc {
        self.delimited(
            brackets,
            args,
            |a| a.span.start as usize,
            |p, arg| match &arg.name {
                Some(name) => {
                    let value = p.assigned(" =", arg.value.span.start as usize, |p| p.expr(&arg.value));
                    concat([text(name.name.clone()), value])
                }
                None => p.expr(&arg.value),
            },
        )
    }

    fn record_field(&mut self, field: &RecordField) -> Doc {
        let key = if field.quoted { quoted(&field.key.name) } else { field.key.name.clone() };
        let value = self.assigned(":", field.value.span.start as usize, |p| p.expr(&field.value));
        concat([text(key), value])
    }

    fn string(&mut self, parts: &[StrPart]) -> Doc {
        let mut docs = vec![text("\"")];
        for part in parts {
            match part {
                StrPart::Text(value) => docs.push(text(escape_text(value))),
                StrPart::Interp(expr) => {
                    let inner = self.on_one_line(|p| p.expr(expr));
                    docs.extend([text("${"), flat(inner), text("}")]);
                }
            }
        }
        docs.push(text("\""));
        concat(docs)
    }

    pub(super) fn type_expr(&mut self, ty: &TypeExpr) -> Doc {
        match ty {
            TypeExpr::Named { path, args, .. } if args.is_empty() => text(path.dotted()),
            TypeExpr::Named { path, args, .. } => {
                let mut docs = vec![text(format!("{}<", path.dotted()))];
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        docs.push(text(", "));
                    }
                    docs.push(self.type_expr(arg));
                }
                docs.push(text(">"));
                concat(docs)
            }
            TypeExpr::Record { fields, span } => {
                let brackets = Brackets::braces((span.end as usize).saturating_sub(1));
                group(self.delimited(
                    brackets,
                    fields,
                    |f| f.name.span.start as usize,
                    |p, field| concat([text(format!("{}: ", field.name.name)), p.type_expr(&field.ty)]),
                ))
            }
        }
    }
}

/// Where the closing bracket of a list, record or comprehension stands: the last byte of its span.
fn close_of(expr: &Expr) -> usize {
    (expr.span.end as usize).saturating_sub(1)
}
